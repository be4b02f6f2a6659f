"""Shops: platform, buyer language, timezone, business hours, and who may work in them."""
