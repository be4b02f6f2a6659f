"""Saved replies: a shop's ready answers, with placeholders and one body per language."""
