"""The FDA's word matched to FDA procedures, precision first: 55 applications of a Federal
Register meeting notice (invented products and companies: similar names, one brand of two
companies, the same product before the EMA, biosimilars, code names and aliases) against
tracked procedures; none may go to a wrong procedure. And the story: a company's release and
the Federal Register's notice of its advisory committee meeting, in either order."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tracker.agency import ingest_document
from tracker.domain import RawItem
from tracker.identity import procedure_for
from tracker.pipeline import Context, file_item, ingest_item, ingest_source, open_context
from tracker.settings import HttpSection
from tracker.sources.fda import FEDERAL_REGISTER, FdaItem, FederalRegisterSource, read_notice
from tracker.store.tables import AgencyItemRow

from .agency_helpers import track
from .fda_pages import listing, meeting_notice, result
from .test_sources import Server

NOW = datetime(2026, 2, 11, 9, tzinfo=UTC)

PROCEDURES = [
    ("Acme Pharma Inc.", "Zelvora", "FDA"),
    ("Acme Pharma Inc.", "Zelvoran", "FDA"),  # a similar name, the same company
    ("Acme Pharma Inc.", "Zelvora", "EMA"),  # the same product before the EMA
    ("Borealis Therapeutics Inc.", "Tenvexa", "FDA"),
    ("Eastgate Inc.", "Tenvexa", "FDA"),  # one brand, two companies
    ("Corvid Bio Inc.", "CVB-101", "FDA"),  # a code name, its substance an alias
    ("Dunmore Inc.", "Halventi", "FDA"),
    ("Dunmore Inc.", "Halventi Duo", "FDA"),
    ("Fjord Biologics Inc.", "fjordamab", "FDA"),  # named by its substance
    ("Grayson Inc.", "Oxalira", "FDA"),
    ("Helix Genomics Inc.", "HLX-7", "FDA"),
    ("Ivory Labs Inc.", "Pemvira", "FDA"),
    ("Juniper Health Inc.", "Pemviro", "FDA"),
    ("Kestrel Pharma Inc.", "Ravulta", "FDA"),  # formerly Ravulix
    ("Lumen Oncology Inc.", "Ortizen", "FDA"),
    ("Lumen Oncology Inc.", "Ortizen", "EMA"),
    ("Novo Vita Inc.", "Wegaria", "FDA"),
    ("Pfenning Inc.", "Pfenvia", "FDA"),
]
ALIASES = [
    ("Corvid Bio Inc.", "CVB-101", "corvimab"),
    ("Helix Genomics Inc.", "HLX-7", "helixostat"),
    ("Kestrel Pharma Inc.", "Ravulta", "Ravulix"),
    ("Novo Vita Inc.", "Wegaria", "vitaglutide"),
]


def key(company: str, product: str) -> str:
    return procedure_for(company, product, "FDA").key


# (the application as the notice names it, its applicant, the procedure it belongs to)
APPLICATIONS: list[tuple[str, str, str | None]] = [
    ("ZELVORA (zelvotinib) tablets", "Acme Pharma Inc.", key("Acme Pharma Inc.", "Zelvora")),
    ("ZELVORA (zelvotinib) tablets", "Acme Pharma USA Inc.", key("Acme Pharma Inc.", "Zelvora")),
    ("ZEL-VORA (zelvotinib) tablets", "Acme Pharma Inc.", key("Acme Pharma Inc.", "Zelvora")),
    (
        "zelvotinib tablets, proposed trade name Zelvora",
        "Acme Pharma Inc.",
        key("Acme Pharma Inc.", "Zelvora"),
    ),
    ("ZELVORAN (zelvoranide) injection", "Acme Pharma Inc.", key("Acme Pharma Inc.", "Zelvoran")),
    ("ZELVORIX (zelvorixib) tablets", "Acme Pharma Inc.", None),
    ("ZELVORA DUO (zelvotinib and metformin) tablets", "Acme Pharma Inc.", None),
    ("ZELV (zelvotinib) tablets", "Acme Pharma Inc.", None),
    ("SELVORA (selvoratide) injection", "Sigma Inc.", None),
    ("ZELVORA (zelvotinib) tablets", "Zel Generics LLC", None),  # the name, another company
    (
        "HALVENTI DUO (halventide and insulin) injection",
        "Dunmore Inc.",
        key("Dunmore Inc.", "Halventi Duo"),
    ),
    ("HALVENTI (halventide) injection", "Dunmore Inc.", key("Dunmore Inc.", "Halventi")),
    ("HALVENTI TRIO (halventide) injection", "Dunmore Inc.", None),
    ("halventide injection", "Dunmore Inc.", None),  # which of the two? neither is named so
    (
        "TENVEXA (tenvexin) tablets",
        "Borealis Therapeutics Inc.",
        key("Borealis Therapeutics Inc.", "Tenvexa"),
    ),
    ("TENVEXA (tenvexin) tablets", "Eastgate Inc.", key("Eastgate Inc.", "Tenvexa")),
    ("TENVEXA (tenvexin) tablets", "Westgate Pharma LLC", None),
    ("TENVEX (tenvexin) tablets", "Borealis Therapeutics Inc.", None),
    (
        "corvimab injection, for intravenous use",
        "Corvid Bio Inc.",
        key("Corvid Bio Inc.", "CVB-101"),
    ),
    ("CVB-101 (corvimab) injection", "Corvid Bio Inc.", key("Corvid Bio Inc.", "CVB-101")),
    ("CORVEXA (corvimab) injection", "Corvid Bio Inc.", key("Corvid Bio Inc.", "CVB-101")),
    ("CORVISIM (corvimab-xyza) injection", "Sandoz Inc.", None),
    ("CORVIMAB TEVA (corvimab) injection", "Teva Pharmaceuticals USA Inc.", None),
    ("fjordamab injection", "Fjord Biologics Inc.", key("Fjord Biologics Inc.", "fjordamab")),
    ("fjordamab-bsim injection", "Biosim Inc.", None),
    (
        "FJORDIVA (fjordamab) injection",
        "Fjord Biologics Inc.",
        key("Fjord Biologics Inc.", "fjordamab"),
    ),
    ("FJORDAMAB BIOSIM (fjordamab) injection", "Biosim Inc.", None),
    ("fjordamab injection", "Biosim Inc.", None),  # the tracked name, another company
    ("OXALIRA (oxaliratide) tablets", "Grayson Inc.", key("Grayson Inc.", "Oxalira")),
    ("OXALIRA XR (oxaliratide) extended-release tablets", "Grayson Inc.", None),
    ("OXALIRA (oxalirumab) injection", "Oxa Biotech Inc.", None),
    (
        "RAVULIX (ravultamab) injection",
        "Kestrel Pharma Inc.",
        key("Kestrel Pharma Inc.", "Ravulta"),
    ),
    (
        "RAVULTA (ravultamab) injection",
        "Kestrel Pharma Inc.",
        key("Kestrel Pharma Inc.", "Ravulta"),
    ),
    ("RAVULTA (ravultamab) injection", "Someone Else LLC", None),
    ("RAVULT (ravultamab) injection", "Kestrel Pharma Inc.", None),
    ("vitaglutide injection", "Novo Vita Inc.", key("Novo Vita Inc.", "Wegaria")),
    ("VITAGLU (vitaglutide) injection", "Novo Vita Inc.", None),  # another brand
    ("WEGARIA (vitaglutide) injection", "Novo Vita Inc.", key("Novo Vita Inc.", "Wegaria")),
    ("PFENVIA (pfenviratide) injection", "Pfenning Inc.", key("Pfenning Inc.", "Pfenvia")),
    ("PFENVIA (pfenviratide) injection", "Pfenning Biotech GmbH", key("Pfenning Inc.", "Pfenvia")),
    ("PEMVIRA (pemvirasib) tablets", "Ivory Labs Inc.", key("Ivory Labs Inc.", "Pemvira")),
    ("PEMVIRO (pemvirostat) tablets", "Juniper Health Inc.", key("Juniper Health Inc.", "Pemviro")),
    ("PEMVIR (pemvirine) tablets", "Ivory Labs Inc.", None),
    ("PEMVIRA (pemvirasib) tablets", "Juniper Health Inc.", None),  # the neighbour's name
    ("ORTIZEN (ortizumab) injection", "Lumen Oncology Inc.", key("Lumen Oncology Inc.", "Ortizen")),
    ("ORTIZENE (ortizenib) tablets", "Lumen Oncology Inc.", None),
    ("HLX-7 (helixostat) capsules", "Helix Genomics Inc.", key("Helix Genomics Inc.", "HLX-7")),
    ("helixostat capsules", "Helix Genomics Inc.", key("Helix Genomics Inc.", "HLX-7")),
    ("HELISTAT (helixostat) capsules", "Generic Co LLC", None),
    ("BRINVATA (brinvatib) tablets", "Nimbus Inc.", None),
    ("QUORVEX (quorvexin) injection", "Quorum LLC", None),
    ("ASTRAVEL (astravelimab) injection", "Astra Vel Inc.", None),
    ("DURENZA (durenzamab) injection", "Durenza LLC", None),
]
# Items without an applicant (a notice that does not say who applied): never matched.
UNSIGNED = [("Zelvora", "zelvotinib"), ("Oxalira", None)]


def _notice() -> str:
    agenda = " ".join(
        f"In session {i + 1}, the committee will discuss new drug application (NDA) "
        f"{219000 + i}, for {what}, submitted by {who}, for the proposed treatment of adults."
        for i, (what, who, _want) in enumerate(APPLICATIONS)
    )
    return meeting_notice("Drugs Advisory Committee", "April 14, 2026", agenda)


@pytest.fixture
def tracked(ctx: Context) -> Context:
    return track(ctx, PROCEDURES, ALIASES, NOW)


def test_at_least_fifty_items_none_attached_to_a_wrong_procedure(tracked: Context) -> None:
    doc = read_notice(
        FEDERAL_REGISTER,
        "2026-05555",
        "Drugs Advisory Committee; Notice of Meeting",
        _notice(),
        None,
    )
    assert len(doc.items) == len(APPLICATIONS)
    extra = tuple(
        FdaItem("advisory_meeting", None, p, sub, None, date(2026, 4, 14), f"FDA: {p}")
        for p, sub in UNSIGNED
    )
    doc = replace(doc, items=doc.items + extra)
    assert len(doc.items) >= 50
    url = "http://127.0.0.1/documents/2026-05555"
    item = RawItem("fr", "2026-05555", "2026-05555.json", b"{}", NOW, url=url)
    ingest_document(tracked, item, doc, NOW)
    from sqlmodel import Session, col, select

    with Session(tracked.store.engine) as s:
        rows = s.exec(select(AgencyItemRow).order_by(col(AgencyItemRow.position))).all()
    wanted = [w for _what, _who, w in APPLICATIONS] + [None] * len(UNSIGNED)
    got = [(r.product, r.applicant, r.procedure_key, r.reason) for r in rows]
    wrong = [(p, a, k, w) for (p, a, k, _r), w in zip(got, wanted, strict=True) if k and k != w]
    assert wrong == []  # precision: nothing attached to a wrong procedure
    missed = [(p, a, w) for (p, a, k, _r), w in zip(got, wanted, strict=True) if w and not k]
    assert missed == []  # and every application that is ours found its procedure
    assert all(r for _p, _a, k, r in got if k is None)  # each unmatched item says why
    assert not any(k and k.endswith("/eu") for _p, _a, k, _r in got)
    reasons = {(p, a): r for p, a, _k, r in got}
    assert "another company" in reasons[("ZELVORA", "Zel Generics LLC")]
    assert "names no applicant" in reasons[("Zelvora", None)]


def test_a_brand_of_two_companies_without_the_applicant_goes_to_neither() -> None:
    from tracker.agency import Candidate, match_item

    pool = [
        Candidate("b/tenvexa/fda", "Borealis Therapeutics Inc.", "Tenvexa", frozenset({"tenvexa"})),
        Candidate("e/tenvexa/fda", "Eastgate Inc.", "Tenvexa", frozenset({"tenvexa"})),
    ]
    assert match_item("Tenvexa", None, None, pool, need_applicant=True).key is None
    both = [
        *pool,
        Candidate("b2/tenvexa/fda", "Borealis Therapeutics", "Tenvexa", frozenset({"tenvexa"})),
    ]
    m = match_item("Tenvexa", None, "Borealis Therapeutics Inc.", both, need_applicant=True)
    assert m.key is None and "ambiguous" in m.reason  # two candidates: no match


# --- the story: a company's release and the Federal Register's notice, in either order ---

COMPANY = """Acme Pharma announces FDA advisory committee meeting for Zelvora

