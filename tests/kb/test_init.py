import shutil
from pathlib import Path

from sqlalchemy import select

from kb.catalogue.cases import case_state, get_case, list_cases, save_case
from kb.catalogue.schemas import CaseIn
from kb.catalogue.talks import list_series, list_talks
from kb.config import Settings
from kb.runtime import Runtime
from models import Revision
from tests.helpers import table_counts

SERIES_CASES = {
    "stadtmensch-altenburg": "Stadtmenschen Altenburg",
    "freiraumbuero-halle": None,
    "altstadtquartier-buechel-aachen": "Altstadtquartier Büchel",
    "alte-feuerwache-weimar": (
        "Thüringer Zentrum für Beteiligungskultur, Alte Feuerwache Weimar e.V."
    ),
    "politik-zum-anfassen-hannover": "Demokratie zum Anfassen e.V. Hannover",
    "pankow-beteiligt-berlin": "Bezirkliche Anlaufstelle für Bürgerbeteiligung Berlin",
}


def test_init_loads_the_series_its_seven_events_and_at_least_18_cases(runtime: Runtime) -> None:
    runtime.init()
    with runtime.uow() as uow:
        series = list_series(uow)
        talks = list_talks(uow)
        cases = list_cases(uow)
        assert [s.slug for s in series] == ["governance-des-stadtmachens-2022"]
        assert len(talks) == 7
        assert sorted(t.format for t in talks).count("jam") == 1
        assert len(cases) >= 18
        for slug, alias in SERIES_CASES.items():
            case = get_case(uow, slug)
            assert case.sources, slug
            assert case.governance_rationale and case.scale_rationale, slug
            if alias:
                assert alias in [a.name for a in case.aliases], slug


def test_every_series_case_is_presented_at_a_talk(seeded: Runtime) -> None:
    with seeded.uow() as uow:
        presented = {p.case.slug for t in list_talks(uow) for p in t.presented}
    assert set(SERIES_CASES) <= presented


def test_the_jam_records_both_dates(seeded: Runtime) -> None:
    with seeded.uow() as uow:
        jam = next(t for t in list_talks(uow) if t.format == "jam")
    assert jam.date.isoformat() == "2022-10-06"
    assert jam.announced_date is not None and jam.announced_date.isoformat() == "2022-09-15"
    assert len(jam.sources) >= 2


def test_second_init_adds_and_changes_nothing(seeded: Runtime) -> None:
    before = table_counts(seeded)
    with seeded.uow() as uow:
        states = [case_state(c) for c in list_cases(uow)]
    report = seeded.init()
    assert not report.changed
    assert table_counts(seeded) == before
    with seeded.uow() as uow:
        assert [case_state(c) for c in list_cases(uow)] == states


def test_init_never_overwrites_an_edit_made_since(seeded: Runtime) -> None:
    with seeded.uow() as uow:
        state = case_state(get_case(uow, "freiraumbuero-halle"))
        state["summary"] = "Von der Redaktion überarbeitet."
        save_case(
            uow,
            CaseIn.model_validate(state, context={"vocabulary": seeded.vocabulary}),
            seeded.vocabulary,
            actor="redakteurin",
        )
        uow.commit()
    report = seeded.init()
    assert any("freiraumbuero-halle" in k for k in report.kept)
    with seeded.uow() as uow:
        assert get_case(uow, "freiraumbuero-halle").summary == "Von der Redaktion überarbeitet."


def test_init_follows_a_changed_seed_file_for_items_nobody_edited(
    settings: Settings, tmp_path: Path
) -> None:
    seed = tmp_path / "seed"
    shutil.copytree(settings.seed_dir, seed)
    runtime = Runtime.from_settings(
        Settings(
            settings.instance_dir,
            settings.database_url,
            settings.index_dir,
            settings.secret_key,
            seed,
        )
    )
    runtime.init()
    path = seed / "cases" / "freiraumbuero-halle.yaml"
    path.write_text(path.read_text().replace("start_year: 2020", "start_year: 2021"))
    report = runtime.init()
    assert report.updated["case"] == 1
    with runtime.uow() as uow:
        case = get_case(uow, "freiraumbuero-halle")
        assert case.start_year == 2021
        revisions = uow.session.scalars(
            select(Revision).where(Revision.entity_type == "case", Revision.entity_id == case.id)
        ).all()
        assert [r.number for r in revisions] == [1, 2]
        assert revisions[0].state["start_year"] == 2020
    runtime.close()
