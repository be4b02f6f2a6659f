"""Vacation and away auto-replies: answered once, never to machines, never in a loop."""
