"""Golden table: releases we wrote, with the events and stated timelines a reader must find.

Each case is a short release (dateline included). Traps are part of the table: fiscal
periods, earnings language, vague words, back-references, planned acts, extensions.
"""

from __future__ import annotations

import pytest

from tracker.extract import extract_text

CASES: list[tuple[str, set, set]] = [
    # (dateline date text, body, events, deadlines)
    (
        "ROCKVILLE, Md., Feb. 3, 2015 /PRNewswire/ -- Bexley Bio Inc. (NASDAQ: BXLY) announced today that the FDA has granted Priority Review to its Biologics License Application for Tamsiq and set a PDUFA action date of August 3, 2015.",
        {("review_designation", "FDA", None), ("goal_date", "FDA", None)},
        {("2015-08-03", "2015-08-03")},
    ),
    (
        "BASEL, Switzerland, June 26, 2020 -- Ostara AG (SIX: OSTA) today announced that the European Commission has granted marketing authorisation for Velmira in the European Union.",
        {("approval", "EC", "positive")},
        set(),
    ),
    (
        "CAMBRIDGE, Mass., Oct. 1, 2019 (GLOBE NEWSWIRE) -- Quillon Corp. (Nasdaq: QLLN) today announced that it received a Complete Response Letter from the U.S. Food and Drug Administration regarding its New Drug Application for Dorvex. The company plans to request a Type A meeting with the FDA and expects to resubmit the NDA in the first half of 2020.",
        {("refusal", "FDA", "negative")},
        {("2020-01-01", "2020-06-30")},
    ),
    (
        "LONDON, March 2, 2021 -- Halcyon plc (LSE: HAL) announced that the CHMP of the European Medicines Agency adopted a positive opinion recommending the granting of a marketing authorisation for Norabel. The European Commission decision is expected within 67 days.",
        {("opinion", "EMA", "positive")},
        {("2021-05-08", "2021-05-08")},
    ),
    (
        "TOKYO, Japan, September 18, 2018 -- Kyoritsu Pharma announced today that Japan's Ministry of Health, Labour and Welfare (MHLW) has approved Sorvita for the treatment of adults with chronic gout.",
        {("approval", "PMDA", "positive")},
        set(),
    ),
    (
        "TORONTO, Jan. 9, 2017 /CNW/ - Tamsin Oncology Inc. (TSX: TMO) announced today that Health Canada has issued a Notice of Compliance for Kelvadra.",
        {("approval", "HC", "positive")},
        set(),
    ),
    (
        "SAN DIEGO, May 5, 2016 /PRNewswire/ -- Acme Therapeutics (NASDAQ: ACME) announced that the FDA's Oncologic Drugs Advisory Committee voted 10 to 2 that the benefits of Zentra outweigh its risks. The PDUFA target action date is June 30, 2016.",
        {("trend_vote", "FDA", "positive"), ("goal_date", "FDA", None)},
        {("2016-06-30", "2016-06-30")},
    ),
    (
        "BOSTON, July 14, 2014 /PRNewswire/ -- Acme Inc. (Nasdaq: ACME) today announced that it has submitted a New Drug Application to the U.S. Food and Drug Administration for Zentra. The company expects the FDA to decide on the acceptance of the application within 60 days.",
        {("submission", "FDA", None)},
        {("2014-09-12", "2014-09-12")},
    ),
    (
        "PARIS, December 11, 2009 -- Norvane SA announced today that it has withdrawn its marketing authorisation application for Velocor from the European Medicines Agency.",
        {("withdrawal", "EMA", None)},
        set(),
    ),
    (
        "NEW YORK, April 2, 2012 /PRNewswire/ -- Acme Inc. (NYSE: ACM) said the FDA has extended the review of its NDA for Zentra by three months. The new PDUFA goal date is July 26, 2012.",
        {("goal_date_extension", "FDA", None)},
        {("2012-07-26", "2012-07-26")},
    ),
    (
        "LEIDEN, The Netherlands, 18 January 2013 - Bexley N.V. (Euronext: BXL) today announced that the CHMP has issued a negative trend vote on the MAA for Amplivex. The company will present an oral explanation to the CHMP at its meeting in February.",
        {("trend_vote", "EMA", "negative"), ("advisory_meeting", "EMA", None)},
        {("2013-02-01", "2013-02-28")},
    ),
    (
        "SOUTH SAN FRANCISCO, Calif., Nov. 2, 2022 /PRNewswire/ -- Acme Bio (Nasdaq: ACMB) reported financial results for the third quarter of 2022 and announced that the FDA accepted its BLA for Zentra with a PDUFA date in the second quarter of 2023. The company will host a conference call today at 4:30 p.m. ET.",
        {("acceptance", "FDA", None), ("goal_date", "FDA", None)},
        {("2023-04-01", "2023-06-30")},
    ),
    (
        "ZUG, Switzerland, March 30, 2023 -- Ostara AG announced that the CHMP adopted a positive opinion for Velmira following the re-examination requested by the company.",
        # "the re-examination requested by the company" names the request, as "the
        # re-examination that the company requested" does: a back-reference
        {
            ("opinion", "EMA", "positive"),
            ("reexamination_outcome", "EMA", "positive"),
            ("reexamination_request", "EMA", None),
        },
        set(),
    ),
    (
        "WALTHAM, Mass., Aug. 8, 2011 -- Acme Inc. announced that it has submitted a formal dispute resolution request to the FDA's Office of New Drugs regarding the Complete Response Letter for Zentra. The company expects a response within 30 days of the FDA's receipt of the request.",
        {("reexamination_request", "FDA", None), ("refusal", "FDA", "negative")},
        {("2011-09-07", "2011-09-07")},
    ),
]
CASES += [
    (
        "PRINCETON, N.J., Mar. 20, 2008 /PRNewswire/ -- Acme Corp. (Nasdaq: ACME) announced that it received an approvable letter from the FDA for Zentra. Acme plans to respond to the letter by the end of the second quarter.",
        {("refusal", "FDA", "negative")},
        {("2008-06-30", "2008-06-30")},  # "by the end of" a period: its last day
    ),
    (
        "BOSTON, 3/20/2008 -- Acme Corp. said the FDA issued a refuse to file letter for its NDA for Zentra.",
        {("refusal", "FDA", "negative")},
        set(),
    ),
    (
        "LEIDEN, The Netherlands, 5 May 2009 - Bexley N.V. today announced that, following the negative opinion adopted in March, it has submitted the detailed grounds for re-examination to the EMEA. The CHMP re-examination opinion is expected in 3Q09.",
        {("opinion", "EMA", "negative"), ("reexamination_grounds", "EMA", None)},
        {("2009-07-01", "2009-09-30")},
    ),
    (
        "BOSTON, June 1, 2010 -- Acme Inc. today resubmitted its NDA for Zentra, responding to the complete response letter received in 2009. Acme expects the FDA to classify the resubmission as Class 2, which would set a six-month review.",
        {("resubmission", "FDA", None), ("refusal", "FDA", "negative")},
        # A conditional review clock counts (CONTRACT.md), from today's resubmission.
        {("2010-12-01", "2010-12-01")},
    ),
    (
        "NEW YORK, Sept. 9, 2019 /PRNewswire/ -- Acme Inc. announced that the FDA granted Breakthrough Therapy Designation and Fast Track designation to Zentra.",
        {("review_designation", "FDA", None)},
        set(),
    ),
    (
        "LONDON, 12 April 2018 -- Halcyon plc announced that the EMA has granted Norabel eligibility to PRIME and that the CHMP agreed to an accelerated assessment.",
        {("review_designation", "EMA", None)},
        set(),
    ),
    (
        "SOUTH SAN FRANCISCO, Calif., July 30, 2021 -- Acme Bio announced that Zentra has been approved in the United States and Japan.",
        {("approval", "FDA", "positive"), ("approval", "PMDA", "positive")},
        set(),
    ),
    (
        "SILVER SPRING, Md., Jan. 5, 2012 -- Acme Inc. said the FDA will convene its Arthritis Advisory Committee on April 12, 2012 to review the NDA for Zentra. The PDUFA date is May 15, 2012.",
        {("advisory_meeting", "FDA", None), ("goal_date", "FDA", None)},
        {("2012-04-12", "2012-04-12"), ("2012-05-15", "2012-05-15")},
    ),
    (
        "MUNICH, Germany, October 20, 2015 -- Ostara AG today reported that the CHMP has adopted its Day 180 List of Outstanding Issues for Velmira. Ostara expects to respond before the end of 2015 and anticipates a CHMP opinion in the first quarter of 2016.",
        set(),
        {("2015-12-31", "2015-12-31"), ("2016-01-01", "2016-03-31")},
    ),
    (
        "CAMBRIDGE, Mass., Nov. 12, 2013 -- Acme reported third quarter 2013 financial results. Cash will fund operations into the second half of 2015. The company's lead patent expires in 2027. Acme expects to complete enrollment in mid-2014.",
        set(),
        set(),
    ),
    (
        "BOSTON, Feb. 1, 2016 -- Acme Inc. (Nasdaq: ACME) said it expects an FDA decision on Zentra in the coming months and will update investors soon.",
        set(),
        set(),
    ),
    (
        "NEW YORK, Dec. 1, 2014 -- Acme Inc. said the FDA accepted its NDA for Zentra for filing. Under PDUFA, the FDA's goal is to complete its review within ten months of the filing date.",
        {("acceptance", "FDA", None)},
        {("2015-10-01", "2015-10-01")},
    ),
    (
        "OTTAWA, Ontario, April 4, 2011 -- Tamsin Inc. said Health Canada issued a Notice of Non-Compliance for its New Drug Submission for Kelvadra. Tamsin will respond no later than 90 days after receipt of the notice.",
        {("refusal", "HC", "negative")},
        {("2011-07-03", "2011-07-03")},
    ),
    (
        "SYDNEY, Australia, 1 August 2017 -- Pharmacor Ltd (ASX: PHC) said the Therapeutic Goods Administration has approved Sorvita. Swissmedic approval is expected between July and September 2018.",
        {("approval", "TGA", "positive")},
        {("2018-07-01", "2018-09-30")},
    ),
]


