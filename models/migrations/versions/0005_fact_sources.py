"""a source per fact: actors and the population name the page that supports them

Funding, awards and key dates already carry a `source`; actors and the municipality's
population gain one (issue 12, provenance per fact). Existing rows get an empty source.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("actor") as batch:
        batch.add_column(
            sa.Column("source", sa.String(length=2000), server_default="", nullable=False)
        )
    with op.batch_alter_table("case") as batch:
        batch.add_column(
            sa.Column(
                "population_source", sa.String(length=2000), server_default="", nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("case") as batch:
        batch.drop_column("population_source")
    with op.batch_alter_table("actor") as batch:
        batch.drop_column("source")
