"""The Upcoming and Timeline filters (company, product, agency, status, basis, exact or
estimate, search): each one, and some together, show exactly the deadlines a plain reading of
the stored ones says they should; a value a filter does not take is a 400 naming it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import time_machine
from fastapi.testclient import TestClient

from tracker import cases
from tracker.domain import Deadline
from tracker.identity import slug
from tracker.pipeline import Context, ingest_paths
from tracker.rules.loader import load_packs
from tracker.settings import load_settings
from tracker.store import Store
from tracker.store.users import Users
from tracker.web import make_app
from tracker.web.auth import hash_password
from tracker.web.pages import Filters, _filters

from .conftest import FIXTURES

NOW = datetime(2008, 6, 1, 12, tzinfo=UTC)
TODAY = NOW.date()
PASSWORD = "correct horse battery"
STORIES = ("eu-story", "two-names-fda", "fda-extension")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Context, TestClient]]:
    """Deadlines of three companies before two authorities, stated and computed, exact and
    estimated, one set by hand; a viewer signed in at NOW (read only: made once)."""
    home = tmp_path_factory.mktemp("filters")
    settings = load_settings(config=None, home=str(home / "home"), environ={}).settings
    store = Store(f"sqlite:///{home / 'tracker.db'}")
    store.migrate(NOW)
    ctx = Context(settings, store, load_packs())
    for story in STORIES:
        for path in sorted((FIXTURES / "releases" / story).glob("*.txt"))[:3]:
            ingest_paths(ctx, [path], NOW)
    opinion = "norvane-therapeutics-inc/velocor/eu/reexamination-opinion"
    cases.set_date(ctx, opinion, date(2008, 7, 10), date(2008, 7, 10), "ed", NOW)
    Users(ctx.store).add("vera", "viewer", hash_password(PASSWORD), NOW, by="setup")
    client = TestClient(make_app(ctx.store, ctx.settings, ctx))
    with time_machine.travel(NOW, tick=False):
        form = client.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert token
        client.post("/login", data={"name": "vera", "password": PASSWORD, "csrf": token[1]})
        yield ctx, client
    store.close()


def _basis(d: Deadline) -> str:
    return "hand" if d.basis in ("manual", "hand") or getattr(d, "hand_set", None) else d.basis


def _passes(d: Deadline, query: dict[str, str], search_rule: bool) -> bool:
    """The filters read plainly, one by one (the search also reads the rule's name on the
    timeline, which filters in memory)."""
    p = d.procedure
    text = [d.title, d.evidence, p.key, p.company or "", p.product or ""]
    region = {"EMA": "EU", "EC": "EU"}.get(query.get("agency", "").upper())
    checks = {
        "company": slug(p.company) == query.get("company"),
        "product": slug(p.product) == query.get("product"),
        "agency": p.agency == (region or query.get("agency", "").upper()),
        "basis": _basis(d) == query.get("basis"),
        "precision": d.estimate == (query.get("precision") == "estimate"),
        "q": query.get("q", "").casefold()
        in " ".join(text + ([d.rule or ""] if search_rule else [])).casefold(),
    }
    return all(checks[k] for k in query if k in checks)


QUERIES = [
    {},
    {"company": "norvane-therapeutics-inc"},
    {"company": "pharming-group-n-v"},
    {"company": "nobody"},
    {"product": "velocor"},
    {"product": "rhucin", "company": "pharming-group-n-v"},
    {"product": "velocor", "company": "pharming-group-n-v"},
    {"agency": "EU"},
    {"agency": "ema"},
    {"agency": "FDA"},
    {"basis": "stated"},
    {"basis": "rule"},
    {"basis": "hand"},
    {"precision": "exact"},
    {"precision": "estimate"},
    {"q": "grounds"},
    {"q": "re-examination"},
    {"company": "oriole-therapeutics-inc", "status": "all"},
    {"q": "PDUFA"},
    {"q": "  Advisory  "},
    {"basis": "rule", "precision": "exact", "agency": "FDA"},
    {"status": "all"},
    {"status": "all", "product": "velocor", "precision": "estimate"},
]


def _shown(html: str) -> list[str]:
    table = html.split('id="upcoming"', 1)
    if len(table) == 1:
        return []
    return re.findall(r'href="/procedures/[^"#]+#d-([^"]+)"', table[1].split("</table>", 1)[0])


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()))
def test_upcoming_shows_what_the_filters_say(
    site: tuple[Context, TestClient], query: dict[str, str]
) -> None:
    ctx, client = site
    page = client.get("/upcoming", params=query)
    assert page.status_code == 200
    plain = {k: v.strip() for k, v in query.items()}
    wanted = [
        d.key
        for d in ctx.store.deadlines(include_all=True)
        if d.end >= TODAY
        and (query.get("status") == "all" or d.status == "open")
        and _passes(d, plain, search_rule=False)
    ]
    assert _shown(page.text) == wanted
    COUNTS[repr(query)] = len(wanted)
    # Every choice made stays chosen in the form; the search keeps its words.
    for name, value in query.items():
        if name == "q":
            assert f'value="{value.strip()}"' in page.text
        elif name != "agency":
            assert f'value="{value}" selected' in page.text or value == "nobody", name


COUNTS: dict[str, int] = {}


def test_the_filters_tell_the_deadlines_apart() -> None:
    """Run after the page tests: each filter shown some deadlines and not all (else the
    comparison above proves little)."""
    every = COUNTS.get(repr({}))
    if every is None:
        pytest.skip("run with the Upcoming tests")
    some = [q for q, n in COUNTS.items() if 0 < n < every]
    assert every > 5 and len(some) >= len(COUNTS) - 5, COUNTS


def test_the_stories_give_every_kind_of_deadline(site: tuple[Context, TestClient]) -> None:
    ctx, _client = site
    live = [d for d in ctx.store.deadlines(include_all=True) if d.end >= TODAY]
    assert {_basis(d) for d in live} == {"stated", "rule", "hand"}
    assert {d.estimate for d in live} == {True, False}
    assert {d.procedure.agency for d in live} == {"EU", "FDA"}


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()))
def test_the_timeline_keeps_what_the_filters_say(
    site: tuple[Context, TestClient], query: dict[str, str]
) -> None:
    ctx, _client = site
    f = _filters(**query)
    plain = {k: v.strip() for k, v in query.items() if k != "agency"}  # the query's own part
    for d in ctx.store.deadlines(include_all=True):
        assert f.keeps(d) == _passes(d, plain, search_rule=True), (d.key, query)


@pytest.mark.parametrize(
    ("name", "value"), [("status", "bogus"), ("basis", "guessed"), ("precision", "roughly")]
)
@pytest.mark.parametrize("path", ["/upcoming", "/timeline"])
def test_a_value_no_filter_takes_is_named(
    site: tuple[Context, TestClient], path: str, name: str, value: str
) -> None:
    _ctx, client = site
    r = client.get(path, params={name: value})
    assert r.status_code == 400 and r.text == f"unknown {name} {value}"


def test_filters_as_read_from_the_query() -> None:
    f = _filters(agency="ema", q="  x" * 150, status="all")
    assert f == Filters(agency="EMA", status="all", q=("  x" * 150).strip()[:200])
    assert f.region() == "EU" and f.statuses() is None
    assert _filters().statuses() == ["open"] and _filters(status="met").statuses() == ["met"]
    assert _filters().query() == dict.fromkeys(Filters.__dataclass_fields__, "")
