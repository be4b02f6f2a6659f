"""Suggested replies: the saved replies a buyer message most likely needs, learned from the seller's own answers."""
