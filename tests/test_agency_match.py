"""Matching agency items to procedures: precision first. 56 items of a CHMP highlights page
(invented products and companies: similar names, one brand of two companies, biosimilars
of a tracked substance, code names, the same product before the FDA) against tracked
procedures; no item may go to a wrong procedure, and those that go nowhere are listed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tracker.agency import Candidate, ingest_highlights, match_item, same_company
from tracker.domain import RawItem
from tracker.pipeline import Context
from tracker.sources.ema import parse_highlights
from tracker.store import Store
from tracker.store.tables import AgencyItemRow

from .agency_helpers import track
from .ema_pages import highlights_list

NOW = datetime(2025, 10, 20, 9, tzinfo=UTC)

# Tracked procedures: (company, product, region); aliases: (company, product, alias).
PROCEDURES = [
    ("Acme Pharma Inc.", "Zelvora", "EU"),
    ("Acme Pharma Inc.", "Zelvoran", "EU"),  # a similar name, the same company
    ("Acme Pharma Inc.", "Zelvora", "FDA"),  # the same product before the FDA
    ("Borealis Therapeutics AG", "Tenvexa", "EU"),
    ("Eastgate SA", "Tenvexa", "EU"),  # one brand, two companies (two licences)
    ("Corvid Bio Ltd", "CVB-101", "EU"),  # a code name, its substance an alias
    ("Dunmore plc", "Halventi", "EU"),
    ("Dunmore plc", "Halventi Duo", "EU"),
    ("Fjord Biologics ASA", "fjordamab", "EU"),  # named by its substance
    ("Grayson Inc.", "Oxalira", "EU"),
    ("Helix Genomics GmbH", "HLX-7", "EU"),
    ("Ivory Labs Ltd", "Pemvira", "EU"),
    ("Juniper Health plc", "Pemviro", "EU"),
    ("Kestrel Pharma AB", "Ravulta", "EU"),  # formerly Ravulix (an alias)
    ("Lumen Oncology Inc.", "Ortizen", "EU"),
    ("Lumen Oncology Inc.", "Ortizen", "FDA"),
    ("Novo Vita A/S", "Wegaria", "EU"),  # semaglutide-like: one substance, two brands
    ("Pfenning Inc.", "Pfenvia", "EU"),
]
ALIASES = [
    ("Corvid Bio Ltd", "CVB-101", "corvimab"),
    ("Helix Genomics GmbH", "HLX-7", "helixostat"),
    ("Kestrel Pharma AB", "Ravulta", "Ravulix"),
    ("Novo Vita A/S", "Wegaria", "vitaglutide"),
]


def key(company: str, product: str) -> str:
    from tracker.identity import procedure_for

    return procedure_for(company, product, "EMA").key


# (section, product, substance, applicant, expected procedure or None)
P, N, R, W, X = (
    "Positive opinions on new medicines",
    "Negative opinions",
    "Outcome of re-examination",
    "Withdrawn applications",
    "Extensions of indication",
)
ITEMS: list[tuple[str, str, str | None, str | None, str | None]] = [
    # exact names, with or without the applicant, marks and case aside
    (P, "Zelvora", "zelvotinib", "Acme Pharma Europe B.V.", key("Acme Pharma Inc.", "Zelvora")),
    (X, "Zelvora®", None, None, key("Acme Pharma Inc.", "Zelvora")),
    (N, "Zelvoran", "zelvoranide", "Acme Pharma Inc.", key("Acme Pharma Inc.", "Zelvoran")),
    (P, "ZELVORA", "zelvotinib", "Acme Pharma Inc.", key("Acme Pharma Inc.", "Zelvora")),
    # similar names that are other medicines
    (P, "Zelvorix", "zelvorixib", "Acme Pharma Inc.", None),
    (P, "Zelvora Duo", "zelvotinib/metformin", "Acme Pharma Inc.", None),
    (P, "Zelv", None, "Acme Pharma Inc.", None),
    (N, "Selvora", "selvoratide", "Sigma GmbH", None),
    (
        P,
        "Halventi Duo",
        "halventide/insulin",
        "Dunmore Pharma Ireland Ltd",
        key("Dunmore plc", "Halventi Duo"),
    ),
    (P, "Halventi", "halventide", "Dunmore plc", key("Dunmore plc", "Halventi")),
    (P, "Halventi Trio", "halventide", "Dunmore plc", None),
    (P, "Pemvira", "pemvirasib", "Ivory Labs Ireland Ltd", key("Ivory Labs Ltd", "Pemvira")),
    (
        P,
        "Pemviro",
        "pemvirostat",
        "Juniper Health Europe GmbH",
        key("Juniper Health plc", "Pemviro"),
    ),
    (N, "Pemvir", "pemvirine", "Ivory Labs Ltd", None),
    (P, "Oxalira", "oxaliratide", "Grayson Europe B.V.", key("Grayson Inc.", "Oxalira")),
    (P, "Oxalira XR", "oxaliratide", "Grayson Europe B.V.", None),
    (P, "Ortizen", "ortizumab", "Lumen Oncology Europe Ltd", key("Lumen Oncology Inc.", "Ortizen")),
    (P, "Ortizene", "ortizenib", "Lumen Oncology Inc.", None),
    (P, "Pfenvia", "pfenviratide", "Pfenning Europe MA EEIG", key("Pfenning Inc.", "Pfenvia")),
    # one brand, two companies: the applicant decides, or nobody does
    (
        P,
        "Tenvexa",
        "tenvexin",
        "Borealis Therapeutics GmbH",
        key("Borealis Therapeutics AG", "Tenvexa"),
    ),
    (X, "Tenvexa", None, "Eastgate S.A.", key("Eastgate SA", "Tenvexa")),
    (X, "Tenvexa", "tenvexin", None, None),
    (N, "Tenvexa", "tenvexin", "Westgate Pharma Ltd", None),
    # a tracked name from another company: not ours
    (P, "Oxalira", "oxalirumab", "Oxa Biotech SRL", None),
    (W, "Ravulta", "ravultamab", "Someone Else Ltd", None),
    # former names and code names
    (P, "Ravulix", "ravultamab", "Kestrel Pharma AB", key("Kestrel Pharma AB", "Ravulta")),
    (R, "Ravulta", "ravultamab", "Kestrel Pharma AB", key("Kestrel Pharma AB", "Ravulta")),
    (P, "Corvexa", "corvimab", "Corvid Bio Ireland Ltd", key("Corvid Bio Ltd", "CVB-101")),
    (P, "Corvimab Teva", "corvimab", "Teva B.V.", None),  # a biosimilar of a tracked substance
    (P, "Corvisim", "corvimab", "Sandoz GmbH", None),
    (P, "Corvexa", "corvimab", None, None),  # by substance, but the applicant is not named
    (P, "Helixa", "helixostat", "Helix Genomics GmbH", key("Helix Genomics GmbH", "HLX-7")),
    (N, "Helistat", "helixostat", "Generic Co Ltd", None),
    # named by its substance
    (
        P,
        "Fjordiva",
        "fjordamab",
        "Fjord Biologics Europe AS",
        key("Fjord Biologics ASA", "fjordamab"),
    ),
    (P, "Fjordamab Biosim", "fjordamab", "Biosim Inc.", None),
    (P, "fjordamab", None, "Fjord Biologics ASA", key("Fjord Biologics ASA", "fjordamab")),
    # one substance, two brands of one company: another brand is another medicine
    (P, "Vitaglu", "vitaglutide", "Novo Vita A/S", None),
    (P, "Wegaria", "vitaglutide", "Novo Vita A/S", key("Novo Vita A/S", "Wegaria")),
    # re-examinations and withdrawals
    (R, "Pemvira", "pemvirasib", "Ivory Labs Ltd", key("Ivory Labs Ltd", "Pemvira")),
    (R, "Pemvirax", "pemvirasib", "Ivory Labs Ltd", None),
    (W, "Halventi", "halventide", None, key("Dunmore plc", "Halventi")),
    (W, "Zelvoran", "zelvoranide", "Acme Pharma Inc.", key("Acme Pharma Inc.", "Zelvoran")),
    (W, "Ortizen", "ortizumab", "Lumen Oncology Inc.", key("Lumen Oncology Inc.", "Ortizen")),
    # products nobody tracks
    (P, "Brinvata", "brinvatib", "Nimbus AG", None),
    (P, "Quorvex", "quorvexin", "Quorum Ltd", None),
    (N, "Astravel", "astravelimab", "Astra Vel SA", None),
    (N, "Mivoxa", None, None, None),
    (R, "Durenza", "durenzamab", "Durenza Ltd", None),
    (W, "Kalvenor", "kalvenorin", "Kalven GmbH", None),
    (X, "Pemlora", None, "Pem Ltd", None),
    (X, "Tenvex", None, "Borealis Therapeutics AG", None),
    (X, "Ravult", None, "Kestrel Pharma AB", None),
    (P, "Zel-vora", "zelvotinib", "Acme Pharma Inc.", key("Acme Pharma Inc.", "Zelvora")),
    (P, "Oxalira", None, None, key("Grayson Inc.", "Oxalira")),
    (N, "Halvent", "halventide", "Dunmore plc", None),
    (P, "CVB-101", "corvimab", "Corvid Bio Ltd", key("Corvid Bio Ltd", "CVB-101")),
]


def _page() -> str:
    sections: dict[str, list[tuple[str, str | None, str | None, str]]] = {}
    for section, product, substance, applicant, _ in ITEMS:
        words = (
            "the committee confirmed its negative opinion"
            if section == R and "Pemvirax" in product
            else "a positive opinion was adopted after re-examination"
            if section == R
            else "for adults"
        )
        sections.setdefault(section, []).append((product, substance, applicant, words))
    return highlights_list("13-16 October 2025", sections.items())


@pytest.fixture
def tracked(ctx: Context) -> Context:
    agencies = [(c, p, "EMA" if region == "EU" else region) for c, p, region in PROCEDURES]
    return track(ctx, agencies, ALIASES, NOW)


def test_at_least_fifty_items_none_attached_to_a_wrong_procedure(tracked: Context) -> None:
    assert len(ITEMS) >= 50
    page = _page().encode()
    doc = parse_highlights(page)
    assert len(doc.items) == len(ITEMS)
    url = "http://127.0.0.1/chmp-october-2025"
    ingest_highlights(tracked, RawItem("ema", url, "x.html", page, NOW, url=url), doc, NOW)
    from sqlmodel import Session, col, select

    with Session(tracked.store.engine) as s:
        rows = s.exec(select(AgencyItemRow).order_by(col(AgencyItemRow.position))).all()
    by_order = [(r.product, r.procedure_key, r.reason) for r in rows]
    expected = sorted(
        ((product.replace("®", ""), want) for _s, product, _sub, _a, want in ITEMS),
        key=lambda x: x[0],
    )
    got = sorted(((p, k) for p, k, _r in by_order), key=lambda x: x[0])
    wrong = [(p, k, w) for (p, k), (_p, w) in zip(got, expected, strict=True) if k and k != w]
    assert wrong == []  # precision: nothing attached to a wrong procedure
    missed = [(p, w) for (p, k), (_p, w) in zip(got, expected, strict=True) if w and not k]
    assert missed == []  # and every item that is ours found its procedure
    assert all(r for _p, k, r in by_order if k is None)  # each unmatched item says why
    assert not any(k and k.endswith("/fda") for _p, k, _r in by_order)


def test_unmatched_items_say_why(tracked: Context) -> None:
    page = _page().encode()
    url = "http://127.0.0.1/chmp-october-2025"
    item = RawItem("ema", url, "x.html", page, NOW, url=url)
    ingest_highlights(tracked, item, parse_highlights(page), NOW)
    # (`tracker sources` prints this list: tests/test_agency_story.py runs the command.)
    from tracker.store.agency import unmatched

    with tracked.store.session() as s:
        listed = unmatched(s)
    assert {u.product for u in listed} >= {"Zelvorix", "Corvisim", "Brinvata", "Tenvexa"}
    reasons = {(u.product, u.applicant): u.reason for u in listed}
    assert "ambiguous" in reasons[("Tenvexa", None)]
    assert "another company" in reasons[("Oxalira", "Oxa Biotech SRL")]
    assert "applicant is not named" in reasons[("Corvexa", None)]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Pfizer Inc.", "Pfizer Europe MA EEIG", True),
        ("EpiCept Corporation", "EpiCept GmbH", True),
        ("Novartis AG", "Novartis Europharm Limited", True),
        ("Merck & Co., Inc.", "Merck Sharp & Dohme B.V.", True),
        ("AbbVie Inc.", "Sandoz GmbH", False),
        ("Acme Pharma Inc.", "Acmeon Ltd", False),
        ("Astra Vel SA", "AstraZeneca AB", False),
    ],
)
def test_company_names(a: str, b: str, same: bool) -> None:
    assert same_company(a, b) is same


def test_no_candidates_no_match() -> None:
    m = match_item("Zelvora", "zelvotinib", "Acme", [])
    assert m.key is None and "no tracked procedure" in m.reason
    c = Candidate("a/zelvora/eu", "Acme", "Zelvora", frozenset({"zelvora"}))
    assert match_item("Zelvora", None, None, [c]).key == "a/zelvora/eu"


def _unmatched_order(url: str) -> list[str]:
    from tracker.store.agency import save_document, unmatched
    from tracker.store.tables import ReleaseRow

    store = Store(url)
    store.migrate(NOW)
    try:
        with store.session() as s:
            # Two documents of one day, an older one and an undated one, stored out of order.
            for n, end in enumerate(
                [date(2025, 9, 18), None, date(2025, 10, 16), date(2025, 10, 16)]
            ):
                rel = ReleaseRow(
                    sha256=f"{n:064d}",
                    source_id="ema",
                    external_id=f"doc-{n}",
                    name=f"d{n}.html",
                    ingested_at=NOW,
                )
                s.add(rel)
                s.flush()
                assert rel.id is not None
                items = [
                    {
                        "type": "opinion",
                        "outcome": "positive",
                        "product": f"P{n}{k}",
                        "evidence": "e",
                    }
                    for k in "ab"
                ]
                values = {
                    "source_id": "ema",
                    "kind": "chmp-highlights",
                    "ref": f"r{n}",
                    "title": f"t{n}",
                    "end": end,
                }
                save_document(s, rel.id, values, items, NOW)
            s.commit()
        with store.session() as s:
            return [u.product for u in unmatched(s)]
    finally:
        store.close()


_UNMATCHED_ORDER = ["P3a", "P3b", "P2a", "P2b", "P0a", "P0b", "P1a", "P1b"]


def test_unmatched_items_are_listed_newest_first_undated_last_sqlite() -> None:
    assert _unmatched_order("sqlite://") == _UNMATCHED_ORDER


def test_unmatched_items_are_listed_in_the_same_order_on_postgres(pg_url: str) -> None:
    assert _unmatched_order(pg_url) == _UNMATCHED_ORDER
