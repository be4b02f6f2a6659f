"""Marketing consent: its append-only history, opt-out links and stop replies."""
