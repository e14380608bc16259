from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from kb.runtime import Runtime
from models import Base, Case, CaseAlias, Revision


def test_migrations_create_exactly_the_models_schema(runtime: Runtime) -> None:
    with runtime.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_foreign_keys_are_enforced(runtime: Runtime) -> None:
    with runtime.session_factory() as session:
        session.add(CaseAlias(case_id=999_999, name="verwaist"))
        with pytest.raises(IntegrityError):
            session.flush()


def test_timestamps_come_back_timezone_aware_in_utc(runtime: Runtime) -> None:
    moment = datetime(2022, 2, 24, 13, 0, tzinfo=UTC)
    with runtime.session_factory() as session:
        session.add(
            Revision(
                entity_type="case",
                entity_id=1,
                number=1,
                action="create",
                actor="t",
                state={},
                created_at=moment,
            )
        )
        session.commit()
    with runtime.session_factory() as session:
        stored = session.query(Revision).one().created_at
    assert stored == moment and stored.tzinfo is not None


def test_case_slug_is_unique(runtime: Runtime) -> None:
    def case() -> Case:
        return Case(
            slug="doppelt",
            name="A",
            city="X",
            land="berlin",
            governance_type="top-down",
            governance_rationale="r",
            scale="city",
            scale_rationale="r",
            summary="s",
        )

    with runtime.session_factory() as session:
        session.add_all([case(), case()])
        with pytest.raises(IntegrityError):
            session.flush()
