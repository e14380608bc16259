"""Helpers shared by the web tests: logging in, CSRF tokens, forms and pages read back."""

import re
from html.parser import HTMLParser

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from kb.runtime import Runtime
from models import Case, Revision


class Page(HTMLParser):
    """The parts of an HTML page the tests look at: elements with their attributes, texts of
    headings and links, and the labels' `for` targets."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.headings: list[tuple[str, str]] = []  # (tag, text)
        self._open: list[tuple[str, dict[str, str], list[str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.elements.append((tag, attributes))
        if tag in ("a", "h1", "h2", "h3", "h4", "label"):
            self._open.append((tag, attributes, []))

    def handle_data(self, data: str) -> None:
        for _, _, texts in self._open:
            texts.append(data)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                _, attributes, texts = self._open.pop(i)
                text = " ".join("".join(texts).replace("\xad", "").split())
                if tag == "a":
                    self.links.append((attributes.get("href", ""), text))
                elif tag != "label":
                    self.headings.append((tag, text))
                break

    def all(self, tag: str) -> list[dict[str, str]]:
        return [a for t, a in self.elements if t == tag]

    def hrefs(self) -> list[str]:
        return [href for href, _ in self.links]

    def link_to(self, text: str) -> str:
        """The href of the first link whose text contains `text`."""
        for href, label in self.links:
            if text in label:
                return href
        raise AssertionError(f"no link with text {text!r}")


PASSWORD = "ein-langes-passwort"


def csrf_token(client: FlaskClient, url: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).text)
    assert found, url
    return found[1]


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> object:
    token = csrf_token(client, "/login")
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def editor(app: Flask, name: str = "anna") -> FlaskClient:
    client = app.test_client()
    login(client, name)
    return client


def revisions(runtime: Runtime) -> int:
    with runtime.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(Revision)) or 0


class FormFields(HTMLParser):
    """What a browser would submit from the edit form: inputs, textareas and the selected
    option of each select (submit buttons left out)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and a.get("name") and a.get("type") != "search":
            self.data[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.data[a["name"]] = ""
        elif tag == "select":
            self._select = a["name"]
            self.data.setdefault(a["name"], "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_of(client: FlaskClient, url: str) -> dict[str, str]:
    page = client.get(url)
    assert page.status_code == 200, url
    return FormFields(page.text).data


def field_error(html: str, name: str) -> str:
    """The message shown next to the control `name` (and check the control points at it)."""
    marker = f'<p class="field-error" id="f-{name}-error">'
    assert marker in html, name
    assert f'aria-describedby="f-{name}-error"' in html or (
        f'f-{name}-error"' in html and 'aria-invalid="true"' in html
    )
    return html.split(marker, 1)[1].split("</p>", 1)[0]


def new_case_form(**changes: str) -> dict[str, str]:
    data = {
        "name": "Quartiersrat Gröpelingen",
        "slug": "",
        "city": "Bremen",
        "land": "bremen",
        "governance-type": "cross-over",
        "governance-rationale": "Gemeinsam von Ortsamt und Initiativen getragen.",
        "scale-type": "district",
        "scale-rationale": "Ein Stadtteil mit Beirat.",
        "status": "active",
        "municipality-population": "570000",
        "municipality-size_class": "grossstadt",
        "start_year": "2019",
        "actors-0-name": "Ortsamt West",
        "actors-0-kind": "administration",
        "actors-0-role": "lädt ein\nund moderiert",
        "actors-1-name": "",  # an empty row in the middle is dropped
        "actors-1-kind": "",
        "actors-2-name": "Kulturhaus Pusdorf e.V.",
        "actors-2-kind": "initiative",
        "instruments-0-code": "runder-tisch",
        "instruments-0-note": "monatlich",
        "key_dates-0-date": "2019-05",
        "key_dates-0-event": "Erste Sitzung",
        "summary": "Ein Quartiersrat, in dem Verwaltung und Initiativen zusammen entscheiden.",
        "description": "## Anfang\n\nDer **Quartiersrat** tagt öffentlich.",
        "sources-0-url": "https://example.org/quartiersrat",
        "sources-0-supports": "Gründung",
    }
    return {**data, **changes}


def db_slugs(site: Flask, *where: object) -> set[str]:
    with site.extensions["kb"].uow() as uow:
        stmt = select(Case.slug).where(Case.deleted_at.is_(None), *where)  # type: ignore[arg-type]
        return set(uow.session.scalars(stmt))
