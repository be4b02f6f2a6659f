"""Attachments: files that come with buyer messages and replies, stored outside anything served."""
