"""the catalogue's version: one number raised at the commit of every change

Per-process caches (kb.watermark) compared the newest revision id to tell whether the
catalogue changed; on PostgreSQL ids can become visible out of commit order, so a cache could
keep a state that misses a change committed later with a lower id. The counter grows in
commit order.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 11:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "catalogue_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_version")),
    )
    op.bulk_insert(table, [{"id": 1, "value": 0}])


def downgrade() -> None:
    op.drop_table("catalogue_version")
