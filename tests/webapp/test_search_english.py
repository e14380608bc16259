"""The English search page: a query's English vocabulary labels find the cases with those
values; the German page reads the same words as typed; the query shown is the one typed."""

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from models import Case, CaseInstrument, Instrument
from tests.webapp.test_search_page import hits


def _beirat_cases(site: Flask) -> set[str]:
    beirat = Case.instruments.any(CaseInstrument.instrument.has(Instrument.slug == "beirat"))
    with site.extensions["kb"].uow() as uow:
        return set(uow.session.scalars(select(Case.slug).where(beirat, Case.deleted_at.is_(None))))


def _case_hits(html: str) -> set[str]:
    return {url.rsplit("/", 1)[1] for url in hits(html) if "/cases/" in url}


def test_advisory_board_on_the_english_page_finds_the_cases_with_a_beirat(
    web: FlaskClient, site: Flask
) -> None:
    expected = _beirat_cases(site)
    assert expected
    page = web.get("/en/search?q=advisory+board&kind=case&per_page=100").text
    assert expected <= _case_hits(page)
    assert all(url.startswith("/en/cases/") for url in hits(page))
    assert 'value="advisory board"' in page  # the query as typed, not its expansion
    german = web.get("/search?q=advisory+board&kind=case&per_page=100").text
    assert not expected <= _case_hits(german)


def test_bavaria_and_large_city_on_the_english_page(web: FlaskClient, site: Flask) -> None:
    with site.extensions["kb"].uow() as uow:
        bavarian_large = set(
            uow.session.scalars(
                select(Case.slug).where(Case.land == "bayern", Case.size_class == "grossstadt")
            )
        )
    assert bavarian_large
    page = web.get('/en/search?q=Bavaria+"large+city"&kind=case').text
    assert bavarian_large <= _case_hits(page)
    assert not bavarian_large & _case_hits(web.get("/search?q=Bavaria&kind=case").text)
