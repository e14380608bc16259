"""Small helpers shared by tests."""

from sqlalchemy import func, select

from kb.runtime import Runtime
from models import Base


def table_counts(runtime: Runtime) -> dict[str, int]:
    """Row count of every table: equal before and after means the database is unchanged."""
    with runtime.engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in Base.metadata.sorted_tables
        }
