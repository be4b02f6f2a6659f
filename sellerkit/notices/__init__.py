"""Mail of sellerkit's own to a shop's owners about something that needs them, sent through the outbox."""