@pytest.mark.parametrize(
    ("text", "events", "deadlines"), CASES, ids=[f"case-{i:02d}" for i in range(len(CASES))]
)
def test_golden_case(text: str, events: set, deadlines: set) -> None:
    x = extract_text("case.txt", text)
    assert {(e.type, e.agency, e.outcome) for e in x.events} == events
    assert {(t.start.isoformat(), t.end.isoformat()) for t in x.timelines} == deadlines


# With the release date each must be read as.
DATED: list[tuple[str, set, set, str]] = [
    (
        "VALENCIA, Calif.--(BUSINESS WIRE)--Nov. 7, 2008-- Acme Corp. (Nasdaq: ACME) announced that the FDA approved Zentra on November 5, 2008.",
        {("approval", "FDA", "positive")},
        set(),
        "2008-11-07",
    ),
    (
        "Monday, 7 November 2011\n\nHalcyon plc announces that the European Commission and Swissmedic have approved Norabel.",
        {("approval", "EC", "positive"), ("approval", "SWISSMEDIC", "positive")},
        set(),
        "2011-11-07",
    ),
    (
        "HAMBURG, Germany, November 7th, 2012 -- Ostara AG announced that it has withdrawn the marketing authorisation application for Velmira after the CHMP's negative trend vote.",
        {("withdrawal", "EMA", None), ("trend_vote", "EMA", "negative")},
        set(),
        "2012-11-07",
    ),
    (
        "BETHESDA, Md., Sept. 14, 2016 -- Acme announced that the FDA's Peripheral and Central Nervous System Drugs Advisory Committee voted 5 to 8 against approval of Zentra.",
        {("trend_vote", "FDA", "negative")},
        set(),
        "2016-09-14",
    ),
    (
        "LONDON, 23 July 2010 -- Halcyon plc said the CHMP recommended the refusal of the marketing authorisation for Norabel. Halcyon intends to request a re-examination within 15 days.",
        {("opinion", "EMA", "negative")},
        {("2010-08-07", "2010-08-07")},
        "2010-07-23",
    ),
    (
        "NEW YORK, Jan. 15, 2015 /PRNewswire/ -- Acme said the PDUFA date for Zentra has been extended to April 28, 2015.",
        {("goal_date_extension", "FDA", None)},
        {("2015-04-28", "2015-04-28")},
        "2015-01-15",
    ),
    (
        "BRUSSELS, 2 February 2017 -- Bexley SA said it expects the European Commission's decision on Amplivex by mid-2017 and a launch in Germany in the second half of 2017.",
        set(),
        {("2017-08-31", "2017-08-31")},  # "by mid-2017": the period's last day, as "by June"
        "2017-02-02",
    ),
    (
        "SEOUL, Korea, Dec. 3, 2019 -- Mirae Bio announced that China's National Medical Products Administration (NMPA) has accepted its new drug application for Hanvex for review.",
        {("acceptance", "NMPA", None)},
        set(),
        "2019-12-03",
    ),
    (
        "INDIANAPOLIS, April 9, 2013 -- Acme reported that the FDA has completed its review and issued a complete response letter for Zentra on April 8, 2013. Acme will meet with the FDA to discuss next steps.",
        {("refusal", "FDA", "negative")},
        set(),
        "2013-04-09",
    ),
    (
        "BOSTON, May 2, 2022 -- Acme Inc. announced that the FDA has scheduled an advisory committee meeting for Zentra for June 9, 2022, ahead of the August 11, 2022 PDUFA goal date.",
        {("advisory_meeting", "FDA", None), ("goal_date", "FDA", None)},
        {("2022-06-09", "2022-06-09"), ("2022-08-11", "2022-08-11")},
        "2022-05-02",
    ),
    (
        "STOCKHOLM, 15 March 2012 -- Nordbio AB (OMX: NBIO) announced that the Swedish Medical Products Agency, acting as reference member state, has granted approval for Nordex in the decentralised procedure.",
        {("approval", "OTHER", "positive")},
        set(),
        "2012-03-15",
    ),
    (
        "PALO ALTO, Calif., Feb. 27, 2009 -- Acme Inc. announced that the FDA has accepted its Class 1 resubmission of the NDA for Zentra and set a new PDUFA date of April 27, 2009.",
        {("acceptance", "FDA", None), ("goal_date", "FDA", None), ("resubmission", "FDA", None)},
        {("2009-04-27", "2009-04-27")},
        "2009-02-27",
    ),
]


