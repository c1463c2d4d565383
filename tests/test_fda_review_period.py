"""The FDA's regulatory review period determinations (Federal Register notices for patent
term extension): the day a product's application was first submitted and the day it was
approved, as the FDA determined them. Read, fetched from 127.0.0.1 with the failures the
other notices have, matched precision first (40 determinations, 80 items: similar names,
one brand of two companies, a patent owner who is not the company, code names and aliases),
and the story with the company's releases in either order. Notices written for the tests:
our own words; products and companies invented."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tracker.agency import ingest_document
from tracker.domain import RawItem
from tracker.pipeline import Context, file_item, ingest_item, ingest_source, open_context
from tracker.settings import HttpSection
from tracker.sources.fda import (
    FEDERAL_REGISTER,
    FederalRegisterSource,
    MalformedNotice,
    notice_kind,
    read_notice,
)

from .agency_helpers import track
from .fda_pages import listing, result, review_period_notice
from .test_fda_match import ALIASES, PROCEDURES, key
from .test_sources import Server

NOW = datetime(2026, 2, 11, 9, tzinfo=UTC)
HEAD = "Determination of Regulatory Review Period for Purposes of Patent Extension"


def _read(product: str, what: str, owner: str | None, sub: str | None, appr: str | None,
          **kw: Any) -> Any:  # fmt: skip
    title, text = review_period_notice(product, what, owner, sub, appr, **kw)
    return read_notice(FEDERAL_REGISTER, "2026-03001", title, text, date(2026, 2, 10))


def test_a_determination_gives_the_submission_and_the_approval_as_fda_dates_them() -> None:
    doc = _read("HALVENTI", "HALVENTI (halventide)", "Dunmore Inc.", "May 3, 2024",
                "March 7, 2025", claim="April 29, 2024")  # fmt: skip
    got = [(i.type, i.outcome, i.product, i.substance, i.applicant, i.date) for i in doc.items]
    # The FDA's date of the submission, not the one the applicant claimed.
    assert got == [
        ("submission", None, "HALVENTI", "halventide", "Dunmore Inc", date(2024, 5, 3)),
        ("approval", "positive", "HALVENTI", "halventide", "Dunmore Inc", date(2025, 3, 7)),
    ]
    sub, appr = doc.items
    assert sub.evidence == (
        f"FDA, Federal Register, {HEAD}; HALVENTI: The date the application was initially "
        "submitted with respect to the human drug product under section 505(b) of the FD&C "
        "Act: May 3, 2024."
    )
    assert appr.evidence.endswith("HALVENTI: The date the application was approved: March 7, 2025.")
    assert doc.skipped == () and (doc.start, doc.end) == (None, None)


def test_the_title_may_name_the_substance_and_the_text_names_none() -> None:
    title, text = review_period_notice(
        "TENVEXA (tenvexin) Tablets", "TENVEXA", "Eastgate Inc.", "June 2, 2023", "April 1, 2024"
    )
    doc = read_notice(FEDERAL_REGISTER, "t", title, text, None)
    assert {(i.product, i.substance) for i in doc.items} == {("TENVEXA", "tenvexin")}
    # The patent's number in parentheses is no substance.
    title, text = review_period_notice("OXALIRA", "OXALIRA", "Grayson Inc.", "June 2, 2023", None)
    (only,) = read_notice(FEDERAL_REGISTER, "o", title, text, None).items
    assert (only.type, only.product, only.substance) == ("submission", "OXALIRA", None)


def test_a_missing_date_is_skipped_and_a_determination_without_either_is_malformed() -> None:
    doc = _read("PFENVIA", "PFENVIA (pfenvisiran)", "Pfenning Inc.", None, "January 9, 2026")
    assert [i.type for i in doc.items] == ["approval"]
    assert doc.skipped == ("PFENVIA: the date of its submission is not stated",)
    with pytest.raises(MalformedNotice, match="no submission or approval date"):
        _read("PFENVIA", "PFENVIA (pfenvisiran)", "Pfenning Inc.", None, None)
    with pytest.raises(MalformedNotice, match="the approval precedes the submission"):
        _read("PFENVIA", "PFENVIA (pfenvisiran)", "Pfenning Inc.", "May 3, 2025", "May 2, 2024")
    with pytest.raises(MalformedNotice, match="names no product"):
        read_notice(FEDERAL_REGISTER, "x", f"{HEAD}", "No product here.", None)
    # Without the patent owner the items are read, with no applicant (matched to nothing).
    doc = _read("PFENVIA", "PFENVIA (pfenvisiran)", None, "May 3, 2024", "May 2, 2025")
    assert {i.applicant for i in doc.items} == {None}


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        (f"{HEAD}; ZELVORA", "review-period"),
        ("Determination of Regulatory Review Period for Purpose of Patent Extension; X", "review-period"),
        ("Acme Inc.; Proposal To Withdraw Approval of a New Drug Application; Opportunity for a "
         "Hearing", None),
        ("Notice of Opportunity for Hearing on a Proposal to Refuse to Approve a Biologics "
         "License Application for ZELVORA", None),
        ("Determination That ZELVORA (tovaprimab) Tablets, 10 Milligrams, Was Not Withdrawn "
         "From Sale for Reasons of Safety or Effectiveness", None),
        ("Acme Inc.; Withdrawal of Approval of a New Drug Application for X", "withdrawal"),
    ],
    ids=["review-period", "purpose", "nooh-withdraw", "nooh-refuse", "not-withdrawn", "withdrawal"],
)  # fmt: skip
def test_which_product_notices_are_read(title: str, kind: str | None) -> None:
    assert notice_kind(title) == kind


# --- fetched from 127.0.0.1 ---


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


def _http() -> HttpSection:
    return HttpSection(timeout_seconds=2.0, requests_per_second=1000.0)


def test_fetched_determinations_and_the_failures_of_their_texts(
    ctx: Context, server: Server
) -> None:
    title, text = review_period_notice(
        "HALVENTI", "HALVENTI (halventide)", "Dunmore Inc.", "May 3, 2024", "March 7, 2025"
    )
    undated_title, undated = review_period_notice("ORTIZEN", "ORTIZEN", "Lumen Oncology Inc.",
                                                  None, None)  # fmt: skip
    plain = {"Content-Type": "text/plain"}
    server.add("/text/good", text, **plain)
    server.add("/text/undated", undated, **plain)
    server.add("/text/busy", b"busy", status=503)
    nooh = "Acme Inc.; Proposal To Withdraw Approval of an Application; Opportunity for a Hearing"
    gone = f"{HEAD}; RAVULTA"
    server.add(
        "/api/v1/documents.json",
        listing(
            [
                result(server.base, "good", title),
                result(server.base, "undated", undated_title),
                result(server.base, "busy", title),
                result(server.base, "gone", gone),
                result(server.base, "nooh", nooh),
            ]
        ),
        **{"Content-Type": "application/json"},
    )
    source = FederalRegisterSource("fr", server.base + "/api/v1/documents.json", _http())
    report = ingest_source(ctx, source, NOW)
    assert (report.new, report.failed) == (1, 2), report.errors
    reasons = {q.external_id: q.reason for q in ctx.store.quarantined("fr")}
    assert "HTTP 404" in reasons["gone"]
    assert "undated: no submission or approval date in the determination" in reasons["undated"]
    assert "busy" not in reasons
    assert "/text/nooh" not in [p for p, _ in server.hits]  # a proposal is not fetched
    from tracker.store.agency import unmatched

    with ctx.store.session() as s:
        left = [(u.product, u.type, u.applicant) for u in unmatched(s)]
    assert left == [
        ("HALVENTI", "submission", "Dunmore Inc"),
        ("HALVENTI", "approval", "Dunmore Inc"),
    ]
    # The 503 is tried again 5 minutes later; answered then, it is read.
    server.add("/text/busy", text.replace("May 3, 2024", "May 9, 2024"), **plain)
    ingest_source(ctx, source, NOW + timedelta(minutes=2), force=True)
    assert sum(p == "/text/busy" for p, _ in server.hits) == 1
    later = ingest_source(ctx, source, NOW + timedelta(minutes=6), force=True)
    assert (later.new, later.failed) == (1, 0), later.errors
    # Fetched once in that run (not again as a listing entry), the quarantined malformed
    # one not at all after its first reading.
    assert sum(p == "/text/busy" for p, _ in server.hits) == 2
    assert sum(p == "/text/undated" for p, _ in server.hits) == 1
    from tracker.retry import retry_quarantined
    from tracker.settings import SourceSettings

    url = server.base + "/api/v1/documents.json"
    ctx.settings.sources.append(SourceSettings(id="fr", type="federal-register", url=url))
    server.add("/text/undated", undated.replace("HHS.", "HHS. The date the application was "
               "approved: April 1, 2024."), **plain)  # fmt: skip
    assert retry_quarantined(ctx, "fr:undated", NOW + timedelta(hours=1)).new == 1
    assert "undated" not in {q.external_id for q in ctx.store.quarantined("fr")}


# --- matching, precision first ---

UNIVERSITY = "Regents of the University of Northfield"
# (the title's product, the text's "NAME (substance)", the patent owner, the procedure)
DETERMINATIONS: list[tuple[str, str, str | None, str | None]] = [
    ("ZELVORA", "ZELVORA (zelvotinib)", "Acme Pharma Inc.", key("Acme Pharma Inc.", "Zelvora")),
    ("ZELVORA", "ZELVORA (zelvotinib)", "Acme Pharma USA Inc.", key("Acme Pharma Inc.", "Zelvora")),
    ("ZELVORAN", "ZELVORAN (zelvoranide)", "Acme Pharma Inc.", key("Acme Pharma Inc.", "Zelvoran")),
    ("ZELVORIX", "ZELVORIX (zelvorixib)", "Acme Pharma Inc.", None),
    ("ZELVORA DUO", "ZELVORA DUO (zelvotinib and metformin)", "Acme Pharma Inc.", None),
    ("ZELV", "ZELV (zelvotinib)", "Acme Pharma Inc.", None),
    ("SELVORA", "SELVORA (selvoratide)", "Sigma Inc.", None),
    ("ZELVORA", "ZELVORA (zelvotinib)", "Zel Generics LLC", None),
    ("ZELVORA", "ZELVORA (zelvotinib)", None, None),  # no patent owner named
    ("ZELVORA", "ZELVORA (zelvotinib)", UNIVERSITY, None),  # the owner is a licensor
    ("HALVENTI DUO", "HALVENTI DUO (halventide and insulin)", "Dunmore Inc.",
     key("Dunmore Inc.", "Halventi Duo")),
    ("HALVENTI", "HALVENTI (halventide)", "Dunmore Inc.", key("Dunmore Inc.", "Halventi")),
    ("HALVENTI TRIO", "HALVENTI TRIO (halventide)", "Dunmore Inc.", None),
    ("TENVEXA", "TENVEXA (tenvexin)", "Borealis Therapeutics Inc.",
     key("Borealis Therapeutics Inc.", "Tenvexa")),
    ("TENVEXA", "TENVEXA (tenvexin)", "Eastgate Inc.", key("Eastgate Inc.", "Tenvexa")),
    ("TENVEXA", "TENVEXA (tenvexin)", "Westgate Pharma LLC", None),
    ("TENVEXA", "TENVEXA (tenvexin)", None, None),  # one brand, two companies: neither
    ("TENVEX", "TENVEX (tenvexin)", "Borealis Therapeutics Inc.", None),
    ("CORVEXA", "CORVEXA (corvimab)", "Corvid Bio Inc.", key("Corvid Bio Inc.", "CVB-101")),
    ("CVB-101", "CVB-101 (corvimab)", "Corvid Bio Inc.", key("Corvid Bio Inc.", "CVB-101")),
    ("CORVISIM", "CORVISIM (corvimab-xyza)", "Sandoz Inc.", None),
    ("FJORDIVA", "FJORDIVA (fjordamab)", "Fjord Biologics Inc.",
     key("Fjord Biologics Inc.", "fjordamab")),
    ("FJORDAMAB BIOSIM", "FJORDAMAB BIOSIM (fjordamab)", "Biosim Inc.", None),
    ("OXALIRA", "OXALIRA (oxaliratide)", "Grayson Inc.", key("Grayson Inc.", "Oxalira")),
    ("OXALIRA XR", "OXALIRA XR (oxaliratide)", "Grayson Inc.", None),
    ("OXALIRA", "OXALIRA (oxalirumab)", "Oxa Biotech Inc.", None),
    ("RAVULIX", "RAVULIX (ravultamab)", "Kestrel Pharma Inc.", key("Kestrel Pharma Inc.", "Ravulta")),
    ("RAVULTA", "RAVULTA (ravultamab)", "Kestrel Pharma Inc.", key("Kestrel Pharma Inc.", "Ravulta")),
    ("RAVULTA", "RAVULTA (ravultamab)", "Someone Else LLC", None),
    ("VITAGLU", "VITAGLU (vitaglutide)", "Novo Vita Inc.", None),  # another brand
    ("WEGARIA", "WEGARIA (vitaglutide)", "Novo Vita Inc.", key("Novo Vita Inc.", "Wegaria")),
    ("PFENVIA", "PFENVIA (pfenviratide)", "Pfenning Biotech GmbH", key("Pfenning Inc.", "Pfenvia")),
    ("PEMVIRA", "PEMVIRA (pemvirasib)", "Ivory Labs Inc.", key("Ivory Labs Inc.", "Pemvira")),
    ("PEMVIRO", "PEMVIRO (pemvirostat)", "Juniper Health Inc.", key("Juniper Health Inc.", "Pemviro")),
    ("PEMVIRA", "PEMVIRA (pemvirasib)", "Juniper Health Inc.", None),  # the neighbour's name
    ("ORTIZEN", "ORTIZEN (ortizumab)", "Lumen Oncology Inc.", key("Lumen Oncology Inc.", "Ortizen")),
    ("ORTIZENE", "ORTIZENE (ortizenib)", "Lumen Oncology Inc.", None),
    ("HLX-7", "HLX-7 (helixostat)", "Helix Genomics Inc.", key("Helix Genomics Inc.", "HLX-7")),
    ("HELISTAT", "HELISTAT (helixostat)", "Generic Co LLC", None),
    ("BRINVATA", "BRINVATA (brinvatib)", "Nimbus Inc.", None),
]  # fmt: skip


def test_eighty_items_none_attached_to_a_wrong_procedure(ctx: Context) -> None:
    from sqlmodel import Session, col, select

    from tracker.store.tables import AgencyDocumentRow, AgencyItemRow

    track(ctx, PROCEDURES, ALIASES, NOW)
    for i, (product, what, owner, _want) in enumerate(DETERMINATIONS):
        title, text = review_period_notice(product, what, owner, "May 3, 2021", "March 7, 2022")
        doc = read_notice(FEDERAL_REGISTER, f"2026-04{i:03}", title, text, date(2026, 2, 10))
        assert [x.type for x in doc.items] == ["submission", "approval"]
        url = f"http://127.0.0.1/documents/rrp-{i}"
        ingest_document(
            ctx, RawItem("fr", f"rrp-{i}", f"rrp-{i}.json", b"{}", NOW, url=url), doc, NOW
        )
    with Session(ctx.store.engine) as s:
        rows = s.exec(
            select(AgencyItemRow, AgencyDocumentRow).join(
                AgencyDocumentRow, col(AgencyItemRow.document_id) == col(AgencyDocumentRow.id)
            )
        ).all()
        got = [(d.ref, i.type, i.procedure_key, i.reason) for i, d in rows]
    assert len(got) == 2 * len(DETERMINATIONS) >= 80
    wanted = {f"http://127.0.0.1/documents/rrp-{i}": w for i, (*_x, w) in enumerate(DETERMINATIONS)}
    wrong = [(ref, k) for ref, _t, k, _r in got if k is not None and k != wanted[ref]]
    assert wrong == []  # precision: nothing attached to a wrong procedure
    missed = [ref for ref, _t, k, _r in got if wanted[ref] and k is None]
    assert missed == []  # and every determination of ours found its procedure
    assert all(r for _ref, _t, k, r in got if k is None)  # each unmatched item says why
    assert not any(k and k.endswith("/eu") for _ref, _t, k, _r in got)
    reason = {wanted_ref: r for wanted_ref, _t, _k, r in got}
    assert (
        "another company, not Regents of the University"
        in reason["http://127.0.0.1/documents/rrp-9"]
    )
    assert "names no applicant" in reason["http://127.0.0.1/documents/rrp-8"]


# --- the story: the company's releases and the determination, in either order ---

SUBMITTED = """Dunmore submits New Drug Application for Halventi

