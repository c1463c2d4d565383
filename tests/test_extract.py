"""Extraction of whole releases and of single sentences, against expectations we wrote."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tracker.extract import extract, extract_text
from tracker.extract.text import sentences
from tracker.pipeline import contract_line
from tracker.rules.schema import Pack

from .conftest import FIXTURES, SHARED

SEED = sorted((SHARED / "seeds").glob("*.txt")) if (SHARED / "seeds").is_dir() else []


def _line(path: Path, packs: list[Pack]) -> dict:
    return contract_line(str(path), extract(path.name, path.read_bytes()), packs)


def _stated(line: dict) -> set[tuple[str, str]]:
    return {(d["start"], d["end"]) for d in line["deadlines"] if d["basis"] == "stated"}


def _check_eu_story(line: dict) -> None:
    assert line["release"]["date"] == "2008-03-20"
    kinds = {(e["type"], e["agency"], e["outcome"]) for e in line["events"]}
    assert ("opinion", "EMA", "negative") in kinds
    assert ("reexamination_request", "EMA", None) in kinds
    assert _stated(line) == {("2008-05-19", "2008-05-19"), ("2008-07-01", "2008-09-30")}
    grounds = next(d for d in line["deadlines"] if d["start"] == "2008-05-19")
    assert grounds["rule"] == "eu-centralised/reexamination-grounds"
    assert grounds["assumptions"] == ["receipt of the opinion assumed on 2008-03-20"]
    assert "60 days" in grounds["evidence"]


def test_own_fixture_modelled_on_the_seed(packs: list[Pack]) -> None:
    line = _line(FIXTURES / "releases/eu-negative-opinion-reexamination.txt", packs)
    _check_eu_story(line)
    assert line["release"]["ticker"] == "NRVT"
    assert line["release"]["company"] == "Norvane Therapeutics, Inc."


def test_boilerplate_produces_no_deadlines(packs: list[Pack]) -> None:
    line = _line(FIXTURES / "releases/eu-negative-opinion-reexamination.txt", packs)
    ends = {d["end"] for d in line["deadlines"]}
    assert "2008-12-31" not in ends  # forward-looking statements
    assert "2009-06-30" not in ends  # "About" section
    assert "2008-06-12" not in ends  # annual meeting


@pytest.mark.skipif(not SEED, reason="shared seed release not available")
def test_the_seed_release(packs: list[Pack]) -> None:
    _check_eu_story(_line(SEED[0], packs))


@pytest.mark.parametrize(
    ("dateline", "expected"),
    [
        (
            "TARRYTOWN, N.Y. - (March 20, 2008) - Acme Corp. (Nasdaq: ACME) today said",
            date(2008, 3, 20),
        ),
        ("LEIDEN, The Netherlands, 20 March 2008 - Acme N.V. announced", date(2008, 3, 20)),
        ("NEW YORK, Nov. 7, 2008 /PRNewswire/ -- Acme Inc. said", date(2008, 11, 7)),
        ("Thursday, March 20, 2008\nAcme Inc. announced today", date(2008, 3, 20)),
        (
            "- pdufa date is may 25, 2024 -\ncleveland, nov. 27, 2023 (globe newswire) -- acme",
            date(2023, 11, 27),
        ),
        ("Published on September 24, 2009\n\nAcme said", date(2009, 9, 24)),
        # a page's label with a colon, or the "posted" a news page uses
        ("Published: 11 December 2016\n\nAcme said on 2 May 2016", date(2016, 12, 11)),
        ("Posted on March 3, 2015\n\nAcme said it filed on 9 January 2015", date(2015, 3, 3)),
    ],
)
def test_release_date_from_dateline(dateline: str, expected: date) -> None:
    assert extract_text("x.txt", dateline).release.date == expected


def test_sentences_survive_abbreviations() -> None:
    text = (
        "TARRYTOWN, N.Y. - Acme Inc. said the U.S. Food and Drug Administration (FDA) "
        "accepted the NDA. Dr. Smith is pleased. The decision is due Mar. 5, 2009."
    )
    got = [s.text for s in sentences(text)]
    assert got == [
        "TARRYTOWN, N.Y. - Acme Inc. said the U.S. Food and Drug Administration (FDA) "
        "accepted the NDA.",
        "Dr. Smith is pleased.",
        "The decision is due Mar. 5, 2009.",
    ]


DATELINE = "BOSTON, Mass., June 2, 2024 /PRNewswire/ -- Acme Inc. (Nasdaq: ACME) said today"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "that the FDA set a PDUFA target action date of June 28, 2024.",
            {("2024-06-28", "2024-06-28")},
        ),
        (
            "that it expects a CHMP opinion in the second half of 2024.",
            {("2024-07-01", "2024-12-31")},
        ),
        ("that it plans to submit the NDA in Q4 2024.", {("2024-10-01", "2024-12-31")}),
        (
            "that the advisory committee meeting is scheduled for September 12, 2024.",
            {("2024-09-12", "2024-09-12")},
        ),
        ("that it will host a conference call on June 5, 2024.", set()),
        ("that the patent on the product expires in 2031.", set()),
        ("that it reported results for the third quarter of fiscal 2024.", set()),
        ("that it expects an FDA decision in the coming months.", set()),
        ("that the FDA approved the product on May 30, 2024.", set()),
        ("that the FDA will not be able to act by the action date of June 10, 2024.", set()),
        (
            "that the FDA needs approximately four additional weeks to complete its review.",
            {("2024-06-30", "2024-06-30")},
        ),
        (
            "that it filed an MAA with the MHRA in April and expects a decision by the end of 2024.",
            {("2024-12-31", "2024-12-31")},
        ),
        (
            "that it expects to file the MAA with the MHRA in April.",
            {("2025-04-01", "2025-04-30")},
        ),
        (
            "that the FDA informed it that it will not meet the June 28, 2024 PDUFA date. Acme"
            " expects the FDA to take action within the next four weeks.",
            {("2024-06-30", "2024-06-30")},
        ),
        (
            "that it expects to start a rolling submission of the BLA in the second half of"
            " 2024 and to complete it in early 2025.",
            {("2024-07-01", "2024-12-31"), ("2025-01-01", "2025-04-30")},
        ),
        (
            "that a mid-cycle communication is planned for July 2024 and the late-cycle"
            " meeting for September 2024.",
            {("2024-07-01", "2024-07-31"), ("2024-09-01", "2024-09-30")},
        ),
        (
            "that under PDUFA the FDA has 60 days to decide whether to accept the application"
            " for filing.",
            {("2024-08-01", "2024-08-01")},
        ),
        ("that the FDA has 30 days of records to review.", set()),
        (
            "that it anticipates FDA acceptance of the filing in the third quarter of 2024.",
            {("2024-07-01", "2024-09-30")},
        ),
        (
            "that the FDA set a target action date of May 4, 2025, which falls on a Sunday.",
            {("2025-05-04", "2025-05-04")},
        ),
        (
            "that final data from the confirmatory trial are expected in 2026, as a condition"
            " of continued approval.",
            set(),
        ),
        (
            "that, as previously announced, the FDA assigned a PDUFA date of August 30, 2024.",
            {("2024-08-30", "2024-08-30")},
        ),
        (
            "that the previous PDUFA date of July 30, 2024 was extended to October 30, 2024.",
            {("2024-10-30", "2024-10-30")},
        ),
        (
            "that the FDA extended the PDUFA date to October 30, 2024; the previously set date"
            " was July 30, 2024.",
            {("2024-10-30", "2024-10-30")},
        ),
    ],
)
def test_stated_timelines(body: str, expected: set[tuple[str, str]], packs: list[Pack]) -> None:
    x = extract_text("x.txt", f"{DATELINE} {body}")
    got = {(t.start.isoformat(), t.end.isoformat()) for t in x.timelines}
    assert got == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("that the FDA has approved Zentra for adults.", {("approval", "FDA", "positive")}),
        (
            "that it received a complete response letter from the FDA.",
            {("refusal", "FDA", "negative")},
        ),
        ("that the CHMP adopted a positive opinion on Zentra.", {("opinion", "EMA", "positive")}),
        ("that it intends to request a re-examination of the CHMP opinion.", set()),
        ("that it expects the CHMP to adopt a negative opinion.", set()),
        ("that no advisory committee meeting is planned.", set()),
        ("that an oral explanation may be requested by the CHMP.", set()),
        (
            "that the FDA advisory committee voted 8-4 against recommending approval of Zentra.",
            {("trend_vote", "FDA", "negative")},
        ),
        (
            "that the FDA is not currently planning to hold an advisory committee meeting.",
            set(),
        ),
        (
            "that the FDA does not expect to convene an advisory committee.",
            set(),
        ),
    ],
)
def test_events(body: str, expected: set[tuple[str, str, str | None]]) -> None:
    x = extract_text("x.txt", f"{DATELINE} {body}")
    assert {(e.type, e.agency, e.outcome) for e in x.events} == expected


def test_news_event_gets_the_release_date_and_back_reference_none() -> None:
    x = extract_text(
        "x.txt",
        f"{DATELINE} that the FDA has approved Zentra. The complete "
        "response letter received in March 2023 asked for more data.",
    )
    dates = {e.type: e.date for e in x.events}
    assert dates == {"approval": date(2024, 6, 2), "refusal": None}


def test_html_and_email_inputs_read_the_same(packs: list[Pack]) -> None:
    html = (
        b"<html><body><p>BOSTON, Mass., June 2, 2024 /PRNewswire/ -- Acme Inc. said "
        b"that the FDA set a PDUFA date of <b>June 28, 2024</b>.</p></body></html>"
    )
    eml = (
        b"Subject: Acme news\r\nDate: Sun, 02 Jun 2024 08:00:00 +0000\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n" + html
    )
    for name, data in (("a.html", html), ("a.eml", eml)):
        x = extract(name, data)
        assert [(t.start, t.milestone) for t in x.timelines] == [(date(2024, 6, 28), "action-date")]


def test_windows_1252_and_mojibake_are_repaired() -> None:
    raw = "BOSTON, June 2, 2024 - Acme said the FDA\u2019s PDUFA date is June 28, 2024.".encode(
        "cp1252"
    )
    x = extract("a.txt", raw)
    assert x.timelines[0].evidence.startswith("BOSTON")
    broken = "BOSTON, June 2, 2024 - Acme said the FDA\u2019s goal".encode().decode("cp1252")
    x2 = extract("b.txt", broken.encode("utf-8"))
    assert "FDA\u2019s" in x2.release.title or x2.release.date == date(2024, 6, 2)


def test_french_is_read_by_the_same_conventions() -> None:
    text = (
        "PARIS, le 20 mars 2008 - La société a annoncé que le comité a rendu un avis "
        "négatif et que la société demandera un réexamen de cet avis pour le médicament. "
        "La décision de la Commission est attendue avant la fin de l'année et les "
        "résultats seront publiés dans le cadre de la procédure avec les autorités."
    )
    x = extract_text("fr.txt", text)
    assert x.release.date == date(2008, 3, 20)
    assert x.release.language == "fr"
    # The request is only announced ("demandera"): the opinion is the one event.
    assert [(e.type, e.outcome) for e in x.events] == [("opinion", "negative")]
    assert not any("not supported" in w for w in x.warnings)


def test_french_timelines_and_a_chained_step() -> None:
    text = (
        "MONTRÉAL, 24 mai 2019 - Vantiva inc. a annoncé aujourd'hui que l'agence européenne des "
        "médicaments (EMA) lui accorde un mois supplémentaire pour répondre aux questions. "
        "Vantiva soumettra ses réponses à l'EMA d'ici la fin du mois de juin 2019. Le comité "
        "(CHMP) aura ensuite 30 jours pour faire part de sa recommandation sur la demande."
    )
    x = extract_text("fr.txt", text)
    assert ("goal_date_extension", "EMA") in {(e.type, e.agency) for e in x.events}
    assert {(t.start, t.end) for t in x.timelines} == {
        (date(2019, 6, 30), date(2019, 6, 30)),
        (date(2019, 7, 30), date(2019, 7, 30)),  # 30 days after the previous step
    }


@pytest.mark.parametrize(
    "text",
    [
        "BERLIN, 20. März 2008 - Die Gesellschaft gab heute bekannt, dass der Ausschuss eine "
        "negative Stellungnahme abgegeben hat und dass die Gesellschaft eine erneute Überprüfung "
        "beantragen wird. Die Entscheidung der Kommission wird für das dritte Quartal erwartet "
        "und die Zulassung ist für das Arzneimittel mit der Behörde zu klären.",
        "MADRID, 20 de marzo de 2008 - La compañía anunció hoy que el comité emitió una opinión "
        "negativa y que la compañía solicitará un nuevo examen de la opinión para el "
        "medicamento. La decisión de la Comisión se espera para el tercer trimestre y la "
        "autorización del medicamento es el objetivo de la empresa con las autoridades.",
    ],
    ids=["de", "es"],
)
def test_other_languages_are_flagged(text: str) -> None:
    x = extract_text("x.txt", text)
    assert x.release.date == date(2008, 3, 20)
    assert x.timelines == () and x.events == ()
    assert any("not supported" in w for w in x.warnings)


def test_words_after_a_joined_date_do_not_rename_it() -> None:
    x = extract_text(
        "x.txt",
        f"{DATELINE} that the FDA extended the PDUFA goal date by three months to September 28,"
        " 2024, after it submitted a major amendment in response to an information request.",
    )
    assert [(t.end.isoformat(), t.milestone) for t in x.timelines] == [
        ("2024-09-28", "action-date")
    ]


@pytest.mark.parametrize(
    "dateline",
    ["DUBLIN, Ireland, 22 May 2018 --", "BOSTON, May 22, 2018 /PRNewswire/ --"],
)
def test_a_may_dateline_is_no_modal_verb(dateline: str) -> None:
    x = extract_text(
        "x.txt", f"{dateline} Corrigan Pharma plc announced today that it has withdrawn its MAA "
        "for Relvanta from the EMA, and that the FDA approved Relvanta."
    )  # fmt: skip
    assert {(e.type, e.agency) for e in x.events} == {("withdrawal", "EMA"), ("approval", "FDA")}


def test_an_offset_anchor_is_not_the_act_that_is_due() -> None:
    x = extract_text(
        "x.txt",
        "Stockholm, 15 January 2015 - Nordvik AB announces that the CHMP adopted a negative "
        "opinion on Ostevo. Nordvik will request a re-examination. The request must be made "
        "within 15 days of receipt of the opinion.",
    )
    assert [(t.end.isoformat(), t.milestone) for t in x.timelines] == [
        ("2015-01-30", "reexamination-request")
    ]


def test_within_the_n_day_period(packs: list[Pack]) -> None:
    text = (
        "MONTREAL, Aug. 4, 2011 - Laurentide Pharma Inc. announced that Health Canada issued a "
        "Notice of Non-Compliance (NON) for its New Drug Submission for Relaxil. The Company "
        "intends to file a response within the 90-day period provided by the regulations."
    )
    out = contract_line("x.txt", extract_text("x.txt", text), packs)
    assert [(d["end"], d["basis"], d["rule"]) for d in out["deadlines"]] == [
        ("2011-11-02", "stated", "ca-hc/non-response")
    ]


@pytest.mark.parametrize(
    ("body", "product"),
    [
        ("that the FDA accepted its New Drug Application (NDA) for tavorelin.", "tavorelin"),
        ("that it received a CRL for its Biologics License Application for OT-101.", "OT-101"),
        ("that Health Canada has approved Korvexa for atopic dermatitis.", "Korvexa"),
        ("that the CHMP adopted a negative opinion for Ostevo.", "Ostevo"),
        ("that the FDA accepted its application for review.", None),
    ],
)
def test_product_named_without_a_trademark(body: str, product: str | None) -> None:
    x = extract_text("x.txt", f"{DATELINE} {body}")
    assert {e.product for e in x.events} == {product}


def test_the_act_named_right_before_a_date_is_what_it_dates() -> None:
    x = extract_text(
        "x.txt",
        f"{DATELINE} that, following a Type A meeting on June 12, it plans to resubmit the NDA.",
    )
    assert [(t.end.isoformat(), t.milestone) for t in x.timelines] == [("2024-06-12", "meeting")]


@pytest.mark.parametrize(
    ("body", "milestone"),
    [
        (
            "that the European Commission is expected to make a final decision within 67 days.",
            "commission-decision",
        ),
        (
            "that it expects to file a marketing authorisation application with the EMA in"
            " mid-2025.",
            "submission",
        ),
        (
            "that it expects to receive the Day 120 list of questions from the CHMP in August.",
            "procedure-day",
        ),
        (
            "that under priority review Health Canada's target is to complete its review"
            " within 180 days.",
            "decision",
        ),
    ],
)
def test_milestone_of_a_stated_timeline(body: str, milestone: str) -> None:
    x = extract_text("x.txt", f"{DATELINE} {body}")
    assert [t.milestone for t in x.timelines] == [milestone]


def test_a_reexamination_outcome_cannot_be_reexamined(packs: list[Pack]) -> None:
    text = (
        "MUNICH, 11 January 2021 - Isar AG announced that the CHMP has confirmed its negative"
        " opinion following the re-examination of the marketing authorisation application for"
        " Velonix."
    )
    out = contract_line("x.txt", extract_text("x.txt", text), packs)
    assert [d["rule"] for d in out["deadlines"]] == ["eu-centralised/commission-decision"]


def test_a_goal_date_set_earlier_is_not_dated_by_the_release() -> None:
    x = extract_text(
        "x.txt",
        f"{DATELINE} results. The FDA accepted the NDA for Zentra in March 2024 with a PDUFA date"
        " of October 12, 2024.",
    )
    assert {(e.type, e.date) for e in x.events} == {("acceptance", None), ("goal_date", None)}


def test_a_past_date_of_another_act_does_not_undate_a_new_goal_date() -> None:
    x = extract_text(
        "x.txt",
        f"{DATELINE} that the FDA has set a goal date of October 12, 2024 for the resubmitted"
        " NDA, a complete response to the letter it issued in March 2023.",
    )
    assert ("goal_date", date(2024, 6, 2)) in {(e.type, e.date) for e in x.events}


def test_a_past_meeting_in_the_release_month_is_no_deadline() -> None:
    x = extract_text(
        "x.txt",
        "AMSTERDAM, March 14, 2016 -- Zuidas N.V. announced that the CHMP adopted a negative"
        " trend vote on its MAA for Brelonix at its March meeting. The CHMP's opinion is"
        " expected at the April 2016 meeting.",
    )
    assert [(t.start.isoformat(), t.end.isoformat()) for t in x.timelines] == [
        ("2016-04-01", "2016-04-30")
    ]


def test_form_8k_items_bind_only_sec_registrants() -> None:
    quote = (
        " The board appointed a new chief financial officer. Its chief executive said he was"
        " disappointed by the director's opinion."
    )
    euronext = extract_text(
        "e.txt", "LEIDEN, March 2, 2024 -- Corvane N.V. (Euronext: CRV) said today that" + quote
    )
    nasdaq = extract_text(
        "n.txt", "BOSTON, March 2, 2024 -- Corvane Inc. (Nasdaq: CRVN) said today that" + quote
    )
    assert not [e for e in euronext.events if e.type == "sec_item"]
    items = [e for e in nasdaq.events if e.type == "sec_item"]
    assert [e.detail for e in items] == ["item-5.02"]
    assert "nasdaq" in (items[0].why or "")


def test_disappointed_is_no_appointment() -> None:
    x = extract_text(
        "d.txt",
        "BOSTON, March 2, 2024 -- Corvane Inc. (Nasdaq: CRVN) said the chief executive officer was disappointed.",
    )
    assert not [e for e in x.events if e.type == "sec_item"]


def test_a_release_without_a_dateline_keeps_its_events_undated() -> None:
    x = extract_text(
        "undated.txt",
        "FDA accepts filing\n\nKestrel Pharma AB said that the U.S. Food and Drug Administration "
        "has approved its registration application for Ploravex eye drops. The drug was "
        "approved in Europe on March 3, 2009.\n",
    )
    assert x.release.date is None
    assert [(e.type, e.agency, e.date) for e in x.events][:1] == [("approval", "FDA", None)]
    assert x.timelines == ()  # nothing relative can be resolved without the release date
    assert any("no release date" in w for w in x.warnings)


def test_a_date_told_in_the_story_is_no_dateline() -> None:
    x = extract_text(
        "story.txt",
        "Santen gets a licence in China\n\nSanten Pharmaceutical announced that it received an "
        "import drug license for its eye drops in China on July 27, 2015.\n",
    )
    assert x.release.date is None
    assert [(e.type, e.agency, e.date) for e in x.events] == [
        ("approval", "NMPA", date(2015, 7, 27))
    ]


def test_a_labelled_release_date_is_the_dateline() -> None:
    x = extract_text(
        "labelled.txt",
        "Heron receives a letter\n\n19th Mar 13\n\nRelease Date: 19/03/2013 12:00am\n\n"
        "Heron Biologics (ASX: HRN) today announced it had received a complete response letter "
        "from the FDA for Quilavo.\n",
    )
    assert x.release.date == date(2013, 3, 19)
    assert [(e.type, e.agency, e.date) for e in x.events] == [("refusal", "FDA", date(2013, 3, 19))]


def test_an_act_told_without_an_agency_is_the_home_regulators() -> None:
    x = extract_text(
        "tokyo.txt",
        "TOKYO, September 21, 2018 - Kairo Pharma Inc. (TSE: 4599) today announced that its "
        "tablets received manufacturing and marketing approval for the treatment of gout.\n",
    )
    assert [(e.type, e.agency) for e in x.events] == [("approval", "PMDA")]
