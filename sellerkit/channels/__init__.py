"""Channels: where a shop's buyer messages are fetched from and its replies sent to (one module per kind)."""
