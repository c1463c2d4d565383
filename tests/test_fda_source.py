"""The FDA's own word against a real HTTP server on 127.0.0.1: Federal Register API listings
(JSON) and full texts, the advisory committee calendar and its meeting pages; conditional
GET, 404, 5xx with backoff, malformed listings and notices quarantined with the reason."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from tracker.pipeline import Context, ingest_source
from tracker.settings import HttpSection, SourceSettings
from tracker.sources import SOURCE_TYPES
from tracker.sources.fda import (
    FEDERAL_REGISTER,
    FdaCalendarSource,
    FederalRegisterSource,
    MalformedNotice,
    meeting_days,
    notice_kind,
    product_of,
    read_notice,
)

from .fda_pages import (
    OTHER,
    calendar_page,
    listing,
    meeting_notice,
    meeting_page,
    result,
    several_withdrawals_notice,
    voucher_notice,
    withdrawal_notice,
)
from .test_sources import Server

NOW = datetime(2026, 2, 11, 9, tzinfo=UTC)
ODAC = "Oncologic Drugs Advisory Committee"
AGENDA = (
    "On March 5, 2026, the committee will discuss new drug application (NDA) 219876, for "
    "ZELVORA (tovaprimab) tablets, submitted by Acme Pharma Inc., for the proposed treatment "
    "of adults with relapsed lymphoma. On March 6, 2026, the committee will discuss biologics "
    "license application (BLA) 761990, for corvimab injection, for intravenous use, sponsored "
    "by Corvid Bio Ltd, for the treatment of gastric cancer."
)


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


def _http(**over: Any) -> HttpSection:
    return HttpSection(**{"timeout_seconds": 2.0, "requests_per_second": 1000.0, **over})


def _meeting(title: str = f"{ODAC}; Notice of Meeting") -> tuple[str, str]:
    return title, meeting_notice(ODAC, "March 5 and 6, 2026", AGENDA)


def test_a_meeting_notice_dates_each_application_by_its_session() -> None:
    title, text = _meeting()
    doc = read_notice(FEDERAL_REGISTER, "2026-01234", title, text, date(2026, 2, 10))
    assert (doc.start, doc.end) == (date(2026, 3, 5), date(2026, 3, 6))
    got = [(i.type, i.product, i.substance, i.applicant, i.date) for i in doc.items]
    assert got == [
        ("advisory_meeting", "ZELVORA", "tovaprimab", "Acme Pharma Inc", date(2026, 3, 5)),
        ("advisory_meeting", "corvimab", "corvimab", "Corvid Bio Ltd", date(2026, 3, 6)),
    ]
    first = doc.items[0].evidence
    assert first.startswith(f"FDA, Federal Register, {ODAC}; Notice of Meeting: ")
    assert "for ZELVORA (tovaprimab) tablets, submitted by Acme Pharma Inc." in first


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("DATES: The meeting will be held on March 5, 2026.", (date(2026, 3, 5),) * 2),
        ("DATES: The meeting will be held March 5-6, 2026.", (date(2026, 3, 5), date(2026, 3, 6))),
        (
            "DATES: The meeting will be held on March 31 and April 1, 2026.",
            (date(2026, 3, 31), date(2026, 4, 1)),
        ),
        (
            "SUMMARY: A meeting on May 2, 2026. DATES: The meeting was first announced for May 2,"
            " 2026. Notice is given that the meeting will now be held on May 9, 2026.",
            (date(2026, 5, 9),) * 2,
        ),
        ("DATES: The meeting will be held on March 6-5, 2026.", None),
        ("DATES: To be announced.", None),
    ],
    ids=["one-day", "two-days", "two-months", "amended", "reversed", "none"],
)
def test_meeting_days(text: str, days: tuple[date, date] | None) -> None:
    assert meeting_days(text) == days


@pytest.mark.parametrize(
    ("what", "expected"),
    [
        ("ZELVORA (tovaprimab) tablets", ("ZELVORA", "tovaprimab")),
        ("tovaprimab injection, for subcutaneous use", ("tovaprimab", "tovaprimab")),
        ("tovaprimab tablets, proposed trade name Zelvora", ("Zelvora", "tovaprimab")),
        (
            "Halventi Duo (halventide and insulin) injection",
            ("Halventi Duo", "halventide and insulin"),
        ),
        ("fjordamab-abcd for injection", ("fjordamab-abcd", "fjordamab-abcd")),
    ],
)
def test_product_and_substance_of_an_application(what: str, expected: tuple[str, str]) -> None:
    assert product_of(what) == expected


def test_withdrawal_and_voucher_notices() -> None:
    title, text = withdrawal_notice("Grayson Inc.", "OXALIRA (oxalirate) Tablets", "March 20, 2026")
    (w,) = read_notice(FEDERAL_REGISTER, "w", title, text, None).items
    assert (w.type, w.product, w.substance, w.applicant, w.date) == (
        "withdrawal",
        "OXALIRA",
        "oxalirate",
        "Grayson Inc",
        date(2026, 3, 20),
    )
    title, text = voucher_notice(
        "PFENVIA (pfenvisiran) injection", "Pfenning Inc.", "January 9, 2026"
    )
    (a,) = read_notice(FEDERAL_REGISTER, "v", title, text, None).items
    assert (a.type, a.product, a.applicant, a.date) == (
        "approval",
        "PFENVIA",
        "Pfenning Inc",
        date(2026, 1, 9),
    )
    title, text = voucher_notice("PFENVIA (pfenvisiran) injection", "Pfenning Inc.", None)
    doc = read_notice(FEDERAL_REGISTER, "v2", title, text, None)
    assert doc.items == () and doc.skipped == ("PFENVIA: the approval's date is not stated",)


def test_a_notice_withdrawing_several_applications_gives_one_item_per_row() -> None:
    title, text = several_withdrawals_notice("April 2, 2026")
    doc = read_notice(FEDERAL_REGISTER, "w3", title, text, None)
    got = [(i.type, i.product, i.substance, i.applicant, i.date) for i in doc.items]
    assert got == [
        ("withdrawal", "QUELVARA", "quelvamide", "Halvern Pharma LLC", date(2026, 4, 2)),
        (
            "withdrawal",
            "Dorvista",
            "dorvistatin calcium",
            "Brightwell Laboratories Inc",
            date(2026, 4, 2),
        ),
        ("withdrawal", "tevraclimab", "tevraclimab", "Orrin Biologics Corp", date(2026, 4, 2)),
    ]
    assert all(i.evidence.startswith("FDA, Federal Register, ") for i in doc.items)
    assert (
        "NDA 021977" in doc.items[1].evidence
        and "withdrawn as of April 2, 2026" in doc.items[1].evidence
    )


def test_a_several_applications_withdrawal_without_a_readable_table_is_malformed() -> None:
    title, text = several_withdrawals_notice("April 2, 2026")
    flat = " ".join(text.split("-" * 78)[0].split())  # the summary only, no table
    with pytest.raises(MalformedNotice, match="table of applications could not be read"):
        read_notice(FEDERAL_REGISTER, "w4", title, flat, None)


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        (f"{ODAC}; Notice of Meeting", "meeting"),
        (f"{ODAC}; Amendment of Notice", "meeting"),
        (f"{ODAC}; Cancellation of Meeting", None),
        ("Agency Information Collection Activities; Proposed Collection", None),
        ("Acme Inc.; Withdrawal of Approval of a New Drug Application for X", "withdrawal"),
        (
            "Acme Inc., et al.; Withdrawal of Approval of 12 Abbreviated New Drug Applications",
            "withdrawal",
        ),
        ("Issuance of Priority Review Voucher; Rare Pediatric Disease Product", "voucher"),
    ],
)
def test_which_titles_are_read(title: str, kind: str | None) -> None:
    assert notice_kind(title) == kind


def test_a_meeting_notice_without_a_date_is_malformed() -> None:
    text = meeting_notice(ODAC, "a day to be announced", AGENDA).replace("March 5, 2026", "")
    text = text.replace("March 6, 2026", "")
    with pytest.raises(MalformedNotice, match="no meeting date"):
        read_notice(FEDERAL_REGISTER, "x", f"{ODAC}; Notice of Meeting", text, None)


def _listing(server: Server, results: list[dict[str, Any]], **headers: str) -> str:
    server.add(
        "/api/v1/documents.json",
        listing(results),
        **{"Content-Type": "application/json", **headers},
    )
    return server.base + "/api/v1/documents.json"


def test_listing_conditional_get_and_only_the_fda_notices_it_reads(
    ctx: Context, server: Server
) -> None:
    title, text = _meeting()
    server.add("/text/2026-01234", text, **{"Content-Type": "text/plain"})
    url = _listing(
        server,
        [
            result(server.base, "2026-01234", title),
            result(server.base, "2026-01300", "Agency Information Collection Activities"),
            result(server.base, "2026-01301", f"{ODAC}; Notice of Meeting", agencies=[OTHER]),
            {  # no agencies listed (the query chose them): read
                k: v for k, v in result(server.base, "2026-01302", title).items() if k != "agencies"
            },
        ],
        ETag='"v1"',
    )
    cfg = SourceSettings(id="fr", type="federal-register", url=url)
    source = SOURCE_TYPES["federal-register"](cfg, type("S", (), {"http": _http()})())  # type: ignore[arg-type]
    assert isinstance(source, FederalRegisterSource)
    server.add("/text/2026-01302", text.replace("March 5 and 6", "April 2 and 3").replace(
        "March 5, 2026", "April 2, 2026").replace("March 6, 2026", "April 3, 2026"))  # fmt: skip
    first = ingest_source(ctx, source, NOW)
    assert (first.new, first.failed) == (2, 0), first.errors
    # Neither the other agency's notice nor the unread kind had its text fetched.
    assert sorted(p for p, _ in server.hits) == [
        "/api/v1/documents.json",
        "/text/2026-01234",
        "/text/2026-01302",
    ]
    from tracker.store.agency import unmatched

    with ctx.store.session() as s:
        listed = [(u.source_id, u.product, u.type, u.reason) for u in unmatched(s)]
    left = listed[2:]  # newest meeting first: April's two, then March's (the same agenda)
    assert listed[:2] == left and left == [
        (
            "fr",
            "ZELVORA",
            "advisory_meeting",
            "no tracked procedure has this product name or active substance",
        ),
        (
            "fr",
            "corvimab",
            "advisory_meeting",
            "no tracked procedure has this product name or active substance",
        ),
    ]

    def not_modified(handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        assert handler.headers["If-None-Match"] == '"v1"'
        return 304, {}, b""

    server.routes["/api/v1/documents.json"] = not_modified
    hits = len(server.hits)
    second = ingest_source(ctx, source, NOW + timedelta(hours=1))
    assert (second.new, second.failed) == (0, 0) and len(server.hits) == hits + 1


def test_texts_missing_failing_or_malformed(ctx: Context, server: Server) -> None:
    title, text = _meeting()
    server.add("/text/busy", b"busy", status=502)
    server.add("/text/undated", text.replace("March 5 and 6, 2026", "a day to be set").replace(
        "On March 5, 2026, ", "").replace("On March 6, 2026, ", ""))  # fmt: skip
    url = _listing(
        server,
        [
            result(server.base, "gone", title),
            result(server.base, "busy", title, text_path="/text/busy"),
            result(server.base, "undated", title, text_path="/text/undated"),
            {"title": "A result without its number"},
        ],
    )
    source = FederalRegisterSource("fr", url, _http())
    report = ingest_source(ctx, source, NOW)
    assert report.failed == 3, report.errors  # 404, undated, numberless; 502 waits
    reasons = {q.external_id: q.reason for q in ctx.store.quarantined("fr")}
    assert "HTTP 404" in reasons["gone"]
    assert "undated: no meeting date in the notice" in reasons["undated"]
    assert any("has no document_number or title" in r for r in reasons.values())
    assert "busy" not in reasons
    tries = lambda: sum(p == "/text/busy" for p, _ in server.hits)  # noqa: E731
    ingest_source(ctx, source, NOW + timedelta(minutes=2), force=True)
    assert tries() == 1  # waiting 5 minutes
    ingest_source(ctx, source, NOW + timedelta(minutes=6), force=True)
    assert tries() == 2
    ingest_source(ctx, source, NOW + timedelta(minutes=30), force=True)
    assert tries() == 3
    assert (
        "HTTP 502 (tried 3 times)"
        in {q.external_id: q.reason for q in ctx.store.quarantined("fr")}["busy"]
    )
    # Quarantined: not fetched again until `tracker sources retry`, which reads it.
    server.add("/text/busy", text, **{"Content-Type": "text/plain"})
    assert ingest_source(ctx, source, NOW + timedelta(hours=2), force=True).new == 0
    assert tries() == 3
    from tracker.retry import retry_quarantined

    ctx.settings.sources.append(SourceSettings(id="fr", type="federal-register", url=url))
    report = retry_quarantined(ctx, "fr:busy", NOW + timedelta(hours=3))
    assert report.new == 1, report.errors
    assert "busy" not in {q.external_id for q in ctx.store.quarantined("fr")}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html>maintenance</html>", "not JSON"),
        (json.dumps({"results": "none"}).encode(), "not a Federal Register documents listing"),
    ],
)
def test_a_bad_listing_fails_the_run_and_backs_off(
    ctx: Context, server: Server, body: bytes, reason: str
) -> None:
    server.add("/api/v1/documents.json", body, **{"Content-Type": "application/json"})
    source = FederalRegisterSource("fr", server.base + "/api/v1/documents.json", _http())
    report = ingest_source(ctx, source, NOW)
    assert report.failed == 1 and reason in report.errors[0]
    state = ctx.store.source_state("fr")
    assert state.next_run is not None and state.next_run > NOW


def test_listing_5xx_and_timeouts_are_errors(ctx: Context, server: Server) -> None:
    server.add("/api/v1/documents.json", b"down", status=503)
    source = FederalRegisterSource("fr", server.base + "/api/v1/documents.json", _http())
    assert "HTTP 503" in ingest_source(ctx, source, NOW).errors[0]
    server.routes["/slow.json"] = "hang"
    slow = FederalRegisterSource("slow", server.base + "/slow.json", _http(timeout_seconds=0.5))
    assert "timed out" in ingest_source(ctx, slow, NOW).errors[0]


def test_advisory_committee_calendar_pages(ctx: Context, server: Server) -> None:
    server.add(
        "/advisory-committees/march-12-2026-meeting-announcement",
        meeting_page(
            "March 12, 2026: Cellular, Tissue, and Gene Therapies Advisory Committee Meeting "
            "Announcement",
            "The committee will discuss biologics license application 125799 for HALVENTI "
            "(halventagene autotemcel) suspension for intravenous infusion, submitted by "
            "Dunmore plc, for the treatment of sickle cell disease.",
        ),
    )
    server.add(
        "/advisory-committees/undated-meeting-announcement",
        "<html><body><h1>Meeting Announcement</h1><p>Details to come.</p></body></html>",
    )
    server.add(
        "/calendar",
        calendar_page(
            [
                ("/advisory-committees/march-12-2026-meeting-announcement", "March 12 meeting"),
                ("/advisory-committees/undated-meeting-announcement", "A meeting"),
            ]
        ),
    )
    cfg = SourceSettings(id="adcomm", type="fda-adcomm", url=server.base + "/calendar")
    source = SOURCE_TYPES["fda-adcomm"](cfg, type("S", (), {"http": _http()})())  # type: ignore[arg-type]
    assert isinstance(source, FdaCalendarSource)
    report = ingest_source(ctx, source, NOW)
    assert (report.new, report.failed) == (1, 1), report.errors
    assert "/about-us/contact" not in [p for p, _ in server.hits]
    (q,) = ctx.store.quarantined("adcomm")
    assert "no meeting date" in q.reason
    from tracker.store.agency import unmatched

    with ctx.store.session() as s:
        (u,) = unmatched(s)
    assert (u.product, u.substance, u.applicant, u.type) == (
        "HALVENTI",
        "halventagene autotemcel",
        "Dunmore plc",
        "advisory_meeting",
    )
