"""Buyer conversations: buyers, orders, threads, messages and their history."""
