"""The outbox: every reply, auto-reply and follow-up waits here until a transport has delivered it."""
