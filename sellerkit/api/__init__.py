"""The JSON API under /api/v1: bearer-token authentication, JSON errors, and the endpoints by feature."""
