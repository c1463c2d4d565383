"""Stories of a company's releases and EMA's CHMP highlights: the agency's word dates the
act in either order, meets the deadlines it fulfils, and its silence moves an expected
opinion to the next plenary. Highlights pages are served from 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tracker.pipeline import Context, file_item, ingest_item, ingest_source, open_context
from tracker.settings import HttpSection
from tracker.sources.ema import EmaHighlightsSource

from .ema_pages import highlights_list, listing_rss
from .test_sources import Server

NOW = datetime(2025, 10, 20, 9, tzinfo=UTC)
COMPANY = "Zelvora Therapeutics B.V."

VALIDATED = """Zelvora Therapeutics announces EMA validation of its application for Zelvora

LEIDEN, the Netherlands, May 2, 2025 -- Zelvora Therapeutics B.V. today announced that the \
European Medicines Agency (EMA) has validated its marketing authorisation application for \
Zelvora (tovaprimab) for the treatment of adults with chronic spontaneous urticaria. A CHMP \
opinion is expected in the fourth quarter of 2025.
"""
OPINION = """Zelvora Therapeutics receives positive CHMP opinion for Zelvora

LEIDEN, the Netherlands, October 17, 2025 -- Zelvora Therapeutics B.V. today announced that \
the Committee for Medicinal Products for Human Use (CHMP) of the European Medicines Agency \
adopted a positive opinion recommending marketing authorisation of Zelvora (tovaprimab) for \
adults with chronic spontaneous urticaria.
"""

OCTOBER = highlights_list(
    "13-16 October 2025",
    [
        (
            "Positive opinions on new medicines",
            [
                ("Zelvora", "tovaprimab", COMPANY, "for chronic spontaneous urticaria"),
                ("Zelvoran", "zelvoratide", "Other Pharma GmbH", "for gout"),
            ],
        ),
        ("Negative opinions", [("Nopexa", "nopexatide", "Grey Pharma GmbH", "for obesity")]),
    ],
)
SILENT_OCTOBER = highlights_list(
    "13-16 October 2025",
    [("Positive opinions on new medicines", [("Brandq", "brandquinib", "Q AG", "for gout")])],
)


@pytest.fixture
def home_ctx(settings: Any) -> Iterator[Context]:
    """A context on the home folder's own database (what the CLI opens)."""
    ctx = open_context(settings, NOW)
    yield ctx
    ctx.store.close()


def _http() -> HttpSection:
    return HttpSection(timeout_seconds=2.0, requests_per_second=1000.0)


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


def _serve(server: Server, page: str, path: str = "/chmp-highlights-october-2025") -> str:
    server.add(path, page)
    server.add(
        "/news.xml",
        listing_rss(server.base, [(path, "Meeting highlights from the CHMP")]),
        **{"Content-Type": "application/rss+xml"},
    )
    return server.base + "/news.xml"


def _company(ctx: Context, tmp_path: Path, name: str, text: str, now: datetime) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return ingest_item(ctx, file_item(path, "inbox", now), now)


def _agency(ctx: Context, server: Server, page: str, now: datetime) -> Any:
    source = EmaHighlightsSource("ema", _serve(server, page), _http())
    report = ingest_source(ctx, source, now, force=True)
    assert report.failed == 0, report.errors
    return report


def _state(ctx: Context) -> list[tuple[Any, ...]]:
    return sorted(
        (d.key, d.start, d.end, d.status, d.basis, d.evidence, d.notes, d.steps)
        for d in ctx.store.deadlines(include_all=True)
    )


def _decision(ctx: Context) -> Any:
    (d,) = [
        d for d in ctx.store.deadlines(include_all=True) if d.key.endswith("commission-decision")
    ]
    return d


def _story(ctx: Context, tmp_path: Path, server: Server, agency_first: bool) -> None:
    _company(ctx, tmp_path, "1.txt", VALIDATED, NOW - timedelta(days=170))
    if agency_first:
        _agency(ctx, server, OCTOBER, NOW)
        _company(ctx, tmp_path, "2.txt", OPINION, NOW + timedelta(hours=1))
    else:
        _company(ctx, tmp_path, "2.txt", OPINION, NOW)
        _agency(ctx, server, OCTOBER, NOW + timedelta(hours=1))


@pytest.mark.parametrize("agency_first", [False, True], ids=["company-first", "agency-first"])
def test_agency_date_wins_and_meets_the_opinion(
    home_ctx: Context, tmp_path: Path, server: Server, agency_first: bool
) -> None:
    ctx = home_ctx
    _story(ctx, tmp_path, server, agency_first)
    d = _decision(ctx)
    # The agency's date (the plenary's last day) wins over the company's (its release date).
    assert d.start == d.end == date(2025, 10, 16) + timedelta(days=67)
    trigger = next(s.text for s in d.steps if s.label == "trigger")
    assert "agency document " + server.base + "/chmp-highlights-october-2025" in trigger
    assert "the company's release of 2025-10-17 said 2025-10-17" in trigger
    (opinion,) = [x for x in ctx.store.deadlines(include_all=True) if x.key.endswith("/stated")]
    assert opinion.status == "met", opinion
    assert any(
        "met: opinion positive on 2025-10-16, agency document" in n for n in opinion.notes
    ), opinion.notes
    # Zelvoran (another company's, a similar name) is no procedure of ours: listed unmatched.
    from tracker.store.agency import unmatched

    with ctx.store.session() as s:
        left = {u.product for u in unmatched(s)}
    assert left == {"Zelvoran", "Nopexa"}


