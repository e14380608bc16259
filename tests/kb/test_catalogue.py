"""The catalogue's filters and facet counts, checked against counts the database computes."""

import pytest
from sqlalchemy import func, select

from kb.catalogue.browsing import CatalogueQuery, browse, collation_key, parse_query
from kb.catalogue.cases import case_state, get_case, save_case
from kb.catalogue.schemas import CaseIn
from kb.catalogue.vocabulary import load_vocabulary
from kb.config import DEFAULT_SEED_DIR
from kb.runtime import Runtime
from models import Case, CaseInstrument, Instrument, TalkCase

COMBINATIONS = [
    {},
    {"governance": ("bottom-up",)},
    {"governance": ("top-down", "cross-over"), "land": ("berlin",)},
    {"scale": ("city",), "instrument": ("beteiligungsleitlinien",)},
    {"presented": ("yes",), "governance": ("bottom-up", "cross-over")},
]


def _where(filters: dict[str, tuple[str, ...]], skip: str = "") -> list[object]:
    """The SQL conditions for `filters` (without the facet `skip`)."""
    conditions: list[object] = [Case.deleted_at.is_(None)]
    columns = {"governance": Case.governance_type, "scale": Case.scale, "land": Case.land}
    for facet, values in filters.items():
        if facet == skip:
            continue
        if facet in columns:
            conditions.append(columns[facet].in_(values))
        elif facet == "instrument":
            conditions.append(
                Case.id.in_(
                    select(CaseInstrument.case_id)
                    .join(Instrument)
                    .where(Instrument.slug.in_(values))
                )
            )
        elif facet == "presented":
            presented = Case.id.in_(select(TalkCase.case_id))
            conditions.append(presented if values == ("yes",) else ~presented)
    return conditions


@pytest.mark.parametrize("filters", COMBINATIONS, ids=lambda f: ",".join(f) or "none")
def test_facet_counts_match_the_database(
    seeded: Runtime, filters: dict[str, tuple[str, ...]]
) -> None:
    with seeded.uow() as uow:
        page = browse(uow, CatalogueQuery(filters), seeded.vocabulary)
        session = uow.session
        expected = set(session.scalars(select(Case.slug).where(*_where(filters))))  # type: ignore[arg-type]
        assert {r.slug for r in page.matching} == expected
        for facet, column in (
            ("governance", Case.governance_type),
            ("scale", Case.scale),
            ("land", Case.land),
        ):
            counts = dict(
                session.execute(
                    select(column, func.count())
                    .where(*_where(filters, skip=facet))  # type: ignore[arg-type]
                    .group_by(column)
                ).all()
            )
            assert {k: v for k, v in page.facets[facet].items() if v} == counts, facet
        instrument_counts = dict(
            session.execute(
                select(Instrument.slug, func.count())
                .join(CaseInstrument)
                .join(Case)
                .where(*_where(filters, skip="instrument"))  # type: ignore[arg-type]
                .group_by(Instrument.slug)
            ).all()
        )
        assert {k: v for k, v in page.facets["instrument"].items() if v} == instrument_counts


def test_unknown_values_are_reported_with_their_parameter(seeded: Runtime) -> None:
    query, problems = parse_query(
        {"governance": ["bottom-up,sideways"], "land": ["mars"], "sort": ["x"], "page": ["-1"]},
        seeded.vocabulary,
    )
    assert query.filters == {"governance": ("bottom-up",)}
    assert query.sort == "name" and query.page == 1
    assert len(problems) == 4
    assert any("sideways" in p and "governance" in p for p in problems)
    assert any("mars" in p and "land" in p for p in problems)


def test_per_page_is_capped() -> None:
    vocab = load_vocabulary(DEFAULT_SEED_DIR / "vocabularies.yaml")
    query, problems = parse_query({"per_page": ["100000"]}, vocab)
    assert query.per_page == 100 and not problems


def test_german_collation_sorts_umlauts_with_their_base_letter() -> None:
    names = ["Zwickau", "Öhringen", "Oberhausen", "Offenbach", "Aachen", "Ärzteviertel"]
    assert sorted(names, key=collation_key) == [
        "Aachen",
        "Ärzteviertel",
        "Oberhausen",
        "Offenbach",
        "Öhringen",
        "Zwickau",
    ]


def test_a_saved_change_shows_in_the_next_browse(seeded: Runtime) -> None:
    query = CatalogueQuery({"governance": ("bottom-up",)})
    with seeded.uow() as uow:
        before = {r.slug for r in browse(uow, query, seeded.vocabulary).matching}
        case = get_case(uow, "freiraumbuero-halle")
        assert case.governance_type != "bottom-up" and "freiraumbuero-halle" not in before
        state = case_state(case)
        state["governance"]["type"] = "bottom-up"
        data = CaseIn.model_validate(state, context={"vocabulary": seeded.vocabulary})
        save_case(uow, data, seeded.vocabulary, actor="anna")
        uow.commit()
    with seeded.uow() as uow:
        after = {r.slug for r in browse(uow, query, seeded.vocabulary).matching}
    assert after == before | {"freiraumbuero-halle"}
