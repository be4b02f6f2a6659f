"""Messages and thread events refer to their thread and its shop with one key, (thread_id, shop_id)

Their shop_id can no longer name another shop than their thread's, and PostgreSQL checks one key per row where it
checked two (a bulk import writes hundreds of thousands of these rows).

Revision ID: e5a7c1d3b920
Revises: d94b2e6c1f37
Created: 2026-12-04 05:00:00.000000
"""
from alembic import op

revision = 'e5a7c1d3b920'
down_revision = 'd94b2e6c1f37'
branch_labels = None
depends_on = None

TABLES = ("messages", "thread_events")
PARENT_KEY = "uq_threads_id_shop_id"


def _rebuild(table, change):
    """Apply `change` to a batch of `table`. SQLite rebuilds the table for a new key, which drops its triggers
    (the search table's clean-up on messages): they are made again after, as they were."""
    bind = op.get_bind()
    triggers = []
    if bind.dialect.name == "sqlite":
        triggers = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                                        (table,)).scalars().all()
    with op.batch_alter_table(table) as batch:
        change(batch)
    for sql in triggers:
        bind.exec_driver_sql(sql)


def upgrade():
    op.create_index(PARENT_KEY, "threads", ["id", "shop_id"], unique=True)
    for table in TABLES:
        def change(batch, table=table):
            batch.drop_constraint(f"fk_{table}_shop_id_shops", type_="foreignkey")
            batch.drop_constraint(f"fk_{table}_thread_id_threads", type_="foreignkey")
            batch.create_foreign_key(f"fk_{table}_thread_id_threads", "threads", ["thread_id", "shop_id"],
                                     ["id", "shop_id"], ondelete="CASCADE")
        _rebuild(table, change)


def downgrade():
    for table in TABLES:
        def change(batch, table=table):
            batch.drop_constraint(f"fk_{table}_thread_id_threads", type_="foreignkey")
            batch.create_foreign_key(f"fk_{table}_shop_id_shops", "shops", ["shop_id"], ["id"], ondelete="CASCADE")
            batch.create_foreign_key(f"fk_{table}_thread_id_threads", "threads", ["thread_id"], ["id"],
                                     ondelete="CASCADE")
        _rebuild(table, change)
    op.drop_index(PARENT_KEY, table_name="threads")