BOSTON, January 20, 2026 -- Acme Pharma Inc. (Nasdaq: ACMP) today announced that the U.S. \
Food and Drug Administration (FDA) will hold a meeting of its Oncologic Drugs Advisory \
Committee on March 5, 2026 to review the New Drug Application (NDA) for Zelvora \
(tovaprimab) for adults with relapsed lymphoma.
"""
AGENDA = (
    "The committee will discuss new drug application (NDA) 219876, for ZELVORA (tovaprimab) "
    "tablets, submitted by Acme Pharma Inc., for the proposed treatment of adults with "
    "relapsed lymphoma."
)


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


def _company(ctx: Context, folder: Path, now: datetime) -> None:
    path = folder / "acme.txt"
    path.write_text(COMPANY, encoding="utf-8")
    ingest_item(ctx, file_item(path, "inbox", now), now)


def _agency(ctx: Context, server: Server, now: datetime, day: str = "March 6, 2026") -> None:
    title = "Oncologic Drugs Advisory Committee; Notice of Meeting"
    server.add(
        "/text/2026-02468",
        meeting_notice("Oncologic Drugs Advisory Committee", day, AGENDA),
        **{"Content-Type": "text/plain"},
    )
    server.add(
        "/api/v1/documents.json",
        listing([result(server.base, "2026-02468", title, published="2026-02-09")]),
        **{"Content-Type": "application/json"},
    )
    source = FederalRegisterSource(
        "fr", server.base + "/api/v1/documents.json", HttpSection(requests_per_second=1000.0)
    )
    report = ingest_source(ctx, source, now, force=True)
    assert report.failed == 0, report.errors


def _story(ctx: Context, folder: Path, server: Server, agency_first: bool) -> None:
    if agency_first:
        _agency(ctx, server, NOW - timedelta(days=1))
        _company(ctx, folder, NOW)
    else:
        _company(ctx, folder, NOW - timedelta(days=1))
        _agency(ctx, server, NOW)


def _state(ctx: Context) -> list[tuple[Any, ...]]:
    return sorted(
        (d.key, d.start, d.end, d.status, d.basis, d.evidence, d.notes, d.steps)
        for d in ctx.store.deadlines(include_all=True)
    )


@pytest.mark.parametrize("agency_first", [False, True], ids=["company-first", "agency-first"])
def test_the_notice_dates_the_meeting_and_the_company_date_stays_beside_it(
    settings: Any, tmp_path: Path, server: Server, agency_first: bool
) -> None:
    ctx = open_context(settings, NOW)
    try:
        _story(ctx, tmp_path, server, agency_first)
        by_key = {d.key.rsplit("/", 1)[-1]: d for d in ctx.store.deadlines(include_all=True)}
        # The notice's date (March 6) wins over the company's (March 5): the rule's date
        # counts from it, and the trigger says where both came from.
        notice = by_key["advisory-committee-notice"]
        assert notice.end == date(2026, 2, 19)
        trigger = next(s.text for s in notice.steps if s.label == "trigger")
        assert "agency document " + server.base + "/documents/2026-02468" in trigger
        assert "the company's release of 2026-01-20 said 2026-03-05" in trigger
        # The company's stated meeting keeps its date, the agency's differing one beside it.
        stated = by_key["stated-advisory-meeting"]
        assert (stated.end, stated.status) == (date(2026, 3, 5), "open")
        assert any("FDA dates it 2026-03-06" in n for n in stated.notes), stated.notes
        out = (
            CliRunner()
            .invoke(
                __import__("tracker.cli", fromlist=["cli"]).cli,
                ["--home", str(ctx.settings.home), "explain", stated.key],
            )
            .output
        )
        assert "FDA dates it 2026-03-06" in out
        assert '" (company release)\n' in out  # whose word the evidence is
        out = (
            CliRunner()
            .invoke(
                __import__("tracker.cli", fromlist=["cli"]).cli,
                ["--home", str(ctx.settings.home), "explain", notice.key],
            )
            .output
        )
        assert '" (agency document)\n' in out
    finally:
        ctx.store.close()


def test_either_order_ends_in_the_same_state(settings: Any, tmp_path: Path, server: Server) -> None:
    states = []
    for agency_first in (False, True):
        home = tmp_path / f"order-{agency_first}"
        tracker = settings.tracker.model_copy(update={"home": str(home)})
        ctx = open_context(settings.model_copy(update={"tracker": tracker}), NOW)
        try:
            home.mkdir(parents=True, exist_ok=True)
            _story(ctx, home, server, agency_first)
            states.append(_state(ctx))
        finally:
            ctx.store.close()
    assert states[0] == states[1]
    assert len(states[0]) >= 2


def test_unmatched_fda_items_are_listed_by_tracker_sources(
    settings: Any, tmp_path: Path, server: Server
) -> None:
    from tracker.cli import cli

    ctx = open_context(settings, NOW)
    try:
        _agency(ctx, server, NOW)  # no procedure of Acme's tracked yet
        out = CliRunner().invoke(cli, ["--home", str(ctx.settings.home), "sources"]).output
        assert "unmatched fr: ZELVORA (tovaprimab, Acme Pharma Inc), advisory meeting" in out
        _company(ctx, tmp_path, NOW + timedelta(hours=1))  # now it is: matched
        out = CliRunner().invoke(cli, ["--home", str(ctx.settings.home), "sources"]).output
        assert "unmatched fr: ZELVORA" not in out
    finally:
        ctx.store.close()


def _messages(ctx: Context) -> dict[str, Any]:
    import email
    import email.policy

    return {
        f.name: email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
        for f in (ctx.settings.home / "outbox").glob("*.eml")
    }


def test_evidence_keeps_its_kind_and_a_changed_notice_tells_the_agency_date(
    settings: Any, tmp_path: Path, server: Server
) -> None:
    from tracker.ical import build_calendar
    from tracker.pipeline import send_due_reminders
    from tracker.settings import RecipientSettings

    ctx = open_context(settings, NOW)
    try:
        ctx.settings.recipients = [RecipientSettings(address="ra@example.org", days_before=[30])]
        _company(ctx, tmp_path, NOW - timedelta(days=1))
        # Both deadlines are within 30 days: the lead reminders go out.
        assert send_due_reminders(ctx, NOW - timedelta(days=1)).sent == 2
        _agency(ctx, server, NOW)
        by_key = {d.key.rsplit("/", 1)[-1]: d for d in ctx.store.deadlines(include_all=True)}
        assert by_key["advisory-committee-notice"].evidence_kind == "agency"
        assert by_key["stated-advisory-meeting"].evidence_kind == "company"
        feed = build_calendar(list(by_key.values())).replace("\r\n ", "")
        assert "(agency document)\\nRelease: " + server.base in feed
        assert "(company release)" in feed
        before = set(_messages(ctx))
        assert send_due_reminders(ctx, NOW).sent == 2  # one moved, one changed
        new = [m for name, m in _messages(ctx).items() if name not in before]
        subjects = sorted(str(m["Subject"]) for m in new)
        assert subjects[0].startswith(
            "Changed: Advisory committee meeting / hearing: Zelvora: the agency gives another "
            "date (still Thu 5 March 2026 here)"
        ), subjects
        assert subjects[1].startswith("Moved: Federal Register notice"), subjects
        changed = next(m for m in new if str(m["Subject"]).startswith("Changed"))
        assert changed["X-Tracker-Kind"] == "changed"
        text = changed.get_body(("plain",)).get_content()
        assert "the FDA dates it 2026-03-06 (agency document " + server.base in text
        assert "the company stated 2026-03-05" in text
        assert send_due_reminders(ctx, NOW + timedelta(hours=1)).sent == 0  # once
        # A date set by hand is a person's word.
        ctx.store.set_deadline_date(
            by_key["stated-advisory-meeting"].key,
            date(2026, 3, 6),
            date(2026, 3, 6),
            NOW,
            who="vera",
            note="the FDA's notice",
        )
        hand = ctx.store.deadline(by_key["stated-advisory-meeting"].key)
        assert hand is not None and hand.evidence_kind == "hand-set"
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
