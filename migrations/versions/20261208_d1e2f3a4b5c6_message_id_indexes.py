"""Indexes on message_id of response clocks, auto-replies and away replies sent, and follow-ups

Deleting a message (a conversation, or the benchmark's clean-up) checks each table that refers to it; without an
index on the referring column, each check reads the whole table.

Revision ID: d1e2f3a4b5c6
Revises: c4d8e2f6a913
Created: 2026-12-08 00:05:00.000000
"""
from alembic import op

revision = 'd1e2f3a4b5c6'
down_revision = 'c4d8e2f6a913'
branch_labels = None
depends_on = None

INDEXES = (("ix_response_clocks_message_id", "response_clocks"), ("ix_auto_replies_sent_message_id", "auto_replies_sent"),
           ("ix_away_replies_sent_message_id", "away_replies_sent"), ("ix_follow_ups_message_id", "follow_ups"))


def upgrade():
    for name, table in INDEXES:
        op.create_index(name, table, ["message_id"])


def downgrade():
    for name, table in INDEXES:
        op.drop_index(name, table_name=table)
