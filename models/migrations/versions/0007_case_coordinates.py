"""case coordinates: the municipality's latitude and longitude

The map (/map) places each case at its municipality; cases without coordinates are listed
under it instead. Both columns are nullable: existing rows have no coordinates until the
catalogue is imported again.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 13:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case") as batch:
        batch.add_column(sa.Column("lat", sa.Float(), nullable=True))
        batch.add_column(sa.Column("lon", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case") as batch:
        batch.drop_column("lon")
        batch.drop_column("lat")
