"""the search outbox becomes a change log that any number of indexes follow

Entries are no longer deleted by the index that applied them: each index remembers the
position (entry id) it has applied, registers it in search_replica, and entries are pruned
once every registered index has passed them (or when older than KB_LOG_KEEP_DAYS);
search_log_horizon says how far. Entries waiting in the outbox at the upgrade stay: an index
written by the older code has no position and counts as having applied everything before
them, as the outbox guaranteed.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 16:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_replica",
        sa.Column("index_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("last_seen", models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("index_id", name=op.f("pk_search_replica")),
    )
    horizon = op.create_table(
        "search_log_horizon",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pruned_through", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_log_horizon")),
    )
    op.bulk_insert(horizon, [{"id": 1, "pruned_through": 0}])
    op.create_index("ix_search_outbox_created_at", "search_outbox", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_search_outbox_created_at", table_name="search_outbox")
    op.drop_table("search_log_horizon")
    op.drop_table("search_replica")