def test_either_order_ends_in_the_same_state(
    settings: Any, packs: Any, tmp_path: Path, server: Server
) -> None:
    states = []
    for agency_first in (False, True):
        home = tmp_path / f"order-{agency_first}"
        tracker = settings.tracker.model_copy(update={"home": str(home)})
        ctx = open_context(settings.model_copy(update={"tracker": tracker}), NOW)
        try:
            _story(ctx, home, server, agency_first)
            states.append(_state(ctx))
        finally:
            ctx.store.close()
    assert states[0] == states[1]
    assert len(states[0]) >= 5


def test_silence_moves_the_expected_opinion_to_the_next_plenary(
    ctx: Context, tmp_path: Path, server: Server
) -> None:
    _company(ctx, tmp_path, "1.txt", VALIDATED, NOW - timedelta(days=170))
    before = {d.key: d for d in ctx.store.deadlines(include_all=True)}
    stated = next(k for k in before if k.endswith("/stated"))
    assert (before[stated].start, before[stated].end) == (date(2025, 10, 1), date(2025, 12, 31))
    _agency(ctx, server, SILENT_OCTOBER, NOW)
    d = ctx.store.deadline(stated)
    assert d is not None
    assert (d.start, d.end, d.status) == (date(2025, 11, 10), date(2025, 11, 13), "open")
    assert (
        "not in the CHMP highlights of 13-16 October 2025: moved to the plenary of "
        "10-13 November 2025"
    ) in d.notes
    # The opinion arrives in November's highlights: met, with the agency's document.
    november = highlights_list(
        "10-13 November 2025",
        [("Positive opinions on new medicines", [("Zelvora", "tovaprimab", COMPANY, "for CSU")])],
    )
    server.add("/chmp-highlights-november-2025", november)
    server.add(
        "/news.xml",
        listing_rss(
            server.base,
            [
                ("/chmp-highlights-november-2025", "Meeting highlights November"),
                ("/chmp-highlights-october-2025", "Meeting highlights October"),
            ],
        ),
        **{"Content-Type": "application/rss+xml"},
    )
    source = EmaHighlightsSource("ema", server.base + "/news.xml", _http())
    ingest_source(ctx, source, NOW + timedelta(days=25), force=True)
    d = ctx.store.deadline(stated)
    assert d is not None and d.status == "met"
    assert any("agency document" in n and "november" in n for n in d.notes)
    assert _decision(ctx).end == date(2025, 11, 13) + timedelta(days=67)


def test_silence_counts_for_a_procedure_created_after_the_highlights(
    ctx: Context, tmp_path: Path, server: Server
) -> None:
    _agency(ctx, server, SILENT_OCTOBER, NOW - timedelta(days=1))
    _company(ctx, tmp_path, "1.txt", VALIDATED, NOW)
    d = next(d for d in ctx.store.deadlines(include_all=True) if d.key.endswith("/stated"))
    assert (d.start, d.end) == (date(2025, 11, 10), date(2025, 11, 13))


def test_agency_evidence_reaches_explain_the_feed_and_unmatched_in_sources(
    home_ctx: Context, tmp_path: Path, server: Server
) -> None:
    ctx = home_ctx
    _company(ctx, tmp_path, "1.txt", VALIDATED, NOW - timedelta(days=170))
    _agency(ctx, server, OCTOBER, NOW)
    from tracker.cli import cli
    from tracker.ical import build_calendar

    home = str(ctx.settings.home)
    key = _decision(ctx).key
    out = CliRunner().invoke(cli, ["--home", home, "explain", key]).output
    assert "agency document" in out and "EMA, CHMP meeting highlights of 13-16" in out
    feed = build_calendar(ctx.store.deadlines(include_all=True))
    assert "agency document" in feed.replace("\r\n ", "")
    out = CliRunner().invoke(cli, ["--home", home, "sources"]).output
    assert "unmatched ema: Nopexa" in out


def test_dashboard_sources_page_lists_unmatched_items(
    home_ctx: Context, tmp_path: Path, server: Server
) -> None:
    from fastapi.testclient import TestClient

    from tracker.store.users import Users
    from tracker.web import make_app
    from tracker.web.auth import hash_password

    from .test_dashboard import PASSWORD, sign_in

    ctx = home_ctx
    _company(ctx, tmp_path, "1.txt", VALIDATED, NOW - timedelta(days=170))
    _agency(ctx, server, OCTOBER, NOW)
    Users(ctx.store).add("vera", "viewer", hash_password(PASSWORD), NOW)
    client = sign_in(TestClient(make_app(ctx.store, ctx.settings, ctx)), "vera")
    page = client.get("/sources").text
    assert "Agency items not matched to a procedure" in page
    assert "Nopexa" in page and "Zelvoran" in page
    assert "no tracked procedure has this product name" in page


def test_either_order_on_postgres_ends_as_on_sqlite(
    settings: Any, pg_url: str, tmp_path: Path, server: Server
) -> None:
    states = []
    for agency_first, url in ((False, ""), (True, pg_url)):
        home = tmp_path / f"db-{agency_first}"
        tracker = settings.tracker.model_copy(update={"home": str(home)})
        store = settings.store.model_copy(update={"url": url})
        ctx = open_context(settings.model_copy(update={"tracker": tracker, "store": store}), NOW)
        try:
            _story(ctx, home, server, agency_first)
            with ctx.store.session() as s:
                from tracker.store.agency import unmatched

                left = sorted(u.product for u in unmatched(s))
            states.append((_state(ctx), left))
        finally:
            ctx.store.close()
    assert states[0] == states[1]
