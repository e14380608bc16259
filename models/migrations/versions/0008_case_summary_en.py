"""case summary in English: an optional translation of the summary

English pages show a case's English summary where the editors wrote one, and the German
summary otherwise. The column is nullable: existing cases have none.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 15:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case") as batch:
        batch.add_column(sa.Column("summary_en", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case") as batch:
        batch.drop_column("summary_en")