@pytest.mark.parametrize(
    ("text", "events", "deadlines", "released"),
    DATED,
    ids=[f"dated-{i:02d}" for i in range(len(DATED))],
)
def test_golden_dated_case(text: str, events: set, deadlines: set, released: str) -> None:
    x = extract_text("case.txt", text)
    assert x.release.date is not None and x.release.date.isoformat() == released
    assert {(e.type, e.agency, e.outcome) for e in x.events} == events
    assert {(t.start.isoformat(), t.end.isoformat()) for t in x.timelines} == deadlines


MORE: list[tuple[str, set, set]] = [
    (
        "BOSTON, March 1, 2012 -- Acme Inc. said the FDA extended the PDUFA date for Zentra from May 1, 2012 to August 1, 2012 after a major amendment.",
        # CONTRACT.md: an extension is one goal_date_extension; the original date it
        # states is a back-referenced goal_date (dated null); only the new date is due.
        {("goal_date_extension", "FDA", None), ("goal_date", "FDA", None)},
        {("2012-08-01", "2012-08-01")},
    ),
    (
        "BOSTON, March 1, 2012 -- Acme Inc. announced that the FDA approved Zentra today, ahead of its March 25, 2012 PDUFA date.",
        {("approval", "FDA", "positive"), ("goal_date", "FDA", None)},
        set(),
    ),
    (
        "BOSTON, March 1, 2012 -- Acme Inc. said it will provide an update on the FDA review of Zentra in the second quarter of 2012.",
        set(),
        set(),
    ),
]


@pytest.mark.parametrize(
    ("text", "events", "deadlines"),
    MORE,
    ids=["extension-from-to", "answered-goal-date", "update-is-no-act"],
)
def test_more_cases(text: str, events: set, deadlines: set) -> None:
    x = extract_text("case.txt", text)
    assert {(e.type, e.agency, e.outcome) for e in x.events} == events
    assert {(t.start.isoformat(), t.end.isoformat()) for t in x.timelines} == deadlines
