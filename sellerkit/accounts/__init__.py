"""Accounts: users, server-side sessions, login throttling, password resets and API tokens."""