BOSTON, May 6, 2024 -- Dunmore Inc. (Nasdaq: DNMR) today announced that it has submitted a \
New Drug Application (NDA) to the U.S. Food and Drug Administration (FDA) for Halventi \
(halventide) for the treatment of adults with sickle cell disease.
"""
APPROVED = """FDA approves Dunmore's Halventi

BOSTON, March 10, 2025 -- Dunmore Inc. (Nasdaq: DNMR) today announced that the U.S. Food and \
Drug Administration (FDA) approved Halventi (halventide) for adults with sickle cell disease.
"""


def _release(ctx: Context, folder: Path, name: str, text: str, now: datetime) -> None:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    ingest_item(ctx, file_item(path, "inbox", now), now)


def _notice(ctx: Context, server: Server, now: datetime) -> None:
    title, text = review_period_notice(
        "HALVENTI", "HALVENTI (halventide)", "Dunmore Inc.", "May 3, 2024", "March 7, 2025",
        claim="May 6, 2024",
    )  # fmt: skip
    server.add("/text/2026-03100", text, **{"Content-Type": "text/plain"})
    server.add(
        "/api/v1/documents.json",
        listing([result(server.base, "2026-03100", title, published="2026-02-10")]),
        **{"Content-Type": "application/json"},
    )
    source = FederalRegisterSource("fr", server.base + "/api/v1/documents.json", _http())
    report = ingest_source(ctx, source, now, force=True)
    assert report.failed == 0, report.errors


def _story(ctx: Context, folder: Path, server: Server, agency_first: bool) -> None:
    if agency_first:
        _notice(ctx, server, NOW - timedelta(hours=2))
    _release(ctx, folder, "submitted.txt", SUBMITTED, NOW - timedelta(hours=1))
    _release(ctx, folder, "approved.txt", APPROVED, NOW)
    if not agency_first:
        _notice(ctx, server, NOW + timedelta(hours=1))


def _state(ctx: Context) -> list[tuple[Any, ...]]:
    return sorted(
        (d.key, d.start, d.end, d.status, d.basis, d.evidence, d.notes, d.steps)
        for d in ctx.store.deadlines(include_all=True)
    )


@pytest.mark.parametrize("agency_first", [False, True], ids=["company-first", "agency-first"])
def test_the_fda_dates_win_and_the_company_dates_stay_beside_them(
    settings: Any, tmp_path: Path, server: Server, agency_first: bool
) -> None:
    ctx = open_context(settings, NOW)
    try:
        _story(ctx, tmp_path, server, agency_first)
        by_key = {d.key.rsplit("/", 1)[-1]: d for d in ctx.store.deadlines(include_all=True)}
        doc = server.base + "/documents/2026-03100"
        # Day 60 counts from the FDA's submission date (May 3), not the release's (May 6).
        filing = by_key["filing-decision"]
        assert filing.end == date(2024, 7, 2)
        trigger = next(s.text for s in filing.steps if s.label == "trigger")
        assert "agency document " + doc in trigger
        assert "the company's release of 2024-05-06 said 2024-05-06" in trigger
        assert filing.evidence_kind == "agency"
        # The goal date is met by the approval the FDA dates March 7 (the company said 10).
        goal = by_key["pdufa-goal-standard"]
        assert (goal.end, goal.status) == (date(2025, 5, 2), "met")
        assert any(
            n.startswith("met: approval positive on 2025-03-07, agency document " + doc)
            and "the company's release of 2025-03-10 said 2025-03-10" in n
            for n in goal.notes
        ), goal.notes
        from tracker.store.agency import unmatched

        with ctx.store.session() as s:
            assert unmatched(s) == []
    finally:
        ctx.store.close()


def test_either_order_ends_in_the_same_state(settings: Any, tmp_path: Path, server: Server) -> None:
    states = []
    for agency_first in (False, True):
        home = tmp_path / f"order-{agency_first}"
        home.mkdir(parents=True, exist_ok=True)
        tracker = settings.tracker.model_copy(update={"home": str(home)})
        ctx = open_context(settings.model_copy(update={"tracker": tracker}), NOW)
        try:
            _story(ctx, home, server, agency_first)
            states.append(_state(ctx))
        finally:
            ctx.store.close()
    assert states[0] == states[1]
    assert len(states[0]) >= 3


def test_unmatched_determinations_in_tracker_sources_and_the_dashboard(
    settings: Any, tmp_path: Path, server: Server
) -> None:
    from fastapi.testclient import TestClient

    from tracker.cli import cli
    from tracker.store.users import Users
    from tracker.web import make_app
    from tracker.web.auth import hash_password

    from .test_dashboard import PASSWORD, sign_in

    ctx = open_context(settings, NOW)
    try:
        _notice(ctx, server, NOW)  # no procedure of Dunmore's tracked yet
        home = str(ctx.settings.home)
        out = CliRunner().invoke(cli, ["--home", home, "sources"]).output
        line = f"unmatched fr: HALVENTI (halventide, Dunmore Inc), approval positive, {HEAD}"
        assert line in out and "unmatched fr: HALVENTI (halventide, Dunmore Inc), submission" in out
        Users(ctx.store).add("vera", "viewer", hash_password(PASSWORD), NOW)
        client = sign_in(TestClient(make_app(ctx.store, ctx.settings, ctx)), "vera")
        page = client.get("/sources").text
        assert "Agency items not matched to a procedure" in page and "HALVENTI" in page
        _release(ctx, tmp_path, "submitted.txt", SUBMITTED, NOW + timedelta(hours=1))
        out = CliRunner().invoke(cli, ["--home", home, "sources"]).output
        assert "unmatched fr: HALVENTI" not in out  # the release created it: matched
        filing = next(
            d for d in ctx.store.deadlines(include_all=True) if d.key.endswith("filing-decision")
        )
        assert filing.end == date(2024, 7, 2)
    finally:
        ctx.store.close()


def test_either_order_on_postgres_ends_as_on_sqlite(
    settings: Any, pg_url: str, tmp_path: Path, server: Server
) -> None:
    states = []
    for agency_first, url in ((False, ""), (True, pg_url)):
        home = tmp_path / f"db-{agency_first}"
        home.mkdir(parents=True, exist_ok=True)
        tracker = settings.tracker.model_copy(update={"home": str(home)})
        store = settings.store.model_copy(update={"url": url})
        ctx = open_context(settings.model_copy(update={"tracker": tracker, "store": store}), NOW)
        try:
            _story(ctx, home, server, agency_first)
            kinds = sorted((d.key, d.evidence_kind) for d in ctx.store.deadlines(include_all=True))
            states.append((_state(ctx), kinds))
        finally:
            ctx.store.close()
    assert states[0] == states[1]


def test_a_voucher_approval_is_the_same_act_as_the_company_approval() -> None:
    """The priority review voucher notice's approval has the outcome the reader gives a
    company's approval (CONTRACT.md: `positive`), so the agency's date replaces the
    company's instead of standing beside it as a second act."""
    from tracker.extract import extract_text

    from .fda_pages import voucher_notice

    title, text = voucher_notice(
        "PFENVIA (pfenvisiran) injection", "Pfenning Inc.", "January 9, 2026"
    )
    (agency,) = read_notice(FEDERAL_REGISTER, "v", title, text, None).items
    company = extract_text("approved.txt", APPROVED).events[0]
    assert (
        (agency.type, agency.outcome) == (company.type, company.outcome) == ("approval", "positive")
    )


def test_a_long_text_of_near_misses_is_read_in_bounded_time() -> None:
    """Each pattern's gaps are bounded: 220 KB of phrases that begin a date line or an owner
    and never end one took 36 s with an unbounded owner; now well under a second."""
    import time

    near = "the date the application was initially submitted with respect to " * 2000
    near += "patent term restoration application for X from " * 2000
    started = time.perf_counter()
    with pytest.raises(MalformedNotice):
        read_notice(FEDERAL_REGISTER, "n", f"{HEAD}; HALVENTI", near, None)
    assert time.perf_counter() - started < 5
