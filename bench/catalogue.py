"""Write a large generated catalogue straight into a kb database (bulk inserts, no revisions:
this is load, not editing), so that the benchmark measures the real path database -> index."""

import datetime as dt
import random

from sqlalchemy import insert, select

from bench.corpus import TextGenerator
from kb.catalogue.cases import sync_instruments
from kb.runtime import Runtime
from models import (
    Actor,
    Case,
    CaseAlias,
    CaseInstrument,
    CaseSource,
    Funding,
    Instrument,
    KeyDate,
    Note,
    Series,
    Talk,
    TalkCase,
)

# City, Land, size class and the city's coordinates (the seed's GeoNames values): the map
# groups each city's cases in one point.
CITIES = [
    ("Berlin", "berlin", "grossstadt", 52.5244, 13.4105),
    ("Hamburg", "hamburg", "grossstadt", 53.5507, 9.993),
    ("Leipzig", "sachsen", "grossstadt", 51.3396, 12.3713),
    ("Halle (Saale)", "sachsen-anhalt", "grossstadt", 51.4816, 11.9795),
    ("Weimar", "thueringen", "mittelstadt", 50.9803, 11.329),
    ("Altenburg", "thueringen", "mittelstadt", 50.9876, 12.4368),
    ("Aachen", "nordrhein-westfalen", "grossstadt", 50.7766, 6.0834),
    ("Wuppertal", "nordrhein-westfalen", "grossstadt", 51.2563, 7.1482),
    ("Hannover", "niedersachsen", "grossstadt", 52.3705, 9.7332),
    ("Löbau", "sachsen", "kleinstadt", 51.0995, 14.6674),
    ("Potsdam", "brandenburg", "grossstadt", 52.3989, 13.0657),
    ("Heidelberg", "baden-wuerttemberg", "grossstadt", 49.4077, 8.6908),
    ("Bonn", "nordrhein-westfalen", "grossstadt", 50.7344, 7.0955),
    ("Homberg (Efze)", "hessen", "kleinstadt", 51.0299, 9.4026),
    ("Kiel", "schleswig-holstein", "grossstadt", 54.3213, 10.1349),
    ("Landau", "rheinland-pfalz", "mittelstadt", 49.1984, 8.1169),
    ("Nürnberg", "bayern", "grossstadt", 49.4542, 11.0775),
    ("Wittenberge", "brandenburg", "kleinstadt", 53.0001, 11.7494),
    ("Schwerte", "nordrhein-westfalen", "mittelstadt", 51.4439, 7.5675),
    ("Eltville am Rhein", "hessen", "kleinstadt", 50.0286, 8.1175),
]
GOVERNANCE = ["top-down", "bottom-up", "cross-over"]
SCALES = ["project", "district", "city", "region"]
KINDS = ["administration", "politics", "initiative", "social-enterprise", "foundation", "federal"]
CHUNK = 5000


def _flush(runtime: Runtime, model: type, rows: list[dict[str, object]]) -> None:
    with runtime.engine.begin() as conn:
        for i in range(0, len(rows), CHUNK):
            conn.execute(insert(model), rows[i : i + CHUNK])
    rows.clear()


def generate(runtime: Runtime, cases: int, notes: int, talks: int = 200, seed: int = 7) -> None:
    """Insert `cases` cases, `talks` talks and `notes` notes (deterministic for a seed)."""
    rng = random.Random(seed)
    text = TextGenerator(seed)
    now = dt.datetime.now(dt.UTC)
    with runtime.uow() as uow:
        sync_instruments(uow, runtime.vocabulary)
        uow.commit()
    with runtime.uow() as uow:
        instruments = list(uow.session.scalars(select(Instrument.id)))
    with runtime.engine.begin() as conn:
        series_id = conn.execute(
            insert(Series).returning(Series.id),
            [
                {
                    "slug": "bench-reihe",
                    "title": "Benchmark-Reihe",
                    "questions": [],
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        ).scalar_one()
    case_rows, children = (
        [],
        {m: [] for m in (CaseAlias, Actor, CaseInstrument, Funding, KeyDate, CaseSource)},
    )
    for i in range(1, cases + 1):
        city, land, size, lat, lon = rng.choice(CITIES)
        year = rng.randint(1995, 2024)
        case_rows.append(
            {
                "id": i,
                "slug": f"bench-fall-{i}",
                "name": text.title(),
                "city": city,
                "land": land,
                "size_class": size,
                "lat": lat,
                "lon": lon,
                "governance_type": rng.choice(GOVERNANCE),
                "governance_rationale": text.text(12),
                "scale": rng.choice(SCALES),
                "scale_rationale": text.text(10),
                "start_year": year,
                "status": "active",
                "carrier_name": f"{text.title()} e.V.",
                "summary": text.text(40),
                "description": text.text(200),
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
        children[CaseAlias].append({"case_id": i, "position": 0, "name": text.title()})
        for p in range(3):
            children[Actor].append(
                {
                    "case_id": i,
                    "position": p,
                    "name": text.title(),
                    "kind": rng.choice(KINDS),
                    "role": text.text(8),
                }
            )
        for p, inst in enumerate(rng.sample(instruments, 2)):
            children[CaseInstrument].append({"case_id": i, "instrument_id": inst, "position": p})
        children[Funding].append({"case_id": i, "position": 0, "programme": text.title()})
        for p in range(2):
            children[KeyDate].append(
                {"case_id": i, "position": p, "date": str(year + p), "event": text.text(8)}
            )
        children[CaseSource].append(
            {"case_id": i, "position": 0, "supports": "", "url": f"https://example.org/fall/{i}"}
        )
        if len(case_rows) >= CHUNK:
            _flush(runtime, Case, case_rows)
            for model, rows in children.items():
                _flush(runtime, model, rows)
    _flush(runtime, Case, case_rows)
    for model, rows in children.items():
        _flush(runtime, model, rows)

    talk_rows, presented = [], []
    start = dt.date(2015, 1, 1)
    for t in range(1, talks + 1):
        talk_rows.append(
            {
                "id": t,
                "slug": f"bench-gespraech-{t}",
                "series_id": series_id,
                "number": t,
                "format": "talk",
                "title": text.title(),
                "date": start + dt.timedelta(days=14 * t),
                "summary": text.text(120),
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
        for p, case_id in enumerate(rng.sample(range(1, cases + 1), rng.randint(1, 3))):
            presented.append({"talk_id": t, "case_id": case_id, "position": p})
    _flush(runtime, Talk, talk_rows)
    _flush(runtime, TalkCase, presented)

    note_rows = []
    for n in range(1, notes + 1):
        talk = rng.randint(1, talks)
        note_rows.append(
            {
                "id": n,
                "slug": f"bench-notiz-{n}",
                "talk_id": talk,
                "title": text.title(),
                "body": text.text(rng.randint(60, 240)),
                "author": "bench",
                "created": start + dt.timedelta(days=14 * talk + rng.randint(0, 6)),
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
        if len(note_rows) >= CHUNK:
            _flush(runtime, Note, note_rows)
    _flush(runtime, Note, note_rows)
