"""Failure classes seen on releases nobody tuned the reader for, each in our own words."""

from __future__ import annotations

from datetime import date

from tracker.extract import extract_text

HEAD = "BOSTON, June 3, 2024 /PRNewswire/ -- Acme Bio, Inc. (Nasdaq: ACME) today said "


def _dates(body: str) -> list[tuple[date, date, str]]:
    x = extract_text("x.txt", HEAD + body + "\n")
    return [(t.start, t.end, t.milestone) for t in x.timelines]


def test_an_anchor_told_before_its_offset() -> None:
    got = _dates(
        "that once the oral hearing on July 4, 2024 is over, the committee has ten days to "
        "adopt its opinion on Zentra."
    )
    assert (date(2024, 7, 14), date(2024, 7, 14), "opinion") in got
    assert not any(end == date(2024, 6, 13) for _, end, _ in got)  # not from the release


def test_a_date_moved_back_keeps_only_its_new_day() -> None:
    got = _dates(
        "the FDA has moved the target action date for Zentra from June 28, 2024 back to "
        "September 27, 2024."
    )
    assert got == [(date(2024, 9, 27), date(2024, 9, 27), "action-date")]


def test_an_extension_length_is_no_deadline() -> None:
    got = _dates(
        "the FDA extended its review of the application for Zentra by three months; the new "
        "goal date is September 28, 2024."
    )
    assert got == [(date(2024, 9, 28), date(2024, 9, 28), "action-date")]


def _events(body: str) -> list[tuple[str, str, str | None, date | None]]:
    x = extract_text("x.txt", HEAD + body + "\n")
    return [(e.type, e.agency, e.outcome, e.date) for e in x.events]


def test_a_refusal_taken_back_is_a_positive_reexamination_outcome() -> None:
    got = _events(
        "Health Canada withdrew its notice of non-compliance for Zentra after reconsideration, "
        "and the review resumes."
    )
    assert ("reexamination_outcome", "HC", "positive", date(2024, 6, 3)) in got
    # The notice itself is named as what was withdrawn: a back-reference, not today's news.
    assert ("refusal", "HC", "negative", date(2024, 6, 3)) not in got


def test_the_opinion_a_request_names_is_a_back_reference() -> None:
    got = _events("it has asked the CHMP to look again at its negative opinion on Zentra.")
    assert ("reexamination_request", "EMA", None, date(2024, 6, 3)) in got
    assert ("opinion", "EMA", "negative", None) in got


EU_HEAD = (
    "LEIDEN, The Netherlands, March 4, 2025 /PRNewswire/ -- Halvora Pharma N.V. "
    "(Euronext: HALV) today announced that "
)


def _read(body: str) -> tuple[list[tuple[str, str, date | None]], list[tuple[date, date]]]:
    x = extract_text("x.txt", EU_HEAD + body + "\n")
    return [(e.type, e.agency, e.date) for e in x.events], [(t.start, t.end) for t in x.timelines]


def test_a_meeting_in_the_dateline_sentence_is_dated_by_its_own_day() -> None:
    events, _ = _read(
        "the FDA will hold an advisory committee meeting to discuss the application for "
        "Nexatrel on April 17, 2025."
    )
    assert ("advisory_meeting", "FDA", date(2025, 4, 17)) in events


def test_an_earlier_approval_of_the_same_kind_is_its_own_back_reference() -> None:
    events, _ = _read(
        "the MHRA granted a conditional marketing authorisation for Nexatrel, following its "
        "approval by the European Commission in January 2025."
    )
    assert ("approval", "MHRA", date(2025, 3, 4)) in events
    assert ("approval", "EC", None) in events  # named as background, dated only by a month


def test_a_ministry_named_in_full_approves() -> None:
    events, _ = _read("the Japanese Ministry of Health, Labour and Welfare approved Nexatrel.")
    assert ("approval", "PMDA", date(2025, 3, 4)) in events


def test_the_date_a_new_one_replaces_is_gone() -> None:
    _, timelines = _read(
        "the CHMP's opinion on Nexatrel is now expected at its May 2025 meeting rather than "
        "in April."
    )
    assert timelines == [(date(2025, 5, 1), date(2025, 5, 31))]


US_HEAD = (
    "SAN DIEGO, Calif., January 9, 2023 /PRNewswire/ -- Corvid Therapeutics, Inc. "
    "(Nasdaq: CRVD) today announced that "
)


def _us(body: str) -> list[tuple[str, str, str | None, date | None]]:
    x = extract_text("x.txt", US_HEAD + body + "\n")
    return [(e.type, e.agency, e.outcome, e.date) for e in x.events]


def test_an_extension_naming_the_original_date_is_still_todays_news() -> None:
    got = _us(
        "the FDA has extended the review period for the Talvexa NDA; the new PDUFA date is "
        "October 8, 2023, three months after the original date."
    )
    assert ("goal_date_extension", "FDA", None, date(2023, 1, 9)) in got


def test_the_opinion_an_act_follows_is_a_back_reference() -> None:
    got = _us(
        "the European Commission has granted orphan drug designation to Talvexa, following a "
        "positive opinion from the EMA's Committee for Orphan Medicinal Products."
    )
    assert ("opinion", "EMA", "positive", None) in got


MA_HEAD = (
    "CAMBRIDGE, Mass., May 15, 2019 /PRNewswire/ -- Lumen Biosciences, Inc. "
    "(Nasdaq: LUMN) today announced that "
)


def _ma(body: str) -> tuple[list[tuple[str, str, date | None]], list[tuple[date, date]]]:
    x = extract_text("x.txt", MA_HEAD + body + "\n")
    return [(e.type, e.agency, e.date) for e in x.events], [(t.start, t.end) for t in x.timelines]


def test_how_long_a_done_act_took_is_no_deadline() -> None:
    events, timelines = _ma(
        "the European Commission has approved Orvanta, one month after the CHMP recommended "
        "its approval."
    )
    assert ("approval", "EC", date(2019, 5, 15)) in events
    assert timelines == []


def test_another_agencys_expectation_leaves_todays_approvals_standing() -> None:
    events, timelines = _ma(
        "Swissmedic and Health Canada have both approved Orvanta, and Australia's TGA is "
        "expected to decide in the second half of 2019."
    )
    assert {
        ("approval", "SWISSMEDIC", date(2019, 5, 15)),
        ("approval", "HC", date(2019, 5, 15)),
    } <= set(events)
    assert timelines == [(date(2019, 7, 1), date(2019, 12, 31))]


def test_a_refusal_to_file_told_with_a_verb() -> None:
    events, _ = _ma("the FDA has refused to file its NDA for Orvanta.")
    assert ("refusal", "FDA", date(2019, 5, 15)) in events


FR_HEAD = (
    "PARIS, France, October 2, 2017 /PRNewswire/ -- Corvette Biotherapies S.A. "
    "(Euronext: CRVT) today announced that "
)


def _fr(body: str) -> tuple[list[tuple[str, str, date | None]], list[tuple[date, date, str]]]:
    x = extract_text("x.txt", FR_HEAD + body + "\n")
    return (
        [(e.type, e.agency, e.date) for e in x.events],
        [(t.start, t.end, t.milestone) for t in x.timelines],
    )


def test_a_step_some_months_later_counts_from_the_step_before() -> None:
    _, timelines = _fr(
        "the CHMP is expected to issue its opinion on Velantis in the first quarter of 2018, "
        "with a Commission decision expected approximately two months later."
    )
    assert (date(2018, 1, 1), date(2018, 3, 31), "opinion") in timelines
    assert (date(2018, 5, 31), date(2018, 5, 31), "commission-decision") in timelines


def test_a_meeting_dated_by_a_window_has_no_day() -> None:
    events, timelines = _fr(
        "its oral explanation before the CHMP is scheduled for the committee's November 6-9, "
        "2017 meeting."
    )
    assert ("advisory_meeting", "EMA", None) in events
    assert (date(2017, 11, 6), date(2017, 11, 9), "advisory-meeting") in timelines
    events, _ = _fr(
        "the FDA assigned a PDUFA target date of June 30, 2018 and plans to hold an advisory "
        "committee meeting in the second quarter of 2018."
    )
    assert ("advisory_meeting", "FDA", None) in events  # not the PDUFA date


def test_the_verb_heads_the_act_a_subject_will_perform() -> None:
    _, timelines = _fr("it plans to file for approval in Japan during the first half of next year.")
    assert timelines == [(date(2018, 1, 1), date(2018, 6, 30), "submission")]


CA_HEAD = (
    "TORONTO, Ontario, March 2, 2021 /CNW/ -- Borealis Pharma Inc. (TSX: BRL) today announced that "
)


def test_an_anchor_whose_day_is_told_after_it() -> None:
    x = extract_text(
        "x.txt",
        CA_HEAD + "the MHRA is expected to complete its assessment of Quenta within 150 days of "
        "validation, which took place on February 15, 2021.\n",
    )
    assert [(t.end, t.anchor_date) for t in x.timelines] == [(date(2021, 7, 15), date(2021, 2, 15))]


def test_acceptance_for_priority_review_is_a_designation_and_an_australian_registration() -> None:
    x = extract_text(
        "x.txt",
        CA_HEAD + "Health Canada has accepted its New Drug Submission for Quenta for priority "
        "review. The Therapeutic Goods Administration (TGA) registered Quenta on the "
        "Australian Register of Therapeutic Goods.\n",
    )
    got = {(e.type, e.agency, e.detail) for e in x.events}
    assert {
        ("acceptance", "HC", None),
        ("review_designation", "HC", "priority-review"),
        ("approval", "TGA", None),
    } <= got


def test_a_goal_date_answered_before_it_came_is_no_deadline() -> None:
    x = extract_text(
        "x.txt",
        "BASEL, Switzerland, June 20, 2016 /PRNewswire/ -- Altmark Pharma AG (SIX: ALTM) today "
        "announced that the FDA has granted approval for Fendrix XR. The approval comes ahead "
        "of the September 15, 2016 PDUFA date.\n",
    )
    assert x.timelines == ()


def test_a_dated_bullet_of_a_results_release_keeps_its_day() -> None:
    x = extract_text(
        "results.txt",
        "MUNICH, Germany, November 8, 2022 /PRNewswire/ -- Ostara Biotech SE (FSE: OSTB) today "
        "reported financial results for the third quarter of 2022.\n\nPipeline highlights\n"
        "- Zelvira: The FDA accepted the BLA in September 2022.\n"
        "- Kortex: Health Canada approved Kortex on October 3, 2022.\n",
    )
    assert x.release.ticker == "OSTB"
    got = {(e.type, e.agency, e.date) for e in x.events}
    assert ("approval", "HC", date(2022, 10, 3)) in got
    assert ("acceptance", "FDA", None) in got  # undated bullet: background


NY_HEAD = (
    "NEW YORK, April 4, 2013 /PRNewswire/ -- Meridian Pharma Corp. (NYSE: MRD) today "
    "announced that "
)


def test_a_unanimous_vote_against_is_negative() -> None:
    x = extract_text(
        "x.txt", NY_HEAD + "the panel voted unanimously against approval of Solvira.\n"
    )
    assert [(e.type, e.outcome) for e in x.events] == [("trend_vote", "negative")]


def test_the_subject_before_a_relative_clause_names_the_act() -> None:
    x = extract_text(
        "x.txt",
        NY_HEAD + "Meridian has received a positive CHMP opinion for Solvira, and that the "
        "Commission's decision, which normally follows within three months, is expected in the "
        "third quarter of 2013.\n",
    )
    assert (date(2013, 7, 1), date(2013, 9, 30), "commission-decision") in {
        (t.start, t.end, t.milestone) for t in x.timelines
    }


IE_HEAD = (
    "DUBLIN, Ireland, September 12, 2019 /PRNewswire/ -- Eskar Therapeutics plc "
    "(Nasdaq: ESKR) today announced that "
)


def _ie(body: str) -> tuple[list[tuple[str, str, str | None]], list[tuple[date, date]]]:
    x = extract_text("x.txt", IE_HEAD + body + "\n")
    return [(e.type, e.agency, e.outcome) for e in x.events], [
        (t.start, t.end) for t in x.timelines
    ]


def test_an_application_found_valid_is_accepted() -> None:
    assert ("acceptance", "EMA", None) in _ie(
        "the EMA has confirmed that the Marketing Authorisation Application for Pelvira is valid."
    )[0]
    assert ("acceptance", "FDA", None) in _ie(
        "the FDA has determined that the application is sufficiently complete to permit a "
        "substantive review."
    )[0]


def test_a_committee_recommending_against_is_a_negative_opinion() -> None:
    events, _ = _ie("the CHMP recommended against approval of Pelvira.")
    assert events == [("opinion", "EMA", "negative")]


def test_a_review_clock_shortened_to_some_days_is_no_deadline() -> None:
    events, timelines = _ie(
        "Health Canada granted Priority Review status to the New Drug Submission for Pelvira, "
        "shortening the review target to 180 days from 300 days."
    )
    assert ("review_designation", "HC", None) in events
    assert timelines == []


def test_before_a_committee_is_in_front_of_it_not_ahead_in_time() -> None:
    x = extract_text(
        "x.txt",
        "SEATTLE, Wash., July 7, 2021 /PRNewswire/ -- Cascadia Bio, Inc. (Nasdaq: CSBI) today "
        "announced that a hearing before the FDA's Advisory Committee took place on July 1, "
        "2021, at which the committee voted 9-3 in favour.\n",
    )
    got = {(e.type, e.agency, e.outcome) for e in x.events}
    assert {("advisory_meeting", "FDA", None), ("trend_vote", "FDA", "positive")} <= got


def test_a_final_decision_the_commission_takes_is_one_deadline() -> None:
    x = extract_text(
        "x.txt",
        "SEATTLE, Wash., July 7, 2021 /PRNewswire/ -- Cascadia Bio, Inc. (Nasdaq: CSBI) today "
        "announced that the CHMP has adopted a positive opinion for Rivlena; the European "
        "Commission will review the CHMP recommendation and a final decision is expected in "
        "approximately 67 days.\n",
    )
    assert [(t.end, t.milestone) for t in x.timelines] == [
        (date(2021, 9, 12), "commission-decision")
    ]


def test_coordinated_offsets_each_date_their_own_act() -> None:
    # Two acts, two offsets: each offset dates the act beside it, the anchor ("receipt of
    # the opinion") is no act, and the second offset shares the first's anchor.
    got = _dates(
        "the CHMP adopted a negative opinion on Zentra and that it will ask for a "
        "re-examination. The company must notify the agency in writing within 15 days of "
        "receipt of the opinion and send its detailed grounds within 60 days."
    )
    assert sorted(got) == [
        (date(2024, 6, 18), date(2024, 6, 18), "reexamination-request"),
        (date(2024, 8, 2), date(2024, 8, 2), "reexamination-grounds"),
    ]


def test_an_offset_opening_its_clause_dates_the_acts_after_it() -> None:
    got = _dates(
        "that it resubmitted the NDA for Zentra on June 1, 2024. Fourteen days after receipt "
        "of the resubmission, the FDA will tell the company whether it has accepted it."
    )
    assert [(a, b) for a, b, _ in got] == [(date(2024, 6, 15), date(2024, 6, 15))]


def test_a_french_release_reads_its_year_words() -> None:
    x = extract_text(
        "x.txt",
        "Paris, le 3 juin 2024 - Acme Santé (Euronext : ACME) annonce que l'Agence européenne "
        "des médicaments a validé la demande d'autorisation de mise sur le marché de Zentra. "
        "L'avis du CHMP est attendu au second semestre 2025. La société prévoit de déposer "
        "un dossier auprès de la FDA d'ici la fin de l'année 2024.\n",
    )
    assert x.release.date == date(2024, 6, 3)
    spans = {(t.start, t.end) for t in x.timelines}
    assert (date(2025, 7, 1), date(2025, 12, 31)) in spans
    assert (date(2024, 12, 31), date(2024, 12, 31)) in spans


def test_an_anchor_with_its_own_day_counts_from_that_day() -> None:
    # "three months after the original date of August 2" is the new date again, not three
    # months from the release.
    got = _dates(
        "the FDA extended the review of Zentra; the new action date is November 2, 2024, "
        "three months after the original date of August 2, 2024."
    )
    assert got == [(date(2024, 11, 2), date(2024, 11, 2), "action-date")]


def test_a_goal_date_a_classification_would_set_is_not_set_yet() -> None:
    x = extract_text(
        "x.txt",
        HEAD + "that it has resubmitted the NDA for Zentra, answering the complete response "
        "letter. It believes the resubmission will be a Class 2 response, which would set a "
        "goal date about six months from the resubmission. The FDA is expected to tell the "
        "company of the classification within 14 days.\n",
    )
    assert "goal_date" not in [e.type for e in x.events]
    spans = {(t.start, t.end, t.milestone) for t in x.timelines}
    assert (date(2024, 12, 3), date(2024, 12, 3), "action-date") in spans
    assert (date(2024, 6, 17), date(2024, 6, 17), "classification") in spans


def test_a_filing_told_by_its_agency_alone() -> None:
    got = _events("that Acme also filed with Swissmedic in October 2023.")
    assert [(t, a) for t, a, _, _ in got] == [("submission", "SWISSMEDIC")]


def test_a_release_without_a_dateline_keeps_its_stated_full_dates_ahead() -> None:
    # A page copy that lost its dateline: the latest day it tells as done is where it
    # speaks from; the goal date it tells as ahead is a deadline; "today" dates nothing.
    x = extract_text(
        "x.txt",
        "Acme Bio said today that the FDA has accepted for filing its NDA for Zentra, which "
        "was submitted on April 15, 2011. The PDUFA goal date for the review is February 17, "
        "2012. The company also plans to launch within 60 days of approval.\n",
    )
    assert x.release.date is None
    assert [(t.start, t.milestone) for t in x.timelines] == [(date(2012, 2, 17), "action-date")]
    got = {(e.type, e.date) for e in x.events}
    assert ("acceptance", None) in got
    assert ("submission", date(2011, 4, 15)) in got


def test_a_meeting_date_in_the_lead_sentence_is_not_the_dateline() -> None:
    x = extract_text(
        "x.txt",
        "TRENTON, N.J.--(BUSINESS WIRE)--Acme Bio, Inc. (NASDAQ: ACME) today announced that "
        "its NDA for Zentra will be discussed at an advisory committee meeting scheduled for "
        "October 16, 2012.\n",
    )
    assert x.release.date is None
    assert (date(2012, 10, 16), date(2012, 10, 16)) in {(t.start, t.end) for t in x.timelines}


def test_a_goal_date_for_a_resubmission_is_not_answered_by_the_letter_it_answers() -> None:
    got = _dates(
        "that the FDA has classified the resubmission of the Zentra NDA as a complete Class 2 "
        "response to the FDA's February 10, 2024 action letter and assigned a new PDUFA "
        "action date of November 4, 2024. Acme received a complete response letter on "
        "February 10, 2024."
    )
    assert (date(2024, 11, 4), date(2024, 11, 4), "action-date") in got


def test_an_undated_title_announcing_a_meeting_on_a_day_is_a_meeting_to_come() -> None:
    x = extract_text(
        "x.txt",
        "Acme Bio Announces FDA Advisory Committee Meeting On November 14, 2013 For Zentra\n\n"
        "Acme Bio said the FDA has notified it that the committee will review the NDA.\n",
    )
    assert (date(2013, 11, 14), "advisory-meeting") in {(t.start, t.milestone) for t in x.timelines}


def test_a_second_step_of_one_act_told_without_its_object() -> None:
    got = _dates(
        "that the rolling submission of the NDA for Zentra is on track to begin in the third "
        "quarter of 2024 and to be completed by the end of the fourth quarter of 2024."
    )
    assert [(a, b) for a, b, _ in got] == [
        (date(2024, 7, 1), date(2024, 9, 30)),
        (date(2024, 12, 31), date(2024, 12, 31)),
    ]


def test_an_undated_release_without_a_full_date_keeps_periods_it_tells_as_ahead() -> None:
    x = extract_text(
        "x.txt",
        "Acme Bio said the CHMP adopted a positive opinion on Zentra. The decision of the "
        "European Commission is anticipated in June 2021. Acme filed the application in "
        "March 2020.\n",
    )
    assert [(t.start, t.end) for t in x.timelines] == [(date(2021, 6, 1), date(2021, 6, 30))]


def test_a_date_glued_to_its_label_is_the_dateline_and_a_call_date_is_not() -> None:
    assert extract_text("x.txt", "Media Release25 May 2011\n\nAcme Bio said.\n").release.date == (
        date(2011, 5, 25)
    )
    x = extract_text(
        "x.txt",
        "Acme Bio annonce que le CHMP a adopté une tendance négative. Acme Bio tiendra une "
        "conférence le jeudi 30 mai 2024 à 17h30.\n",
    )
    assert x.release.date is None


def test_resubmissions_told_with_the_noun() -> None:
    assert ("resubmission", "FDA") in {
        (t, a)
        for t, a, _, _ in _events("that it filed the resubmission with the FDA on May 2, 2024.")
    }
    got = _events("that the data were given in the March 2024 BLA resubmission to the FDA.")
    assert ("resubmission", "FDA", None, None) in got
    got = _events("that the FDA has accepted for review Acme's Complete Response for Zentra.")
    assert ("resubmission", "FDA", None, None) in got


def test_approvals_and_acceptances_in_other_words() -> None:
    got = {
        (t, a)
        for t, a, _, _ in _events(
            "that the MHRA has granted the Great Britain marketing authorization of Zentra."
        )
    }
    assert ("approval", "MHRA") in got
    got = {(t, a) for t, a, _, _ in _events("that in May 2024 the FDA filed the company's NDA.")}
    assert got == {("acceptance", "FDA")}  # the agency filing it is its acceptance
    got = {
        (t, a)
        for t, a, _, _ in _events(
            "that the completion of the MAA validation by the EMA starts the review."
        )
    }
    assert ("acceptance", "EMA") in got


def test_a_french_approval_granted() -> None:
    x = extract_text(
        "x.txt",
        "Lyon, le 3 juin 2024 - Acme Santé annonce que l'agence britannique MHRA a accordé une "
        "autorisation conditionnelle de mise sur le marché pour Zentra.\n",
    )
    assert [(e.type, e.agency, e.date) for e in x.events] == [
        ("approval", "MHRA", date(2024, 6, 3))
    ]


def test_generic_and_conditional_mentions_are_no_events() -> None:
    # Generic benefits "following approval", an adjectival "FDA approved labeling", a letter
    # the company will have only "until it is in receipt", a clock that "will be set".
    got = _events(
        "that orphan status gives seven years of exclusivity following approval. See the "
        "Food and Drug Administration approved labeling for Zentra. Until the company is in "
        "receipt of the CRL, it cannot comment. A new review clock under PDUFA will be set "
        "from the date of receipt."
    )
    assert got == []


def test_a_submission_announced_by_its_product_and_place() -> None:
    got = _events('that "we are excited to announce the submission of Zentra in Canada".')
    assert ("submission", "HC") in {(t, a) for t, a, _, _ in got}


def test_french_trend_vote_and_oral_explanation() -> None:
    x = extract_text(
        "x.txt",
        "Lyon, le 3 juin 2024 - Acme Santé annonce que le CHMP a adopté une tendance vers un "
        "avis négatif sur la demande pour Zentra, à la suite de la présentation orale tenue "
        "lors de sa réunion de mai. La société étudiera une éventuelle demande de réexamen.\n",
    )
    got = {(e.type, e.agency, e.outcome) for e in x.events}
    assert ("trend_vote", "EMA", "negative") in got
    assert ("advisory_meeting", "EMA", None) in got
    assert not {t for t, _, _ in got} & {"opinion", "reexamination_request"}


def test_a_decision_to_withdraw_and_a_designation_already_held() -> None:
    got = {
        (t, a)
        for t, a, _, _ in _events(
            "its decision to withdraw the Conditional Marketing Authorisation (CMA) application "
            "for Zentra submitted to the EMA. Zentra has already been granted orphan drug "
            "designation, giving exclusivity following this marketing authorization."
        )
    }
    assert ("withdrawal", "EMA") in got
    assert not {t for t, _ in got} & {"review_designation", "approval"}


def test_prior_to_is_no_superseding_word_and_not_ready_to_act_is_missed() -> None:
    got = _dates(
        "that the CHMP will vote on the Zentra application prior to the end of its review, at "
        "its next meeting which concludes on 23 June 2024."
    )
    assert [(a, b) for a, b, _ in got] == [(date(2024, 6, 23), date(2024, 6, 23))]
    got = _dates(
        "that the FDA told it that it will not be ready to take an action by June 28, 2024 on "
        "the NDA for Zentra."
    )
    assert got == []


def test_market_access_is_no_regulatory_act() -> None:
    assert _dates("that it expects market access for Zentra in the first half of 2025.") == []


def test_an_undated_release_keeps_a_review_clock_counted_from_a_day_it_gives() -> None:
    x = extract_text(
        "x.txt",
        "Acme Bio said the FDA agreed that the filing is a Class 1 resubmission with a "
        "two-month review cycle, and the company filed the resubmission with the FDA on "
        "January 21, 2010. It expects a decision from the FDA by March 21, 2010.\n",
    )
    assert {(t.start, t.end) for t in x.timelines} == {(date(2010, 3, 21), date(2010, 3, 21))}


def test_one_decision_per_agency_named_side_by_side() -> None:
    x = extract_text(
        "x.txt",
        HEAD + "that applications for Zentra are under review by Health Canada and "
        "Swissmedic, with decisions expected in 2025.\n",
    )
    got = sorted((t.agency or "", t.start, t.end) for t in x.timelines)
    assert got == [
        ("HC", date(2025, 1, 1), date(2025, 12, 31)),
        ("SWISSMEDIC", date(2025, 1, 1), date(2025, 12, 31)),
    ]


def test_a_review_completed_in_line_with_its_target_is_no_deadline() -> None:
    got = _dates(
        "that Health Canada has completed its regulatory review of Zentra in line with its "
        "200 day review target, and issued a qualifying notice."
    )
    assert got == []


def test_acts_from_a_list_of_agencies_name_those_agencies() -> None:
    got = _events(
        "that the submission of Zentra to Swissmedic follows approvals from the U.S. FDA, the "
        "European Commission and the UK MHRA, in addition to acceptance for priority review "
        "from China's NMPA."
    )
    pairs = {(t, a) for t, a, _, _ in got}
    assert {("approval", "FDA"), ("approval", "EC"), ("approval", "MHRA")} <= pairs
    assert ("acceptance", "NMPA") in pairs
    assert ("approval", "SWISSMEDIC") not in pairs


def test_an_anchor_naming_a_step_dated_earlier_counts_from_it() -> None:
    got = _dates(
        "that it asked the CHMP to re-examine its negative opinion on Zentra. It will submit "
        "the detailed grounds within 60 days of receipt of the opinion. The CHMP will then "
        "issue its final opinion within 60 days of receiving the grounds."
    )
    assert (date(2024, 8, 2), date(2024, 8, 2), "reexamination-grounds") in got
    assert date(2024, 10, 1) in {b for _, b, _ in got}  # 60 days after the grounds


def test_a_review_clock_started_by_a_response_just_stated() -> None:
    got = _dates(
        "that Health Canada issued a Notice of Non-Compliance for Zentra. Acme will respond "
        "within 90 days. A response would start a new 150-day review by Health Canada."
    )
    # 90 days from the release, then 150 days from that response (not from the release)
    assert sorted(got) == [
        (date(2024, 9, 1), date(2024, 9, 1), "response"),
        (date(2025, 1, 29), date(2025, 1, 29), "decision"),
    ]


def test_a_past_meeting_window_and_a_step_some_days_later() -> None:
    got = _dates(
        "that it presented an oral explanation to the CHMP at its June meeting. The CHMP is "
        "expected to adopt an opinion at its July 2024 meeting. If the opinion is positive, a "
        "Commission decision would follow around 67 days later."
    )
    spans = {(a, b) for a, b, _ in got}
    assert (date(2024, 6, 1), date(2024, 6, 30)) not in spans  # presented: past
    assert (date(2024, 7, 1), date(2024, 7, 31)) in spans
    assert (date(2024, 10, 6), date(2024, 10, 6)) in spans  # July 31 + 67 days


def test_a_sentence_going_on_about_the_meeting_just_named() -> None:
    got = _dates(
        "that the FDA will convene an advisory committee to review the NDA for Zentra. The "
        "meeting will take place on September 12, 2024."
    )
    assert [(a, b) for a, b, _ in got] == [(date(2024, 9, 12), date(2024, 9, 12))]


def test_an_authorisation_issued_by_the_commission_names_its_product_in_between() -> None:
    got = _events(
        "a marketing authorisation for Zentra was issued by the European Commission on May 30, "
        "2024."
    )
    assert got == [("approval", "EC", "positive", date(2024, 5, 30))]


def test_detailed_grounds_lodged_without_naming_the_reexamination() -> None:
    got = _events(
        "it has asked the CHMP to re-examine its opinion on Zentra. The company lodged its "
        "detailed grounds with the agency on May 28, 2024."
    )
    assert ("reexamination_grounds", "EMA", None, date(2024, 5, 28)) in got


def test_a_hearing_told_in_the_past_with_its_day_after_it() -> None:
    got = _events(
        "the FDA advisory committee heard the company and the agency at a session held on May "
        "30, 2024 and voted nine to four in favour of Zentra."
    )
    assert ("advisory_meeting", "FDA", None, date(2024, 5, 30)) in got
    assert ("trend_vote", "FDA", "positive", date(2024, 5, 30)) in got


def test_the_submission_day_in_an_acceptance_sentence_is_the_submissions() -> None:
    x = extract_text(
        "x.txt",
        HEAD + "that the FDA accepted the NDA for Zentra, which starts a ten-month review clock "
        "from the submission on April 2, 2024.\n",
    )
    got = {(e.type, e.date) for e in x.events}
    assert ("acceptance", date(2024, 6, 3)) in got  # today's news: dated by the release
    assert ("submission", date(2024, 4, 2)) in got  # the day the text gives it
    assert [(t.start, t.milestone) for t in x.timelines] == [(date(2025, 2, 2), "action-date")]


def test_a_goal_date_moved_out_with_the_day_it_now_falls_on() -> None:
    assert ("goal_date_extension", "FDA", None, date(2024, 6, 3)) in _events(
        "the FDA moved the action date for Zentra out by three months, now falling on "
        "September 30, 2024."
    )
    got = _dates(
        "the FDA moved the action date for Zentra out by three months, now falling on "
        "September 30, 2024."
    )
    assert got == [(date(2024, 9, 30), date(2024, 9, 30), "action-date")]


def test_an_application_found_not_approvable_is_a_refusal() -> None:
    got = _events(
        "the FDA told the company that the NDA for Zentra was not approvable on May 24, 2024."
    )
    assert got == [("refusal", "FDA", "negative", date(2024, 5, 24))]


def test_a_sponsor_meeting_named_without_an_agency_is_still_dated() -> None:
    got = _dates("it plans to request a Type A meeting within 30 days.")
    assert got == [(date(2024, 7, 3), date(2024, 7, 3), "meeting")]


def test_a_decision_told_as_the_agencys_verb() -> None:
    assert _dates("that the TGA is expected to rule on Zentra in the fourth quarter of 2024.") == [
        (date(2024, 10, 1), date(2024, 12, 31), "decision")
    ]
    # The company deciding is no regulatory decision.
    assert _dates("the company will decide on a launch in the fourth quarter of 2024.") == []


def test_the_agency_validating_the_application_in_the_plain_past() -> None:
    assert _events("that the EMA validated the MAA for Zentra.") == [
        ("acceptance", "EMA", None, date(2024, 6, 3))
    ]


def test_the_end_of_the_month_or_quarter_the_release_speaks_in() -> None:
    assert _dates("it will submit its responses to the EMA by the end of the month.") == [
        (date(2024, 6, 30), date(2024, 6, 30), "response")
    ]


def test_a_fast_track_and_an_orphan_designation_from_two_agencies_in_one_sentence() -> None:
    got = {
        (t, a)
        for t, a, _, _ in _events(
            "that Zentra was granted Fast Track designation by the FDA and Orphan Drug "
            "Designation by the EMA."
        )
    }
    # Each designation is its own agency's; an EU orphan designation is the Commission's.
    assert got == {("review_designation", "FDA"), ("review_designation", "EC")}


def test_one_planned_filing_phrase_for_two_agencies_gives_one_deadline_each() -> None:
    x = extract_text(
        "x.txt",
        HEAD + "it expects to submit the BLA for Zentra to the FDA and the MAA to the EMA in "
        "the fourth quarter of 2024, and a filing in Japan to the PMDA in 2025.\n",
    )
    got = sorted((t.start, t.agency or "") for t in x.timelines if t.milestone == "submission")
    assert [start for start, _ in got] == [date(2024, 10, 1), date(2024, 10, 1), date(2025, 1, 1)]
    assert {agency for start, agency in got if start.year == 2024} == {"EMA", "FDA"}


def test_french_acceptance_goal_date_and_authorisation_in_their_own_words() -> None:
    x = extract_text(
        "x.txt",
        "PARIS, le 3 juin 2024 -- Acme SA annonce que la FDA a accepté le dépôt du dossier de "
        "Zentra et a fixé la date PDUFA au 15 février 2025. La société a par ailleurs obtenu "
        "l'autorisation de mise sur le marché de la Commission européenne pour Velora.\n",
    )
    got = {(e.type, e.agency, e.date) for e in x.events}
    assert ("acceptance", "FDA", date(2024, 6, 3)) in got
    assert ("goal_date", "FDA", date(2024, 6, 3)) in got
    assert ("approval", "EC", date(2024, 6, 3)) in got
    assert [(t.start, t.milestone) for t in x.timelines] == [(date(2025, 2, 15), "action-date")]


def test_a_date_originally_expected_and_now_expected_keeps_the_new_window() -> None:
    got = _dates(
        "that the FDA decision on Zentra, originally expected in the fourth quarter of 2024, is "
        "now expected in the first quarter of 2025."
    )
    assert got == [(date(2025, 1, 1), date(2025, 3, 31), "action-date")]


def test_a_chain_step_told_after_which_or_then_in_the_same_sentence() -> None:
    for words in ("after which the CHMP has 60 days", "and the CHMP will then have 60 days"):
        got = _dates(
            "it has asked the CHMP to re-examine its negative opinion on Zentra. The detailed "
            f"grounds are due within 60 days of receipt of the opinion, {words} to adopt its "
            "final opinion."
        )
        assert (date(2024, 8, 2), date(2024, 8, 2), "reexamination-grounds") in got, words
        assert (date(2024, 10, 1), date(2024, 10, 1), "opinion") in got, words


def test_offset_ranges_span_both_ends_forward_and_back() -> None:
    got = _dates(
        "that the FDA advisory committee will meet on September 12, 2024. The company will submit "
        "its briefing document to the FDA four to six weeks before the meeting."
    )
    assert (date(2024, 8, 1), date(2024, 8, 15), "submission") in got
    assert (date(2024, 9, 12), date(2024, 9, 12), "advisory-meeting") in got
    got = _dates(
        "the CHMP adopted a positive opinion on Zentra; the Commission decision follows 60 to 90 "
        "days after the opinion."
    )
    assert got == [(date(2024, 8, 2), date(2024, 9, 1), "commission-decision")]


def test_weeks_before_an_act_the_release_does_not_date_count_from_the_release() -> None:
    got = _dates("the FDA needs about four more weeks before its review of the NDA is complete.")
    assert [(s, e) for s, e, _ in got] == [(date(2024, 7, 1), date(2024, 7, 1))]


def test_a_hearing_only_asked_for_is_no_event_but_its_month_is_a_deadline() -> None:
    x = extract_text(
        "x.txt", HEAD + "it intends to request an oral explanation at the CHMP's July meeting.\n"
    )
    assert [e.type for e in x.events] == []
    assert [(t.start, t.end) for t in x.timelines] == [(date(2024, 7, 1), date(2024, 7, 31))]


def test_a_background_approval_names_its_place_after_the_act() -> None:
    got = _events(
        "it received approval from Swissmedic for Zentra, following approval in the European "
        "Union in March."
    )
    assert ("approval", "SWISSMEDIC", "positive", date(2024, 6, 3)) in got
    assert ("approval", "EC", "positive", None) in got


def test_an_anchor_given_its_own_day_by_received_on() -> None:
    got = _dates(
        "a response is due to Health Canada within 90 days of the Notice of Deficiency received "
        "on May 1, 2024."
    )
    assert [(s, e) for s, e, _ in got] == [(date(2024, 7, 30), date(2024, 7, 30))]


def test_around_mid_year() -> None:
    got = _dates("it plans to submit the BLA around mid-year.")
    assert got == [(date(2024, 5, 1), date(2024, 8, 31), "submission")]


def test_the_kind_of_application_names_its_agency_when_no_agency_or_country_is_named() -> None:
    canada = "TORONTO, Ontario, June 3, 2024 /CNW/ -- Maple Pharma Inc. (TSX: MPL) today said "
    for words, agency in (("NDA", "FDA"), ("NDS", "HC"), ("application", "HC")):
        x = extract_text("x.txt", canada + f"that it has withdrawn the {words} for Zentra.\n")
        assert [(e.type, e.agency) for e in x.events] == [("withdrawal", agency)], words


def test_a_non_named_as_background_of_a_reconsideration_request() -> None:
    got = {(t, a, o) for t, a, o, _ in _events(
        "that it has filed a request for reconsideration of the NON for Zentra with Health Canada."
    )}  # fmt: skip
    assert got == {("reexamination_request", "HC", None), ("refusal", "HC", "negative")}


def test_a_launch_dated_after_the_approval_it_waits_for_is_no_deadline() -> None:
    assert (
        _dates(
            "it plans to launch Zentra in the U.S. in the fourth quarter of 2024, following FDA "
            "approval."
        )
        == []
    )
    # An abbreviation's full stop ends no clause: the filing is still dated.
    assert _dates("it expects to file the NDA in the U.S. in the fourth quarter of 2024.") == [
        (date(2024, 10, 1), date(2024, 12, 31), "submission")
    ]


def test_an_act_dated_by_the_same_meeting_as_the_one_just_dated() -> None:
    got = _dates(
        "that the CHMP will hear the company at an oral explanation on July 23, 2024; it expects "
        "the CHMP opinion at the same meeting, and the Commission decision about two months "
        "later."
    )
    assert got == [
        (date(2024, 7, 23), date(2024, 7, 23), "advisory-meeting"),
        (date(2024, 7, 23), date(2024, 7, 23), "opinion"),
        (date(2024, 9, 23), date(2024, 9, 23), "commission-decision"),
    ]


def test_an_act_by_an_agency_in_a_past_month_is_not_read_as_next_years_month() -> None:
    got = _dates(
        "that the application for Zentra was validated by the EMA in April; a CHMP opinion is "
        "anticipated in the first half of 2025."
    )
    assert got == [(date(2025, 1, 1), date(2025, 6, 30), "opinion")]


def test_a_dateline_without_a_year_takes_the_only_year_the_texts_dates_leave() -> None:
    body = (
        "PALO ALTO, Calif., Aug. 2 /PRNewswire/ -- Acme Inc. announced today that the FDA has "
        "accepted for review the submission of the complete response by Partner Co., Inc. to "
        "the FDA approvable letter for Zentra. The PDUFA action date is December 22, 2007.\n"
        "In January 2007, Acme licensed Zentra from Partner.\n"
    )
    x = extract_text("x.txt", body)
    assert x.release.date == date(2007, 8, 2)
    got = {(e.type, e.date) for e in x.events}
    assert ("acceptance", date(2007, 8, 2)) in got
    assert ("refusal", None) in got  # the letter answered is background, not today's news
    assert any(e.type == "resubmission" for e in x.events)
    assert [(t.start, t.milestone) for t in x.timelines] == [(date(2007, 12, 22), "action-date")]
    # With nothing before it, the year is not beyond doubt: no date.
    alone = extract_text("x.txt", body.split("\n")[0] + "\n")
    assert alone.release.date is None


def test_an_act_told_also_in_another_sentence_is_another_event() -> None:
    got = _events(
        "that the FDA accepted the NDA for Zentra capsules for review. The PDUFA action date is "
        "December 22, 2024. The FDA has also accepted the NDA for Zentra tablets. The PDUFA "
        "action date is December 21, 2024."
    )
    assert [t for t, *_ in got].count("acceptance") == 2
    assert [t for t, *_ in got].count("goal_date") == 2


def test_a_companys_complete_response_to_an_approvable_letter_is_a_resubmission() -> None:
    got = {(t, o, d) for t, _a, o, d in _events(
        "that the FDA has acknowledged that its Complete Response to the Zentra Approvable "
        "Letter is a Class 2 response."
    )}  # fmt: skip
    assert ("acceptance", None, date(2024, 6, 3)) in got
    assert ("resubmission", None, None) in got  # background: submitted before today
    assert ("refusal", "negative", None) in got


def test_a_submission_to_address_a_not_approvable_letter_deemed_complete() -> None:
    x = extract_text(
        "x.txt",
        HEAD + "that the company's submission to address the not approvable letter for Zentra "
        "has been deemed a complete response by the FDA. The company expects the FDA to "
        "complete its review within approximately six months from the date of the submission "
        "of the response, which occurred in April 2024. The FDA has also approved the "
        "company's proposed brand name for the product.\n",
    )
    got = {(e.type, e.date) for e in x.events}
    assert ("acceptance", date(2024, 6, 3)) in got and ("resubmission", None) in got
    assert not any(e.type == "approval" for e in x.events)  # a name approved is no approval
    # each end of April shifted by six calendar months (CONTRACT.md)
    assert [(t.start, t.end) for t in x.timelines] == [(date(2024, 10, 1), date(2024, 10, 30))]


def test_a_withdrawn_application_is_its_agencys_and_ends_the_steps_ahead() -> None:
    x = extract_text(
        "x.txt",
        HEAD + "that it has withdrawn the European marketing authorisation application for "
        "Zentra ahead of the CHMP's final vote scheduled later this month, and it intends to "
        "meet the US FDA. The decision to withdraw the MAA enables us to consider a new one.\n",
    )
    assert {(e.type, e.agency) for e in x.events} == {("withdrawal", "EMA")}
    assert not [t for t in x.timelines if t.milestone in ("opinion", "decision")]


def test_a_review_length_told_after_the_review_counts_from_the_filing() -> None:
    canada = "VANCOUVER, June 3, 2024 /CNW/ - Maple Pharma Corp. (TSX: MPL) today announced "
    x = extract_text(
        "x.txt",
        canada + "the filing of a New Drug Submission (NDS) with Health Canada for Zentra for "
        "adults with the condition for up to 7 days. Health Canada's target duration of NDS "
        "review is 300 days. The filing is a step toward our planned build of Canadian "
        "commercial operations during 2025.\n",
    )
    assert [(e.type, e.agency, e.date) for e in x.events] == [
        ("submission", "HC", date(2024, 6, 3))
    ]
    assert [(t.start, t.milestone) for t in x.timelines] == [(date(2025, 3, 30), "decision")]


def test_a_page_copy_kept_as_a_json_string_is_read_line_by_line() -> None:
    x = extract_text(
        "x.txt",
        '[{"type":"text","content":"\\n\\nBOSTON, June 3, 2024 -- Acme Inc. (NASDAQ:\\nACME) '
        "announced that the FDA\\naccepted the NDA for Zentra.\\nThe PDUFA date is December "
        '2, 2024.\\n"}]\n',
    )
    assert x.release.date == date(2024, 6, 3)
    assert [t.start for t in x.timelines] == [date(2024, 12, 2)]


def test_votes_meetings_and_requests_told_in_other_words() -> None:
    assert _events(
        "that an FDA advisory committee voted not to recommend Zentra for approval."
    ) == [("trend_vote", "FDA", "negative", date(2024, 6, 3))]
    # A hearing scheduled that did not take place is no event.
    assert (
        _events(
            "that the oral explanation scheduled for May 28 at the CHMP for Zentra did not take place."
        )
        == []
    )
    # A headline's "X to request": an act to come.
    x = extract_text(
        "x.txt",
        "Acme to request re-examination of CHMP opinion on Zentra\n" + HEAD + "that the CHMP "
        "adopted a negative opinion on Zentra. The company had announced its anticipation of "
        "this negative opinion on May 2, 2024.\n",
    )
    assert {(e.type, e.outcome) for e in x.events} == {("opinion", "negative")}
    assert len(x.events) == 1  # "this negative opinion" is the one already told


def test_an_acknowledgement_a_goal_date_by_which_and_an_approval_followed() -> None:
    got = {(t, a, d) for t, a, _o, d in _events(
        "that it has received an acknowledgement from the FDA that its response to the "
        "approvable letter is complete. The PDUFA (Prescription Drug User Fee Act) goal date "
        "by which the FDA is expected to render a decision is October 2, 2024. The filing "
        "followed marketing approval by the EMA in November 2023."
    )}  # fmt: skip
    assert ("acceptance", "FDA", date(2024, 6, 3)) in got
    assert any(t == "goal_date" for t, _a, _d in got)
    assert ("approval", "EC", None) in got


def test_dialysis_is_no_dial_in_and_results_highlights_announced() -> None:
    assert _dates(
        "it plans to submit an NDA in the U.S. by the end of this quarter for both dialysis and "
        "non-dialysis patients."
    ) == [(date(2024, 6, 30), date(2024, 6, 30), "submission")]
    got = {(t, a) for t, a, _o, _d in _events(
        "it announced U.S. and European regulatory submissions for Zentra, and announced FDA "
        "approval of Velora."
    )}  # fmt: skip
    assert {("submission", "FDA"), ("submission", "EMA"), ("approval", "FDA")} <= got


def test_french_conclusions_of_the_agency_and_a_launch() -> None:
    x = extract_text(
        "x.txt",
        "PARIS, le 3 juin 2024 -- Acme SA annonce que les conclusions de l'Agence européenne du "
        "médicament (EMA) sur Zentra sont attendues pour le début de l'année 2025. Advenant "
        "une opinion favorable du CHMP, nos plans pour un lancement en Allemagne avant la fin "
        "de l'année 2025 demeurent inchangés.\n",
    )
    assert [(t.start, t.end, t.milestone) for t in x.timelines] == [
        (date(2025, 1, 1), date(2025, 4, 30), "opinion")
    ]


def test_background_approvals_named_by_their_places_or_by_the_agencys_possessive() -> None:
    got = {(t, a, d) for t, a, _o, d in _events(
        "that the TGA approved Zentra. This is in line with the drug's European and US "
        "marketing authorisations, received in 2014 and 2019 respectively."
    )}  # fmt: skip
    assert {("approval", "TGA", date(2024, 6, 3)), ("approval", "EC", None)} <= got
    assert ("approval", "FDA", None) in got
    got = {(t, a) for t, a, _o, _d in _events(
        "its partner is launching Zentra in the European Union, following the European "
        "Commission's (EC) September 2023 approval of Zentra."
    )}  # fmt: skip
    assert ("approval", "EC") in got


# Field set 5 (development split): classes, each in our own words.


def test_a_french_negative_opinion_after_a_request_for_reevaluation() -> None:
    x = extract_text(
        "fr.txt",
        "Kelvane : opinion négative du CHMP pour l'orvamet\n\n"
        "PARIS, le 3 juin 2024 - Kelvane a annoncé que le Comité du Médicament à Usage "
        "Humain (CHMP) de l'Agence "
        "européenne du médicament a adopté une opinion négative pour l'orvamet dans la goutte.\n"
        "Cette décision fait suite à la demande de réévaluation déposée par Kelvane de la "
        "précédente opinion négative du CHMP rendue en mars 2024.\n",
    )
    got = sorted((e.type, e.agency, e.outcome, str(e.date)) for e in x.events)
    assert got == [
        ("opinion", "EMA", "negative", "2024-06-03"),
        ("opinion", "EMA", "negative", "None"),  # the earlier one ("précédente")
        ("reexamination_outcome", "EMA", "negative", "2024-06-03"),
        ("reexamination_request", "EMA", None, "None"),
    ]


def test_a_committee_confirming_its_opinion_has_re_examined_it() -> None:
    got = _events("the CHMP has confirmed its February 2024 negative opinion on Zentra.")
    assert ("reexamination_outcome", "EMA", "negative", date(2024, 6, 3)) in got


def test_the_first_therapy_approved_is_a_held_status() -> None:
    got = _events(
        "the CHMP adopted a negative opinion on Zentra. In the US, Zentra is the first "
        "therapy approved by the FDA for the disease."
    )
    assert not any(t == "approval" for t, *_ in got)


def test_the_end_of_a_named_year_is_that_years_last_day() -> None:
    got = _dates(
        "that it will ask for re-examination, with an expected opinion by end of year 2025."
    )
    assert [(s, e) for s, e, _ in got] == [(date(2025, 12, 31), date(2025, 12, 31))]
    got = _dates("that a CHMP opinion is expected by the end of the year 2025.")
    assert [(s, e) for s, e, _ in got] == [(date(2025, 12, 31), date(2025, 12, 31))]
    # "the end of year one" of a study is no date.
    assert _dates("that the trial's end of year one data support the filing.") == []


def test_a_headline_above_a_one_line_paragraph_is_not_wrapped_into_it() -> None:
    """A headline with no full stop over a paragraph set on one long line: two sentences, so
    the headline's words ("negative recommendation") do not colour the body's act."""
    x = extract_text(
        "h.txt",
        "CHMP negative recommendation for Zentra in adults with severe gout - Acme Bio\n"
        "Acme Bio, Inc. announced that the Committee for Medicinal Products for Human Use "
        "(CHMP) has adopted a negative opinion recommending a refusal of the marketing "
        "authorisation for Zentra for the treatment of severe gout in adults in Europe.\n",
    )
    assert [(e.type, e.outcome) for e in x.events] == [("opinion", "negative")]


def test_french_typographic_apostrophes_and_plural_decisions() -> None:
    x = extract_text(
        "fr2.txt",
        "PARIS, le 21 juin 2024 - Kelvane annonce aujourd’hui l’acceptation par la Food and "
        "Drug Administration (FDA) américaine de la revue de son dossier pour l’orvamet. La "
        "FDA a également accordé une revue prioritaire au produit. Kelvane connaîtra donc les "
        "décisions de la FDA d’ici la fin de l’année 2024.\n",
    )
    assert {(e.type, e.agency) for e in x.events} >= {
        ("acceptance", "FDA"),
        ("review_designation", "FDA"),
    }
    assert [(t.start, t.end) for t in x.timelines] == [(date(2024, 12, 31), date(2024, 12, 31))]


def test_a_french_application_submitted_by_the_company_earlier() -> None:
    x = extract_text(
        "fr3.txt",
        "PARIS, le 22 juillet 2024 - Kelvane annonce avoir reçu une lettre de réponse "
        "(Complete Response Letter) de la FDA pour l’orvamet. La demande d’autorisation de mise "
        "sur le marché soumise par Kelvane en décembre 2023 est en cours d’évaluation par "
        "l’Agence européenne des médicaments (EMA).\n",
    )
    assert ("submission", "EMA", None) in {(e.type, e.agency, e.date) for e in x.events}


def test_the_letter_a_planned_appeal_names_happened() -> None:
    got = _events(
        "that it plans to submit a formal dispute resolution request to appeal the issuance "
        "of a complete response letter from the FDA for Zentra."
    )
    assert ("refusal", "FDA", "negative", None) in got
    assert not any(t == "reexamination_request" for t, *_ in got)  # only planned


def test_a_dateline_set_between_bars() -> None:
    x = extract_text(
        "bar.txt",
        "CAMBRIDGE, MA, USA I June 10, 2024 I Acme Bio today announced that it has received a "
        "complete response letter from the FDA for Zentra. We will hold a call tomorrow to "
        "discuss the complete response letter and the recent ODAC meeting.\n",
    )
    assert x.release.date == date(2024, 6, 10)
    got = sorted((e.type, e.agency, str(e.date)) for e in x.events)
    # The call discusses today's letter (no second one); the committee met before.
    assert got == [("advisory_meeting", "FDA", "None"), ("refusal", "FDA", "2024-06-10")]


def test_a_response_to_a_dated_letter_and_two_review_times_of_one_submission() -> None:
    x = extract_text(
        "resp.txt",
        HEAD + "that it submitted a response to the approvable letter for Zentra received on "
        "March 1, 2024. The FDA may take up to six months to review this submission, although "
        "the company has requested a 60 day review. A safety study is expected to begin this "
        "quarter.\n",
    )
    got = sorted((e.type, e.outcome, str(e.date)) for e in x.events)
    assert got == [("refusal", "negative", "2024-03-01"), ("resubmission", None, "2024-06-03")]
    # Both review times count from the response sent today; the study's start is no deadline.
    assert sorted((t.start, t.end) for t in x.timelines) == [
        (date(2024, 8, 2), date(2024, 8, 2)),
        (date(2024, 12, 3), date(2024, 12, 3)),
    ]


def test_a_date_after_a_past_participle_is_past() -> None:
    got = _dates(
        "that the extra analyses will let the FDA compare the new data submitted in November "
        "with the original application for Zentra."
    )
    assert got == []  # November 2023, told as done: no November 2024 deadline


def test_the_vote_an_expected_opinion_was_based_on_happened() -> None:
    got = _events(
        "that the CHMP adopted a negative opinion on Zentra. As announced before, the opinion "
        "was expected based on a negative trend vote after an oral explanation in May 2024."
    )
    assert ("trend_vote", "EMA", "negative", None) in got


def test_a_request_after_an_appeal_of_a_possible_opinion_stays_a_plan() -> None:
    got = _events(
        "that if the opinion is negative, the company will either resubmit the application "
        "later or appeal this decision and request a re-examination by the CHMP of Zentra."
    )
    assert not any(t == "reexamination_request" for t, *_ in got)


def test_swissmedic_by_its_full_name_and_an_application_that_is_no_approval() -> None:
    got = _events(
        "that its marketing authorization application for Zentra has been accepted for "
        "evaluation by the Swiss Agency for Therapeutic Products (Swissmedic)."
    )
    assert got == [("acceptance", "SWISSMEDIC", None, date(2024, 6, 3))]


def test_a_chain_opened_by_the_meeting_a_sentence_before_dated() -> None:
    got = _dates(
        "that Health Canada confirmed it will be meeting with a scientific advisory committee "
        "on August 23, 2024 about Zentra. Once the meeting is completed, the committee members "
        "will have seven days to send their report to the project manager, who will have "
        "twenty-one days to review it. The Director General will then have five days to "
        "decide."
    )
    assert [(s, e) for s, e, _ in got] == [
        (date(2024, 8, 23), date(2024, 8, 23)),
        (date(2024, 8, 30), date(2024, 8, 30)),
        (date(2024, 9, 20), date(2024, 9, 20)),  # twenty-one, not "twenty to one"
        (date(2024, 9, 25), date(2024, 9, 25)),
    ]


def test_french_back_references_and_a_launch_in_french() -> None:
    x = extract_text(
        "fr4.txt",
        "PARIS, le 27 juin 2024 - Kelvane a annoncé aujourd’hui que Santé Canada a approuvé "
        "l’orvamet. Kelvane reçoit ainsi une deuxième autorisation après l’approbation de "
        "l’agence américaine Food and Drug Administration (FDA) en novembre 2023. L’Agence "
        "européenne des médicaments (EMA) a également recommandé récemment l’autorisation du "
        "produit en Europe. En cas d’approbation, l’orvamet devrait être mis à disposition des "
        "patients durant le premier semestre 2025.\n",
    )
    got = {(e.type, e.agency, e.outcome, str(e.date)) for e in x.events}
    assert got >= {
        ("approval", "HC", "positive", "2024-06-27"),
        ("approval", "FDA", "positive", "None"),
        ("opinion", "EMA", "positive", "None"),
    }
    assert x.timelines == ()  # making it available to patients is a launch


def test_an_advisory_committees_votes_told_by_what_they_showed() -> None:
    got = _events(
        "that the FDA extended the review of Zentra. This follows the May 6, 2024 votes by the "
        "Advisory Committee to the Division of Neurology Products of the FDA, which indicated "
        "support for approval."
    )
    assert ("trend_vote", "FDA", "positive", date(2024, 5, 6)) in got


def test_a_french_appeal_window_from_the_notice_and_the_place_an_approval_hangs_on() -> None:
    x = extract_text(
        "fr5.txt",
        "MONTRÉAL, le 4 mars 2024 - Kelvane a annoncé aujourd'hui que Santé Canada a émis un "
        "avis de non-conformité/retrait (ANC/R) pour l'orvamet. La décision prise par Santé "
        "Canada désavantage les patients canadiens par rapport à ceux des États-Unis où "
        "l'orvamet a été approuvé il y a plus de deux ans. On peut faire appel d'un ANC/R en "
        "soumettant une demande de révision dans les 30 jours suivant l'émission de l'ANC/R.\n",
    )
    got = {(e.type, e.agency, str(e.date)) for e in x.events}
    assert ("approval", "FDA", "None") in got and not any(
        a == "HC" for t, a, _ in got if t == "approval"
    )
    assert [(t.start, t.end) for t in x.timelines] == [(date(2024, 4, 3), date(2024, 4, 3))]


def test_a_french_conditional_opinion_month_in_a_release_without_a_date() -> None:
    x = extract_text(
        "fr6.txt",
        "Kelvane : l'EMA accepte le dossier d'AMM de l'orvamet\n\n"
        "Si le CHMP accepte la demande d'autorisation conditionnelle, la société confirme "
        "qu'elle pourrait obtenir une opinion positive du CHMP en juin 2025.\n",
    )
    assert x.release.date is None
    assert [(t.start, t.end) for t in x.timelines] == [(date(2025, 6, 1), date(2025, 6, 30))]


def test_a_french_commission_decision_two_to_three_months_after_an_opinion() -> None:
    x = extract_text(
        "fr7.txt",
        "PARIS, le 16 novembre 2024 - Kelvane annonce un avis favorable du CHMP pour "
        "l'orvamet. A la suite de l'autorisation de mise sur le marché de la CE, généralement "
        "accordée 2 à 3 mois après un avis favorable, l'orvamet élargira la gamme.\n",
    )
    assert [(t.start, t.end) for t in x.timelines] == [(date(2025, 1, 16), date(2025, 2, 16))]


def test_a_headline_act_is_dated_by_the_body_only() -> None:
    x = extract_text(
        "head.txt",
        "Acme Files Request for Formal Dispute Resolution With U.S. FDA\n\n"
        "HOUSTON, June 3, 2024 (GLOBE NEWSWIRE) -- Acme Bio, Inc. (Nasdaq: ACME) today "
        "announced that it has filed with the U.S. Food and Drug Administration (FDA) a request "
        "for formal dispute resolution to contest the approvable letter it received for Zentra. "
        "On April 2, 2024, the company received the approvable letter from the FDA.\n",
    )
    got = sorted((e.type, e.agency, str(e.date)) for e in x.events)
    assert got == [
        ("reexamination_request", "FDA", "2024-06-03"),  # the body's filing, today
        ("refusal", "FDA", "2024-04-02"),  # contested, dated where the text dates it
    ]


def test_agency_names_and_treatment_history_do_not_mark_an_act_planned_or_past() -> None:
    x = extract_text(
        "head2.txt",
        "Acme Granted Priority Review for Zentra\n\n"
        "BOSTON, June 3, 2024 -- Acme Bio, Inc. said the Center for Drug Evaluation and Research "
        "of the FDA has granted Priority Review status to the NDA for Zentra for patients whose "
        "prior chemotherapy failed.\n",
    )
    assert [(e.type, str(e.date)) for e in x.events] == [("review_designation", "2024-06-03")]


def test_vote_counts_on_a_negative_proposition_and_yes_no_counts() -> None:
    got = _events(
        "that the FDA advisory committee voted 16 to 0 that the company had not provided "
        "sufficient evidence for Zentra."
    )
    assert ("trend_vote", "FDA", "negative", date(2024, 6, 3)) in got
    got = _events(
        "that the FDA's advisory committee met to discuss the Zentra NDA and voted 8 to 5 "
        "recommending that the FDA wait for the results of the phase 3 study."
    )
    assert ("trend_vote", "FDA", "negative", date(2024, 6, 3)) in got
    got = _events(
        "that the FDA advisory committee jointly voted that the benefit-risk profile of Zentra "
        "was not adequate to support approval (Vote: 2 Yes to 11 No)."
    )
    assert ("trend_vote", "FDA", "negative", date(2024, 6, 3)) in got


def test_two_periods_joined_by_or_are_one_window() -> None:
    got = _dates("that the Commission's decision could arrive around June or July, 2025.")
    assert [(s, e) for s, e, _ in got] == [(date(2025, 6, 1), date(2025, 7, 31))]
    got = _dates("that the CHMP opinion is expected in the third or fourth quarter of 2025.")
    assert [(s, e) for s, e, _ in got] == [(date(2025, 7, 1), date(2025, 12, 31))]


def test_a_procedure_described_by_its_possible_ends_is_no_event() -> None:
    got = _events(
        "the initiation of the re-examination process by the EMA for Zentra. It concludes with "
        "either the confirmation of the opinion or the issuing of a new positive opinion."
    )
    assert [t for t, *_ in got] == ["reexamination_request"]


def test_the_letter_named_again_is_no_new_letter_and_the_new_goal_date_stands() -> None:
    x = extract_text(
        "crl.txt",
        HEAD + "that the FDA has extended the review period for the NDA for Zentra by three "
        "months. The new PDUFA goal date is September 26, 2024. A complete response letter "
        "was received from the FDA for Zentra on April 30, 2023. There were no clinical safety "
        "issues in the CRL.\n",
    )
    got = sorted((e.type, str(e.date)) for e in x.events)
    assert ("refusal", "2023-04-30") in got and ("refusal", "2024-06-03") not in got
    assert [(t.start, t.end) for t in x.timelines] == [(date(2024, 9, 26), date(2024, 9, 26))]


def test_an_acceptance_by_hong_kong_and_a_chinese_nda_accepted_in_the_passive() -> None:
    got = _events(
        "that the Department of Health of the Hong Kong Special Administrative Region of China "
        "accepted a New Drug Application for Zentra."
    )
    assert ("acceptance", "OTHER", None, date(2024, 6, 3)) in got
    got = _events(
        "that the New Drug Application (NDA) for Zentra for the treatment of type 2 diabetes "
        "(T2D) was accepted by the China National Medical Products Administration (NMPA)."
    )
    assert ("acceptance", "NMPA", None, date(2024, 6, 3)) in got


def test_after_an_extension_only_the_new_date_stands() -> None:
    got = _dates(
        "that it received a new PDUFA date for Zentra of December 15, 2024. The NDA was "
        "originally accepted in March 2024 under Priority Review with a statutory six-month "
        "review. The FDA extended its review to assess recent submissions. Should the FDA "
        "approve Zentra, the three-month extension does not change the planned U.S. launch, "
        "which we currently anticipate in the first quarter of 2025."
    )
    assert [(s, e) for s, e, _ in got] == [(date(2024, 12, 15), date(2024, 12, 15))]


def test_a_date_moved_from_one_day_to_another_is_the_new_day() -> None:
    got = _dates(
        "that the FDA communicated that the action date for Zentra will move from August 3, "
        "2024 to November 1, 2024."
    )
    assert [(s, e) for s, e, _ in got] == [(date(2024, 11, 1), date(2024, 11, 1))]


def test_dates_a_clause_denies_or_measures_against_a_schedule_and_generic_clocks() -> None:
    assert (
        _dates(
            "that the FDA notified it that the review of the NDA for Zentra is still ongoing, and "
            "action will likely not be taken in October."
        )
        == []
    )
    assert (
        _dates("that the NMPA accepted the NDA for Zentra, six months in advance of our schedule.")
        == []
    )
    assert (
        _dates(
            "that Health Canada granted Zentra priority review. Priority Review status assigns "
            "eligible submissions a shortened review target of 180 days."
        )
        == []
    )


def test_an_adjectival_designation_a_planned_meeting_and_a_french_plural_approval() -> None:
    got = _events(
        "that the FDA accepted the BLA for Zentra. An FDA-designated Breakthrough Therapy, "
        "Zentra is in development for adults. In its acceptance letter, the FDA stated that it "
        "is currently planning to hold an advisory committee meeting to discuss the application."
    )
    assert [t for t, *_ in got] == ["acceptance"]
    x = extract_text(
        "fr8.txt",
        "PARIS, le 2 avril 2024 - Kelvane a annoncé aujourd'hui que les autorités américaines, "
        "la Food and Drug Administration, ont approuvé la demande de mise sur le marché de "
        "l'orvamet.\n",
    )
    assert [(e.type, e.agency) for e in x.events] == [("approval", "FDA")]


def test_a_noun_plan_is_no_future_and_corporate_goals_are_no_deadlines() -> None:
    x = extract_text(
        "noyear.txt",
        "LAVAL, QC, Aug. 25 /PRNewswire/ - Acme Bio Inc. said the FDA assigned a new PDUFA "
        "action date of February 11, 2025 for Zentra. The FDA issued a complete response "
        "letter on July 17, 2024. The supplier submitted an action plan addressing the "
        "deficiencies to the FDA on July 24, 2024.\n",
    )
    assert [(t.start, t.end) for t in x.timelines] == [(date(2025, 2, 11), date(2025, 2, 11))]
    assert (
        _dates(
            "that it is on its way to its Vision 3x3, including regulatory approval for three "
            "differentiated product candidates by 2025."
        )
        == []
    )
    assert (
        _dates(
            "that it will hold a virtual R&D update on Zentra in mid-December to review continued "
            "pipeline progress."
        )
        == []
    )


def test_a_goal_date_told_as_what_it_is_or_remains_is_a_back_reference() -> None:
    got = _events(
        "that the FDA will hold an advisory committee meeting on Zentra on August 8, 2024. The "
        "target action date under the Prescription Drug User Fee Act (PDUFA) is early October "
        "2024."
    )
    assert ("goal_date", "FDA", None, None) in got
    assert ("goal_date", "FDA", None, None) in _events(
        "that the PDUFA goal date for Zentra remains December 20, 2024."
    )


def test_a_sub_headline_bullets_date_is_no_dateline() -> None:
    x = extract_text(
        "bullets.txt",
        "FDA accepts sNDA for Zentra for filing with priority review\n"
        "– Company to host an event for investors on Wednesday, September 24, in Boston –\n"
        "Acme Bio, Inc. today announced that the FDA has accepted for filing its sNDA for "
        "Zentra. Additionally, the EMA has confirmed validation of the Type II variation "
        "submission for Zentra.\n",
    )
    assert x.release.date is None
    assert {(e.type, e.agency) for e in x.events} >= {("acceptance", "FDA"), ("acceptance", "EMA")}


def test_past_approvals_told_by_possessive_or_with_several_adjectives() -> None:
    got = _events(
        "that the CHMP adopted a positive opinion on Zentra. Following the U.S. FDA's approval "
        "of Zentra in July 2020, we await the Commission's decision. Zentra was granted "
        "conditional and time-limited marketing approval in Japan in March 2019."
    )
    assert ("approval", "FDA", "positive", None) in got
    assert ("approval", "PMDA", "positive", None) in got


def test_an_anticipated_letter_a_rolling_submission_and_a_french_amm_aim() -> None:
    got = _events(
        "the following update: rolling NDA submission initiated for Zentra in ovarian cancer. "
        "Complete Response Letter (CRL) for Zentra anticipated on or before the June 28 PDUFA "
        "date."
    )
    assert ("submission", "FDA", None, date(2024, 6, 3)) in got
    assert not any(t == "refusal" for t, *_ in got)
    x = extract_text(
        "fr9.txt",
        "Kelvane publie aujourd'hui ses résultats semestriels.\n"
        "Nous visons ainsi l'obtention d'une AMM dans la goutte en Europe et dans la lithiase "
        "aux États-Unis au second semestre 2026.\n",
    )
    # (One per place would be right: the places are countries, which the split by agency
    # does not read yet.)
    assert [(t.start, t.end) for t in x.timelines][:1] == [(date(2026, 7, 1), date(2026, 12, 31))]


def test_acceptances_told_in_the_passive_or_with_priority_review_and_a_french_filing() -> None:
    got = _events(
        "that the FDA extended the review of Zentra. The NDA for Zentra was originally "
        "accepted in March 2024 under Priority Review."
    )
    assert ("acceptance", "FDA", None, None) in got
    got = _events(
        "that the NMPA of China has accepted the New Drug Application (NDA) of Zentra with "
        "priority review designation for adults with gout."
    )
    assert {("acceptance", "NMPA"), ("review_designation", "NMPA")} <= {(t, a) for t, a, *_ in got}
    x = extract_text(
        "fr10.txt",
        "PARIS, le 2 mars 2024 - « Avec le dépôt de la demande d'enregistrement de l'orvamet au "
        "Japon, nous sommes en bonne voie », a déclaré le directeur général de Kelvane.\n",
    )
    assert ("submission", "PMDA") in {(e.type, e.agency) for e in x.events}


def test_availability_to_patients_and_a_manufacturing_validation_campaign_are_no_deadlines() -> (
    None
):
    assert (
        _dates("that, if approved, Zentra could be available to patients in Europe in mid-2025.")
        == []
    )
    x = extract_text(
        "fr11.txt",
        "PARIS, le 20 avril 2024 - Kelvane fait le point.\n"
        "• Redémarrage de la production de la campagne de validation confirmé en mai 2024, avec "
        "des résultats attendus au T3 2024\n",
    )
    assert x.timelines == ()


def test_a_notice_weeks_before_a_meeting_the_release_dates() -> None:
    got = _dates(
        "that the FDA will hold an advisory committee meeting on Zentra on December 7, 2024. "
        "Confirmation and details of the meeting will be published in the Federal Register "
        "about six to eight weeks prior to the scheduled meeting date."
    )
    assert (date(2024, 10, 12), date(2024, 10, 26)) in [(s, e) for s, e, _ in got]


def test_a_year_less_day_in_a_release_without_a_date_told_in_full_elsewhere() -> None:
    x = extract_text(
        "nodate.txt",
        "Acme Bio today announced its financial results for the second quarter of 2024.\n"
        '"We look forward to the December 28 PDUFA date for Zentra," said the CEO.\n'
        "- The FDA granted Priority Review for Zentra, with a PDUFA target action date of "
        "December 28, 2024.\n",
    )
    assert x.release.date is None
    assert (date(2024, 12, 28), date(2024, 12, 28)) in [(t.start, t.end) for t in x.timelines]


def test_an_agency_named_with_its_abbreviation_in_commas_and_a_submission_originally_made() -> None:
    got = _events(
        "that the CHMP accepted its application. On February 26th the U.S. Food and Drug "
        "Administration, FDA, approved Zentra for adults."
    )
    assert ("approval", "FDA", "positive") in {(t, a, o) for t, a, o, _d in got}
    got = _events(
        "that Health Canada will meet an advisory committee on Zentra. The New Drug Submission "
        "for Zentra was originally submitted to Health Canada in June 2023."
    )
    assert ("submission", "HC", None, None) in got


def test_the_date_an_action_date_moves_from_is_a_back_referenced_goal_date() -> None:
    x = extract_text(
        "move.txt",
        HEAD + "that the FDA will extend its review of the BLA for Zentra by 90 days. In "
        "correspondence issued today, the FDA said the action date will move from August 3, "
        "2024 to November 1, 2024.\n",
    )
    got = {(e.type, str(e.date)) for e in x.events}
    assert ("goal_date", "None") in got and "goal_date_extension" in {t for t, _ in got}
    assert [(t.start, t.end) for t in x.timelines] == [(date(2024, 11, 1), date(2024, 11, 1))]


def test_an_acceptance_overlapping_its_designation_keeps_their_shared_day() -> None:
    got = _events(
        "that the FDA advisory committee met today. The BLA submission for Zentra was accepted "
        "for Priority Review by the FDA on May 31, 2024, with a PDUFA target date of November "
        "30, 2024."
    )
    assert ("acceptance", "FDA", None, date(2024, 5, 31)) in got
    assert ("review_designation", "FDA", None, date(2024, 5, 31)) in got


def test_a_goal_dates_month_and_its_day_in_a_release_without_a_date() -> None:
    x = extract_text(
        "nodate2.txt",
        "Acme Bio today announced that the FDA advisory committee voted 13 to 7 in favour of "
        "Zentra. We look forward to addressing the questions raised in preparation for our "
        "PDUFA action date in January. A PDUFA action date of January 31, 2025 has been "
        "assigned for the review of the NDA.\n",
    )
    assert sorted((t.start, t.end) for t in x.timelines) == [
        (date(2025, 1, 1), date(2025, 1, 31)),
        (date(2025, 1, 31), date(2025, 1, 31)),
    ]
    assert [e.type for e in x.events].count("goal_date") == 1  # "in January" is the same date


def test_a_french_acceptance_of_its_application() -> None:
    x = extract_text(
        "fr12.txt",
        "PARIS, le 26 décembre 2024 - Kelvane annonce que la FDA a accepté sa demande pour "
        "l'orvamet.\n",
    )
    assert [(e.type, e.agency) for e in x.events] == [("acceptance", "FDA")]


def test_an_italian_date_stamp_and_goal_dates_told_as_a_result() -> None:
    x = extract_text(
        "it.txt",
        "Acme Announces FDA Advisory Committee Meeting for Zentra\n\n21 Giugno 2024 - 2:00PM\n\n"
        "Acme Bio (Nasdaq: ACME) today announced that the FDA will hold an advisory committee "
        "meeting on Zentra. The proposed date for the Advisory Committee meeting is September "
        "9, 2024.\n",
    )
    assert x.release.date == date(2024, 6, 21)
    y = extract_text(
        "nodate3.txt",
        "Acme Bio announced that the FDA has scheduled an advisory committee meeting on "
        "November 4, 2024 to discuss Zentra. Zentra was granted QIDP designation, which "
        "entitled the NDA to a priority review, resulting in a PDUFA date of December 28, "
        "2024.\n",
    )
    assert sorted((t.start, t.end) for t in y.timelines) == [
        (date(2024, 11, 4), date(2024, 11, 4)),
        (date(2024, 12, 28), date(2024, 12, 28)),
    ]


def test_a_past_month_in_a_results_highlight_and_an_investor_meeting() -> None:
    x = extract_text(
        "res.txt",
        "MILAN, July 24, 2024 -- Acme Bio today reported its results for the first half of 2024.\n"
        "• The installed base continues to grow and Zentra Pro, the new version of the "
        "software, was approved by the U.S. FDA in January\n"
        "Following the end of the quarter, we hosted an investor meeting on Zentra.\n",
    )
    assert x.timelines == ()


def test_accepted_for_evaluation_and_a_clock_from_an_acceptance_to_come() -> None:
    got = _events(
        "that the marketing authorization application for Zentra submitted by its Swiss "
        "distributor on 31 January 2024 to the Swiss Agency for Therapeutic Products "
        "(Swissmedic) has been accepted for evaluation."
    )
    assert ("acceptance", "SWISSMEDIC") in {(t, a) for t, a, *_ in got}
    got = _events(
        "that it submitted its dossier for Zentra to the TGA. Under priority review a target of "
        "150 working days is set, counted from the first day the dossier is accepted for "
        "evaluation."
    )
    assert not any(t == "acceptance" for t, *_ in got)


def test_formal_validation_a_headline_style_acceptance_and_a_french_trial_start() -> None:
    got = _events("that the EMA has completed formal validation of its MAA for Zentra.")
    assert ("acceptance", "EMA") in {(t, a) for t, a, *_ in got}
    got = _events(
        "the following highlights: Zentra New Drug Application seeking marketing "
        "authorisation for travellers' diarrhoea accepted by the FDA."
    )
    assert ("acceptance", "FDA") in {(t, a) for t, a, *_ in got}
    x = extract_text(
        "fr13.txt",
        "PARIS, le 27 avril 2024 - Kelvane fait le point. Nous nous focalisons sur la "
        "préparation de l'initiation d'une étude de phase 2 au T4 2024.\n",
    )
    assert x.timelines == ()


def test_a_day_listed_before_one_with_its_year_shares_that_year() -> None:
    got = _dates(
        "that Zentra was granted QIDP designation, which entitled the NDAs to priority reviews, "
        "resulting in PDUFA dates of December 27, and December 28, 2024, respectively."
    )
    assert (date(2024, 12, 27), date(2024, 12, 27)) in [(s, e) for s, e, _ in got]
    assert not any(s.year == 2023 for s, _e, _m in got)


def test_a_french_filing_being_prepared_is_no_submission() -> None:
    x = extract_text(
        "fr14.txt",
        "PARIS, le 20 novembre 2023 - Cette étape est importante pour préparer le dépôt de la "
        "demande de NDA auprès de la FDA américaine en 2024.\n",
    )
    assert not any(e.type == "submission" for e in x.events)


# --- ninth field set: classes seen on its development split (our own examples) ---------------


def test_a_french_resubmission_its_validation_and_a_french_month_alone() -> None:
    x = extract_text(
        "fr15.txt",
        "PARIS, le 11 avril 2017 - Kelvane annonce que la validation par la FDA américaine du "
        "nouveau dossier de demande pour Zentra est une étape importante. Kelvane a redéposé "
        "un dossier de demande pour Zentra le 8 mars 2017. Nous continuerons de collaborer "
        "avec la FDA en vue d'une potentielle approbation en septembre. Nous attendons une "
        "décision de la FDA au cours des 6 prochains mois.\n",
    )
    got = {(e.type, e.agency, e.date) for e in x.events}
    assert ("acceptance", "FDA", date(2017, 4, 11)) in got
    assert ("resubmission", "FDA", date(2017, 3, 8)) in got
    spans = {(t.start, t.end) for t in x.timelines}
    assert (date(2017, 9, 1), date(2017, 9, 30)) in spans  # "en septembre"
    assert (date(2017, 10, 11), date(2017, 10, 11)) in spans  # "au cours des 6 prochains mois"


def test_early_mid_and_late_name_a_third_of_a_quarter_or_half() -> None:
    got = {(s, e) for s, e, _m in _dates("that it expects to submit the MAA in early Q3 2024.")}
    assert got == {(date(2024, 7, 1), date(2024, 7, 31))}
    got = {(s, e) for s, e, _m in _dates("that a decision is expected in late H1-2025.")}
    assert got == {(date(2025, 5, 1), date(2025, 6, 30))}
    got = {(s, e) for s, e, _m in _dates("that it plans to file the NDA in the third quarter.")}
    assert got == {(date(2024, 7, 1), date(2024, 9, 30))}  # no part named: the whole quarter


def test_a_review_clock_pair_spans_both_and_starts_from_its_own_agencys_step() -> None:
    x = extract_text(
        "x.txt",
        "Acme remains on schedule for early Q3 EMA submission\n\n"
        + HEAD
        + "that it has resubmitted its NDA for Zentra to the FDA. Class 1 and Class 2 "
        "resubmissions have targeted review periods of 2 months and 6 months, respectively.\n",
    )
    spans = {(t.start, t.end, t.milestone) for t in x.timelines}
    # From today's FDA resubmission, not from the EU filing the headline plans.
    assert (date(2024, 8, 3), date(2024, 12, 3), "action-date") in spans


def test_another_agency_accepting_an_maa_keeps_its_own_name() -> None:
    got = _events(
        "that Swissmedic, the Swiss Agency for Therapeutic Products, has accepted for review the "
        "marketing authorization application (MAA) for Zentra. Submission of Zentra for the "
        "disease to Swissmedic is an important milestone."
    )
    assert ("acceptance", "SWISSMEDIC", None, date(2024, 6, 3)) in got
    assert ("submission", "SWISSMEDIC", None, None) in got
    assert not any(a == "EMA" for _t, a, *_ in got)


def test_a_time_stamp_before_the_first_sentence_is_no_part_of_the_company() -> None:
    x = extract_text(
        "x.txt",
        "Acme resubmits NDA\n\nJune 22, 2012 8:45 AM EDT\nAcme Bio, Inc. (Nasdaq: ACME) "
        "announced today that it has resubmitted its NDA for Zentra to the FDA.\n",
    )
    assert x.release.company == "Acme Bio, Inc."


def test_a_confirmed_opinion_is_todays_opinion_and_the_earlier_one() -> None:
    got = _events(
        "that the CHMP has confirmed its March 2024 negative opinion on the marketing "
        "authorisation application for Zentra."
    )
    assert ("opinion", "EMA", "negative", date(2024, 6, 3)) in got
    assert ("opinion", "EMA", "negative", None) in got  # March's, named back
    assert ("reexamination_outcome", "EMA", "negative", date(2024, 6, 3)) in got


def test_a_request_named_by_its_requester_and_an_opinion_recommending_not_to_grant() -> None:
    got = _events(
        "that in the re-examination procedure requested by Acme in January in relation to the "
        "CHMP opinion issued in December recommending not to grant the marketing authorisation "
        "for Zentra, the CHMP has confirmed its previous negative opinion."
    )
    kinds = {(t, a, o) for t, a, o, _d in got}
    assert ("reexamination_request", "EMA", None) in kinds
    assert [o for t, _a, o, _d in got if t == "opinion"].count("negative") == 2


def test_by_mid_year_is_its_last_day_and_a_review_after_the_reply_is_the_next_cycle() -> None:
    x = extract_text(
        "x.txt",
        "Acme gives a regulatory update\n\nCHADDS FORD, Pa. (DATE) - Acme Bio (Nasdaq: ACME) "
        "today announced that it received a complete response letter from the FDA for its NDA "
        'for Zentra. "We currently anticipate responding to the FDA by mid 2011 and would '
        'expect a six month review cycle once our response is filed."\n',
    )
    assert x.release.date is None
    spans = {(t.start, t.end, t.milestone) for t in x.timelines}
    assert (date(2011, 8, 31), date(2011, 8, 31), "response") in spans
    # Counted from the reply's day, which the text gives, though the release has no date.
    assert (date(2012, 2, 29), date(2012, 2, 29), "action-date") in spans


def test_two_acts_as_one_subject_and_one_window_for_two_agencies() -> None:
    got = _dates("that the CHMP recommendation and the FDA decision are expected in 2025.")
    assert sorted(m for _s, _e, m in got) == ["action-date", "opinion"]
    x = extract_text(
        "x.txt",
        HEAD + "that the EMA validated its MAA for Zentra, which could support approval by the "
        "European Commission in the first half of 2025. Acme also submitted a BLA for Zentra to "
        "the FDA in May, potentially supporting a US approval in the first half of 2025.\n",
    )
    spans = [(t.start, t.end) for t in x.timelines]
    assert spans.count((date(2025, 1, 1), date(2025, 6, 30))) == 2


def test_what_an_act_means_for_the_company_in_its_year_is_no_deadline() -> None:
    assert (
        _dates("that the MAA submission and review marks a pivotal milestone for Acme in 2024.")
        == []
    )


def test_a_reprint_opening_on_its_date_with_the_issuer_is_the_dateline() -> None:
    x = extract_text(
        "x.txt",
        "FDA grants priority review to Zentra\n\nOn February 25, 2025 Acme Bio (NYSE: ACME) "
        "reported the FDA has accepted for priority review its sBLA for Zentra. The FDA has set "
        "a PDUFA date of June 23, 2025.\n",
    )
    assert x.release.date == date(2025, 2, 25)
    assert [(t.start, t.milestone) for t in x.timelines] == [(date(2025, 6, 23), "action-date")]


def test_inline_bullets_are_sentences_and_grants_told_per_place() -> None:
    x = extract_text(
        "x.txt",
        "Interim report\nEvents during the first quarter 2023 · On January 6, the FDA approved "
        "Zentra · Acme's partner has filed for full approval for Zentra in the US, EU, Japan "
        "and China. The submissions have been accepted for review with the ones in the US, "
        "Japan and China being granted priority review · The PDUFA action date in the US is "
        "July 6, 2023\n",
    )
    got = {(e.type, e.agency) for e in x.events}
    for agency in ("FDA", "EMA", "PMDA", "NMPA"):
        assert ("submission", agency) in got
    for agency in ("FDA", "PMDA", "NMPA"):
        assert ("review_designation", agency) in got
    approval = next(e for e in x.events if e.type == "approval")
    assert "filed" not in approval.evidence  # its own bullet, not the whole line


def test_the_companys_own_decision_is_no_deadline() -> None:
    x = extract_text(
        "fr16.txt",
        "MONTRÉAL, le 4 mars 2013 - Kelvane a reçu un avis de non-conformité de Santé Canada. "
        "Nous ferons connaître notre décision dans les 30 prochains jours.\n",
    )
    assert x.timelines == ()


def test_a_day_set_as_the_action_date_is_ahead_in_a_release_without_a_date() -> None:
    x = extract_text(
        "x.txt",
        "Acme Bio, Inc. announced today that the FDA has acknowledged receipt of the "
        "resubmission of the BLA for Zentra and has established December 15, 2012 as the "
        "Prescription Drug User Fee Act (PDUFA) action date. The resubmission answers the "
        "November 14, 2009 complete response letter.\n",
    )
    assert x.release.date is None
    assert (date(2012, 12, 15), date(2012, 12, 15)) in {(t.start, t.end) for t in x.timelines}


def test_as_soon_as_a_quarter_dates_and_a_chain_step_says_how_long_it_lasts() -> None:
    got = _dates(
        "that it plans to submit the dossier in other countries as soon as the first quarter "
        "of 2025. The evaluation by the agencies should then last 4 to 6 months."
    )
    assert (date(2025, 1, 1), date(2025, 3, 31), "submission") in got
    assert (date(2025, 7, 31), date(2025, 9, 30), "review") in got


def test_a_weekday_before_a_full_date_is_that_date_and_how_long_an_act_took_is_none() -> None:
    got = _dates(
        "that the NDA was accepted on October 5, 2023, when the FDA assigned a PDUFA target "
        "action date of Sunday, June 5, 2024; no decision has been received."
    )
    assert not any(s == date(2024, 6, 9) for s, _e, _m in got)  # not "next Sunday"
    assert (
        _dates(
            "European Commission authorisation comes approximately two months after the opinion."
        )
        == []
    )


def _acts(body: str, head: str = HEAD) -> set[tuple[str, str, str | None, date | None]]:
    x = extract_text("x.txt", head + body + "\n")
    return {(e.type, e.agency, e.outcome, e.date) for e in x.events}


def test_a_goal_date_moved_from_one_day_to_another_keeps_the_first_as_a_back_reference() -> None:
    # CONTRACT.md: one goal_date_extension; the stated original date is a goal_date, null.
    body = (
        "that the FDA has extended the company's Prescription Drug User Fee Act (PDUFA) goal "
        "date for its Zentra application by three months from August 2, 2024 to November 2, "
        "2024. The FDA extended the goal date to review a major amendment."
    )
    assert _acts(body) == {
        ("goal_date_extension", "FDA", None, date(2024, 6, 3)),
        ("goal_date", "FDA", None, None),
    }
    assert _dates(body) == [(date(2024, 11, 2), date(2024, 11, 2), "action-date")]
    # Without a dated dateline the new day is still ahead of the day the release speaks from.
    undated = extract_text("x.txt", "BOSTON -- Acme Bio said " + body + "\n")
    assert [(t.start, t.end) for t in undated.timelines] == [(date(2024, 11, 2),) * 2]


def test_an_extension_of_a_dated_review_names_the_original_goal_date() -> None:
    got = _acts(
        "that, as disclosed before, the FDA asked for an extension of the July 9, 2024 review date."
    )
    assert {(t, a) for t, a, _o, _d in got} == {
        ("goal_date_extension", "FDA"),
        ("goal_date", "FDA"),
    }


def test_a_resubmission_is_named_by_its_acceptance_and_by_a_quoted_letter() -> None:
    accepted = _acts("that the FDA has accepted the company's resubmission of its NDA for Zentra.")
    assert {t for t, *_ in accepted} >= {"acceptance", "resubmission"}
    answered = _acts(
        'that on May 31, 2024 it submitted a complete response to the "Complete Response" '
        "letter the FDA issued for Zentra."
    )
    assert ("resubmission", "FDA", None, date(2024, 5, 31)) in answered


def test_an_about_section_recounting_an_approval_adds_no_second_one() -> None:
    got = _acts(
        "that the CHMP adopted a negative opinion on Zentra. Zentra was approved by the FDA in "
        "May 2023.\nAbout Acme Bio\nAcme Bio's first medicine, Zentra, was approved by the U.S. "
        "Food and Drug Administration in"
    )
    assert [e for e in got if e[0] == "approval"] == [("approval", "FDA", "positive", None)]


def test_an_approval_the_sentence_calls_tentative_is_no_approval() -> None:
    got = _acts(
        "that because this approval was granted before the exclusivity of the reference drug "
        "ends on July 1, 2024, the approval took the form of a tentative approval."
    )
    assert not any(t == "approval" for t, *_ in got)
    final = _acts("that the FDA granted final approval to Zentra after its tentative approval.")
    assert ("approval", "FDA", "positive", date(2024, 6, 3)) in final


def test_months_of_exclusivity_are_no_deadline() -> None:
    assert (
        _dates(
            "that a paediatric study, if completed, makes Zentra eligible for an additional six "
            "months of marketing exclusivity."
        )
        == []
    )


def test_a_designation_told_with_designated_as_after_a_long_object() -> None:
    got = _acts(
        "that the FDA has designated Zentra for the treatment of muscle loss in adults with "
        "advanced lung disease as a Fast Track development program."
    )
    assert ("review_designation", "FDA", None, date(2024, 6, 3)) in got


def test_a_filing_told_with_an_indefinite_article_is_generic() -> None:
    got = _acts(
        "that the FDA granted Zentra Fast Track designation, which allows more meetings with "
        "the FDA before and after the filing of a NDA."
    )
    assert not any(t == "submission" for t, *_ in got)


def test_the_place_a_sentence_opens_with_names_the_agency_of_its_act() -> None:
    got = _acts(
        "that the EMA granted accelerated assessment to Zentra. In the U.S., Zentra was "
        "granted breakthrough therapy designation in 2023."
    )
    assert {(t, a) for t, a, _o, _d in got} == {
        ("review_designation", "EMA"),
        ("review_designation", "FDA"),
    }


def test_the_commission_adopting_a_decision_to_extend_an_indication_is_an_approval() -> None:
    got = _acts(
        "that the European Commission (EC) has adopted the Decision to extend the approved "
        "indication of Zentra to all adults."
    )
    assert ("approval", "EC", "positive", date(2024, 6, 3)) in got


def test_a_filing_announced_as_a_noun_is_a_submission() -> None:
    got = _acts('that "we are pleased to announce the MAA submission for Zentra to the EMA".')
    assert ("submission", "EMA") in {(t, a) for t, a, _o, _d in got}


def test_a_french_approval_named_by_the_place_it_was_obtained_in() -> None:
    head = "PARIS, le 3 juin 2024 – Acme Bio SA a annoncé aujourd'hui que "
    got = _acts(
        "Santé Canada a accordé une autorisation de mise sur le marché pour Zentra. Cette "
        "annonce fait suite à l'extension de l'indication obtenue en Europe en mars 2024.",
        head,
    )
    assert {(t, a) for t, a, _o, _d in got} == {("approval", "HC"), ("approval", "EC")}


def test_a_sentence_broken_by_a_blank_line_after_of_is_one_sentence() -> None:
    got = _acts(
        "that it has today submitted a marketing approval application to the Ministry of\n\n"
        "Health, Labour and Welfare for Zentra."
    )
    assert ("submission", "PMDA", None, date(2024, 6, 3)) in got


def test_a_new_drug_application_in_a_tokyo_release_is_japans() -> None:
    head = "Tokyo, Japan, June 3, 2024 --- Acme Pharma Co., Ltd. announces that it "
    got = _acts(
        "has received marketing approval for Zentra. A new drug application was submitted "
        "in July 2023.",
        head,
    )
    assert {(t, a) for t, a, _o, _d in got} == {("approval", "PMDA"), ("submission", "PMDA")}


def test_the_first_and_only_product_approved_by_is_a_held_status() -> None:
    got = _acts(
        "that its partner filed for the marketing approval of Zentra with the Ministry of "
        "Food and Drug Safety in South Korea. It is the first and only nasal testosterone "
        "product approved by the U.S. FDA."
    )
    assert {(t, a) for t, a, _o, _d in got} == {("submission", "OTHER")}


FR_JUNE_HEAD = "PARIS, le 3 juin 2024 – Acme Bio SA annonce aujourd'hui que "


def test_french_filing_acceptance_and_an_offset_from_the_filing() -> None:
    body = (
        "la FDA indique que le dossier de NDA pour Zentra est recevable. La société a soumis "
        "le dossier de NDA le 10 avril 2024. Selon le PDUFA, la FDA rendra sa décision dans les 10 "
        "mois suivant la soumission. Quand il sera approuvé, Zentra sera une option nouvelle."
    )
    got = _acts(body, FR_JUNE_HEAD)
    assert {(t, a) for t, a, _o, _d in got} == {("acceptance", "FDA"), ("submission", "FDA")}
    x = extract_text("x.txt", FR_JUNE_HEAD + body + "\n")
    assert [(t.start, t.end) for t in x.timelines] == [
        (date(2025, 2, 10), date(2025, 2, 10))  # ten months from the filing, not the release
    ]


def test_a_review_centre_recommending_priority_review_and_an_acceptance_by_possessive() -> None:
    got = _acts(
        "that the Center for Drug Evaluation (CDE) of China's NMPA has recommended Priority "
        "Review for the Zentra application. It follows the NMPA's acceptance of the NDA in "
        "April 2024."
    )
    assert {(t, a) for t, a, _o, _d in got} == {
        ("review_designation", "NMPA"),
        ("acceptance", "NMPA"),
    }


def test_a_cancelled_oral_explanation_is_neither_event_nor_deadline() -> None:
    body = (
        "that the CHMP has extended its review of the MAA for Zentra and cancelled the oral "
        "explanation scheduled for June 12, 2024."
    )
    assert not any(t == "advisory_meeting" for t, *_ in _acts(body))
    assert _dates(body) == []


def test_a_clock_followed_by_after_a_dated_step_counts_from_that_step() -> None:
    got = _dates(
        "that the CHMP timetable sets a deadline of July 29, 2024 for the answers, followed "
        "by a 30-day assessment period for the committee."
    )
    assert (date(2024, 8, 28), date(2024, 8, 28)) in {(s, e) for s, e, _m in got}
    assert not any(e == date(2024, 7, 3) for _s, e, _m in got)  # not from the release


def test_two_acts_the_release_moves_toward_are_two_deadlines() -> None:
    got = _dates(
        "that it looks forward to progressing toward an opinion and approval early next year."
    )
    assert sorted(m for _s, _e, m in got) == ["decision", "opinion"]


def test_a_national_agencys_commission_recommending_against_is_a_negative_vote_there() -> None:
    got = _acts(
        "that the general commission of the French regulatory agency has recommended that "
        "Zentra not be approved in France. \u201cWe have several options open to us, "
        "including providing more data or withdrawing the application in France.\u201d"
    )
    assert {(t, a, o) for t, a, o, _d in got} == {("trend_vote", "OTHER", "negative")}


def test_a_french_dateline_with_an_abbreviated_month() -> None:
    x = extract_text(
        "x.txt",
        "MONTRÉAL, QC, le 28 juill. 2020 /CNW/ - Acme Bio inc. a annoncé aujourd'hui que "
        "Santé Canada a émis un avis de conformité pour Zentra.\n",
    )
    assert x.release.date == date(2020, 7, 28)


def test_a_resubmission_targeted_for_a_quarter_is_a_plan() -> None:
    got = _acts("Zentra NDA resubmission targeted for Q4 2024. The company met the FDA in May.")
    assert not any(t == "resubmission" for t, *_ in got)


def test_a_goal_date_established_as_the_target_date() -> None:
    got = _acts(
        "that the FDA assigned a class 2 review to the NDA for Zentra, establishing December "
        "3, 2024, as the Prescription Drug User Fee Act (PDUFA) target date."
    )
    assert ("goal_date", "FDA", None, date(2024, 6, 3)) in got


def test_their_reply_to_a_letter_and_a_filing_in_a_past_relative_clause() -> None:
    got = _acts(
        "that the companies have submitted their reply to a complete response letter issued "
        "in October 2023. The FDA will weigh the advice in its review of the NDA that was "
        "submitted for Zentra in May 2023."
    )
    assert {(t, a) for t, a, _o, _d in got} >= {
        ("resubmission", "FDA"),
        ("refusal", "FDA"),
        ("submission", "FDA"),
    }


def test_an_8k_opening_dates_the_release_and_data_submitted_in_an_nda_is_no_filing() -> None:
    x = extract_text(
        "x.txt",
        "Item 8.01 Other Events.\nOn June 3, 2024, Acme Bio, Inc. (the \u201cCompany\u201d) "
        "announced that it intends to resubmit its NDA for Zentra in the third quarter of "
        "this year. The FDA asked for findings on the dataset submitted in the original NDA.\n",
    )
    assert x.release.date == date(2024, 6, 3)
    assert [(t.start, t.end) for t in x.timelines] == [(date(2024, 7, 1), date(2024, 9, 30))]
    assert not any(e.type == "submission" for e in x.events)


def test_an_approved_brand_name_is_no_approval() -> None:
    got = _acts(
        "that the FDA accepted the NDA for ZN-45. The company has also received conditional "
        "approval of Zentra as the brand name for ZN-45."
    )
    assert not any(t == "approval" for t, *_ in got)


def test_a_hyphenated_non_is_no_notice_of_non_compliance() -> None:
    got = _acts(
        "that the CHMP adopted a positive opinion for Zentra, a non-replicating vaccine. On "
        "May 2, 2024 the company received a non-approvable opinion for its other vaccine."
    )
    assert {(t, o) for t, _a, o, _d in got} == {("opinion", "positive"), ("opinion", "negative")}


def test_undecided_between_granting_and_refusing_is_no_approval() -> None:
    got = _acts(
        "that after the discussion the standing committee took no clear position in favor or "
        "against granting a marketing authorization for Zentra."
    )
    assert not any(t == "approval" for t, *_ in got)


def test_a_scientific_advisory_groups_recommendation_is_a_vote_and_a_confirmed_refusal() -> None:
    got = _acts(
        "that the CHMP confirmed its March 1, 2024 decision to decline the marketing "
        "authorization for Zentra, despite the positive recommendation of the CHMP's own "
        "Scientific Advisory Group."
    )
    assert ("trend_vote", "EMA", "positive") in {(t, a, o) for t, a, o, _d in got}
    assert ("reexamination_outcome", "EMA", "negative") in {(t, a, o) for t, a, o, _d in got}


def test_a_day_range_with_spaced_ordinals_is_the_meetings_days() -> None:
    got = _dates(
        "that this may lead to an opinion by the CHMP at its meeting on 9 th - 12 th December 2024."
    )
    assert got == [(date(2024, 12, 9), date(2024, 12, 12), "opinion")]


def test_the_prime_of_life_and_each_application_are_no_acts() -> None:
    got = _acts(
        "that the CHMP adopted a positive opinion for Zentra. The disease strikes patients in "
        "the prime of life. The committee prepares a draft opinion on each ATMP application "
        "submitted to the EMA. Following the recent U.S. FDA approval of Zentra, we move on."
    )
    assert {(t, a) for t, a, _o, _d in got} == {("opinion", "EMA"), ("approval", "FDA")}


def test_french_a_range_of_months_after_a_filing_planned_in_a_year_shifts_the_year() -> None:
    got = _acts(
        "Acme Bio inc. a déposé une présentation de drogue nouvelle auprès de Santé Canada. "
        "L'autorisation a été accordée par l'entremise du Programme d'accès spécial.",
        FR_JUNE_HEAD,
    )
    assert {(t, a) for t, a, _o, _d in got} == {("submission", "HC")}
    x = extract_text(
        "x.txt",
        FR_JUNE_HEAD + "Acme prévoit déposer une demande auprès de Santé Canada en 2025 et "
        "s'attend à obtenir l'homologation entre 12 et 18 mois après la demande.\n",
    )
    assert (date(2026, 1, 1), date(2027, 6, 30)) in {(t.start, t.end) for t in x.timelines}


def test_a_quoted_not_approvable_letter_is_a_refusal() -> None:
    got = _acts(
        "that in January 2024 the FDA provided a \u201cnot approvable\u201d letter for Zentra."
    )
    assert ("refusal", "FDA") in {(t, a) for t, a, _o, _d in got}


def test_spending_in_a_half_year_is_no_deadline_and_an_assumed_acceptance_is_none() -> None:
    body = (
        "that its spending in the second half of 2024 will depend on the review. Assuming "
        "the FDA accepts the NDA for Zentra for filing, the company will refinance its debt."
    )
    assert _dates(body) == []
    assert not any(t == "acceptance" for t, *_ in _acts(body))


def test_approvals_in_a_long_list_of_countries_and_a_pricing_dossier() -> None:
    x = extract_text(
        "x.txt",
        HEAD + "that Swissmedic has approved Zentra. Zentra has also received marketing "
        "authorization in Austria, Belgium, Finland, France, Luxemburg, the Netherlands and "
        "Spain. Acme submitted a pricing and reimbursement dossier to the Swiss authorities.\n",
    )
    approvals = sorted(e.agency for e in x.events if e.type == "approval")
    assert approvals == ["OTHER"] * 7 + ["SWISSMEDIC"]  # one per country (CONTRACT.md)
    assert not any(e.type == "submission" for e in x.events)


def test_a_step_due_by_the_original_goal_date_that_nothing_replaced_stands() -> None:
    got = _dates("that it expects the FDA's letter by the original August 27, 2024 PDUFA date.")
    assert (date(2024, 8, 27), date(2024, 8, 27)) in {(s, e) for s, e, _m in got}
    moved = _dates(
        "that the FDA extended the goal date; the original August 27, 2024 PDUFA date is now "
        "November 27, 2024."
    )
    assert (date(2024, 8, 27), date(2024, 8, 27)) not in {(s, e) for s, e, _m in moved}


def test_a_date_moved_from_one_day_dates_what_was_moved_however_long_its_object() -> None:
    got = _dates(
        "that the FDA has extended the target action date for the review of the New Drug "
        "Application for Zentra for the treatment of mild to moderate plaque disease in "
        "adults and adolescents from September 9, 2024 to December 9, 2024."
    )
    assert got == [(date(2024, 12, 9), date(2024, 12, 9), "action-date")]


def test_how_soon_a_past_step_came_is_no_deadline() -> None:
    body = (
        "that, because the amendment was received within three months of the goal date, "
        "the FDA extended the goal date to December 9, 2024."
    )
    assert [(s, e) for s, e, _m in _dates(body)] == [(date(2024, 12, 9), date(2024, 12, 9))]


def test_the_first_of_a_kind_an_approvals_consequence_and_a_grant_of_an_authorisation() -> None:
    acts = _acts(
        "that the FDA has approved Zentra. This is the first vaccine approved by the FDA for "
        "the disease and follows the May 2nd grant by the European Commission (EC) of a "
        "marketing authorisation for Zentra. The FDA's approval of Zentra will trigger a "
        "milestone payment. The approval came before the target action date, originally set "
        "for August 3, 2024."
    )
    assert acts == {
        ("approval", "FDA", "positive", date(2024, 6, 3)),
        ("approval", "EC", "positive", date(2024, 5, 2)),
        ("goal_date", "FDA", None, None),
    }


def test_a_past_approval_in_a_relative_clause_and_an_opinion_under_a_designation() -> None:
    acts = _acts(
        "that the FDA has approved Zentra for children. This is the second FDA-approved "
        "indication for Zentra, which was first approved in July 2019 for adults."
    )
    assert ("approval", "FDA", "positive", None) in acts and len(acts) == 2
    acts = _acts(
        "that Zentra is the first product to receive a positive opinion from the CHMP under "
        "the accelerated assessment procedure."
    )
    assert not any(t == "review_designation" for t, *_ in acts)


def test_a_gerund_act_after_for_is_a_purpose_and_a_past_expectation_no_deadline() -> None:
    acts = _acts(
        "that the data provide a sound basis for granting a marketing authorisation for "
        "Zentra in the European Union."
    )
    assert not any(t == "approval" for t, *_ in acts)
    got = _dates(
        'that "We expected to obtain the CHMP opinion on Zentra by the end of this year. We '
        'now expect that the CHMP will adopt an opinion in early 2025."'
    )
    assert [(s, e) for s, e, _m in got] == [(date(2025, 1, 1), date(2025, 4, 30))]


def test_a_goal_told_as_the_agencys_intent_and_a_meeting_of_an_abbreviated_committee() -> None:
    body = (
        "that the FDA granted the company's request for priority review earlier, and, under "
        "the Prescription Drug User Fee Act, the FDA's goal is to review and act on the NDA "
        "for Zentra by September 9, 2024. The next meeting of the EMDAC to discuss the NDA is "
        "scheduled for August 1, 2024."
    )
    acts = _acts(body)
    assert any(t == "goal_date" and a == "FDA" for t, a, *_ in acts)
    assert any(t == "advisory_meeting" for t, *_ in acts)
    got = _dates(body)
    assert (date(2024, 9, 9), date(2024, 9, 9), "action-date") in got  # "earlier" supersedes none
    assert (date(2024, 8, 1), date(2024, 8, 1), "advisory-meeting") in got


def test_an_earlier_committee_meeting_and_an_opinion_named_by_its_agency_as_adjective() -> None:
    acts = _acts(
        "that the FDA asked its EMDAC to look at the application again. The EMDAC previously met on "
        "March 2, 2024 to discuss it."
    )
    assert ("advisory_meeting", "FDA", None, date(2024, 3, 2)) in acts
    acts = _acts(
        "that, following a positive European Medicines Agency recommendation in April, the "
        "European Commission has granted a conditional marketing authorisation for Zentra."
    )
    assert ("opinion", "EMA", "positive") in {(t, a, o) for t, a, o, _d in acts}
    assert ("approval", "EC", "positive") in {(t, a, o) for t, a, o, _d in acts}


def test_an_opinion_maintained_without_a_possessive_after_re_examination() -> None:
    acts = _acts(
        "that the CHMP has maintained negative opinion on the renewal of the conditional "
        "marketing authorisation of Zentra following re-examination."
    )
    assert ("reexamination_outcome", "EMA", "negative") in {(t, a, o) for t, a, o, _d in acts}


def test_a_withdrawal_its_accepted_priority_review_and_its_goal_date_told_in_french() -> None:
    head = "PARIS, le 3 juin 2024 -- Acme Bio (Euronext : ACME) "
    acts = _acts(
        "a annoncé le retrait de sa demande d'approbation pour Zentra aux Etats-Unis. Bien que "
        "la demande d'approbation pour revue prioritaire ait été acceptée par la FDA, la "
        "société la retire. La date prévue de la mesure réglementaire attribuée par la FDA "
        "pour Zentra était le 30 juin 2024.",
        head,
    )
    kinds = {(t, a) for t, a, _o, _d in acts}
    assert {("withdrawal", "FDA"), ("acceptance", "FDA"), ("review_designation", "FDA")} <= kinds
    assert ("goal_date", "FDA") in kinds


def test_a_goal_date_moved_earlier_keeps_the_day_it_moved_to() -> None:
    got = _dates(
        "that the FDA has updated the PDUFA goal date for its review of the Zentra NDA from "
        "September 30, 2024 to July 31, 2024."
    )
    goals = [(s, e) for s, e, m in got if m == "action-date"]
    assert goals == [(date(2024, 7, 31), date(2024, 7, 31))]
    got = _dates(
        "that the FDA has extended the PDUFA goal date for Zentra from July 31, 2024 to "
        "October 31, 2024."
    )
    assert [(s, e) for s, e, m in got if m == "action-date"] == [
        (date(2024, 10, 31), date(2024, 10, 31))
    ]


def test_a_validation_with_an_adverb_and_a_procedure_the_agency_decided_applies() -> None:
    head = "LONDON, June 3, 2024 -- Acme plc (LSE: ACME) today said that "
    acts = _acts(
        "the MAA follows a submission to the European Medicines Agency in December 2023, which "
        "was subsequently validated by the EMA in April 2024.",
        head,
    )
    assert ("acceptance", "EMA") in {(t, a) for t, a, _o, _d in acts}
    acts = _acts(
        "the EMA has determined that the accelerated assessment procedure can be used for the "
        "Zentra application.",
        head,
    )
    assert ("review_designation", "EMA", None, date(2024, 6, 3)) in acts


def test_a_statutory_period_of_n_days_and_a_reply_made_within_a_period() -> None:
    head = "MONTREAL, October 10, 2024 -- Acme Inc. (TSX: ACM) today said that "
    body = (
        "Acme responded to the agency's questions within the prescribed 90-day period. Acme "
        "expects Health Canada's final decision on the NDS within the statutory period of "
        "150 days."
    )
    x = extract_text("x.txt", head + body + "\n")
    got = [(t.start, t.end) for t in x.timelines]
    assert got == [(date(2025, 3, 9), date(2025, 3, 9))]  # 150 days; the reply sets none


def test_an_undated_release_counts_no_offset_from_an_act_it_does_not_date() -> None:
    # No dateline: the day the release speaks from is a guess (its latest day told as done),
    # and the submission is named but never dated, so "six months of the submission" is no
    # date; a step counted from a day the text gives stays.
    body = (
        'Acme Bio, Inc. ("Acme") (Nasdaq: ACME) today issued a statement that it has not yet '
        "received word from the US Food and Drug Administration (FDA) on its New Drug "
        "Application for Zentra for the treatment of heat illness. The NDA for Zentra was "
        "accepted for priority review, with review timelines within six months of the NDA "
        "submission. The PDUFA date was Sunday, July 21, 2024.\nAcme will issue a press "
        "release once the FDA has made its determination.\n"
    )
    x = extract_text("x.txt", body)
    assert x.release.date is None and x.timelines == ()
    body = (
        "Acme Bio, Inc. (Nasdaq: ACME) resubmitted its NDA for Zentra on July 1, 2024. The "
        "FDA has a two-month review of the resubmission filed on July 1, 2024.\n"
    )
    got = [(t.start, t.end) for t in extract_text("x.txt", body).timelines]
    assert got == [(date(2024, 9, 1), date(2024, 9, 1))]


def test_a_month_in_a_preposed_phrase_dates_the_act_it_names_not_the_news() -> None:
    got = _events(
        "that, following a positive CHMP recommendation in April, the European Commission "
        "has granted marketing authorisation for Zentra."
    )
    # The month is the opinion's; the authorisation is today's news.
    assert ("approval", "EC", "positive", date(2024, 6, 3)) in got
    assert ("opinion", "EMA", "positive", None) in got
    got = _events(
        "that, after the FDA's acceptance of the filing on March 3, 2024, the agency has "
        "granted priority review to Zentra."
    )
    assert ("review_designation", "FDA", None, date(2024, 6, 3)) in got


def test_a_month_of_last_or_next_year_is_that_year_s() -> None:
    # A past filing told with "last year" is no deadline a year ahead.
    assert (
        _dates(
            "that a submission for approval was made in early February last year in Switzerland."
        )
        == []
    )
    got = _events("that a submission for approval was made in Switzerland in early February.")
    assert ("submission", "SWISSMEDIC", None, None) in got
    assert _dates("that it plans to submit the NDA for Zentra in March next year.") == [
        (date(2025, 3, 1), date(2025, 3, 31), "submission")
    ]
    # The superseded window of last year is gone; the new one stands.
    assert _dates(
        "that the FDA decision on Zentra, first due in the fourth quarter of last year, is now "
        "expected by the end of the third quarter."
    ) == [(date(2024, 9, 30), date(2024, 9, 30), "action-date")]


def test_an_earlier_approval_given_by_another_agency_in_the_same_sentence() -> None:
    got = _events(
        "that Swissmedic has approved Zentra, following the approval by the European "
        "Commission in February."
    )
    assert ("approval", "SWISSMEDIC", "positive", date(2024, 6, 3)) in got
    assert ("approval", "EC", "positive", None) in got


def test_presenting_at_an_oral_explanation_dates_the_explanation() -> None:
    assert _dates(
        "that it will present at an oral explanation before the CHMP on July 23, 2024."
    ) == [(date(2024, 7, 23), date(2024, 7, 23), "advisory-meeting")]


def test_what_a_designation_allows_is_no_act() -> None:
    got = _events(
        "that the FDA has granted Fast Track designation to Zentra. Fast Track designation "
        "allows for a rolling submission of the NDA."
    )
    assert [t for t, *_ in got] == ["review_designation"]


def test_act_on_it_within_months_after_a_classification_step() -> None:
    got = _dates(
        "that it has responded to the complete response letter. The FDA is expected to "
        "classify the resubmission within 14 days and, if it is a Class 2 resubmission, act "
        "on it within six months."
    )
    assert (date(2024, 12, 3), date(2024, 12, 3), "action-date") in got


def test_a_fiscal_year_ending_on_a_day_is_that_day() -> None:
    got = _dates(
        "that Japan's Ministry of Health, Labour and Welfare is expected to decide on the "
        "application by the end of the fiscal year ending March 31, 2025."
    )
    assert got == [(date(2025, 3, 31), date(2025, 3, 31), "decision")]


def test_an_act_told_as_done_is_not_a_second_act_of_the_offset() -> None:
    got = _dates(
        "that the PMDA has completed its review and the company expects approval within the "
        "next three months."
    )
    assert got == [(date(2024, 9, 3), date(2024, 9, 3), "decision")]


def test_a_past_feat_and_a_past_later_set_no_dates() -> None:
    assert (
        _dates(
            "that its team was able to answer every query and refile the Zentra dossier in about "
            "a month, and that the agency accepted the file ten days later."
        )
        == []
    )


FR = "PARIS, le 3 juin 2024 -- Acme Bio SA annonce aujourd'hui que "


def _fr_events(body: str) -> list[tuple[str, str, str | None, date | None]]:
    x = extract_text("x.txt", FR + body + "\n")
    return [(e.type, e.agency, e.outcome, e.date) for e in x.events]


def test_french_advisory_meeting_goal_date_withdrawal_and_a_conditional_opinion() -> None:
    x = extract_text(
        "x.txt", FR + "le comité consultatif de la FDA doit se réunir le 10 juillet sur Zentra.\n"
    )
    assert [(e.type, e.agency, e.date) for e in x.events] == [
        ("advisory_meeting", "FDA", date(2024, 7, 10))
    ]
    assert [(t.start, t.milestone) for t in x.timelines] == [
        (date(2024, 7, 10), "advisory-meeting")
    ]
    got = _fr_events(
        "le dossier de Zentra est accepté : selon la FDA, la date de fin du premier examen "
        "tombe le 30 octobre 2024."
    )
    assert ("goal_date", "FDA", None, date(2024, 6, 3)) in got
    got = _fr_events(
        "les données seraient insuffisantes pour obtenir un avis favorable du CHMP; la société "
        "a décidé de retirer sa demande auprès de l'EMA."
    )
    assert ("withdrawal", "EMA", None, date(2024, 6, 3)) in got
    assert not any(t == "opinion" for t, *_ in got)


def test_highlights_that_open_with_the_act() -> None:
    x = extract_text(
        "x.txt",
        "Acme Bio Reports Second Quarter 2024 Results\n\n"
        + HEAD
        + "its results for the quarter.\n\nRegulatory highlights\n\n"
        "Authorized for the older-patient label in Japan and Australia\n\n"
        "Zentra filings made in the European Union and Switzerland\n",
    )
    got = {(e.type, e.agency) for e in x.events}
    assert {("approval", "PMDA"), ("approval", "TGA")} <= got
    assert {("submission", "EMA"), ("submission", "SWISSMEDIC")} <= got


def test_the_last_quarter_of_a_year_is_its_fourth() -> None:
    assert _dates(
        "that the EMA agreed with its planned MAA submission period of the last quarter of 2024."
    ) == [(date(2024, 10, 1), date(2024, 12, 31), "submission")]


def test_a_period_that_explains_the_date_is_no_second_deadline() -> None:
    got = _dates(
        "that the agency's action date for Zentra falls on November 17, 2024, which is the "
        "usual six-month clock for a reply of this class."
    )
    assert got == [(date(2024, 11, 17), date(2024, 11, 17), "action-date")]


def test_an_answered_action_letter_of_a_past_year_is_an_undated_refusal() -> None:
    got = _events(
        "that the FDA treats the new Zentra filing as its reply to Acme's 2009 action letter."
    )
    assert ("refusal", "FDA", "negative", None) in got
    got = _events(
        "that it has submitted its full response to the FDA's March 2022 approvable letter on "
        "Zentra."
    )
    assert ("refusal", "FDA", "negative", None) in got
    assert ("resubmission", "FDA", None, date(2024, 6, 3)) in got


def test_a_list_of_places_ending_in_unnamed_ones_is_held_status() -> None:
    got = _events(
        "that Zentra is sold by partners and has been approved in Chile, Peru, and several "
        "other markets."
    )
    assert not any(t == "approval" for t, *_ in got)


def test_a_commercial_introduction_is_no_regulatory_deadline() -> None:
    assert (
        _dates(
            "that, should the agency accept the data, Zentra's commercial introduction would "
            "follow in the fourth quarter of 2024."
        )
        == []
    )


def test_designations_with_a_hyphen_and_orphan_status_held_for_a_use() -> None:
    got = _events(
        "that Zentra was granted FDA fast-track status in 2023. The compound has U.S. and EU "
        "orphan status for two rare cancers."
    )
    assert [(t, a) for t, a, *_ in got] == [("review_designation", "FDA")]
    got = _events(
        "that Zentra won EU approval under accelerated assessment, a first for the company."
    )
    assert not any(t == "review_designation" for t, *_ in got)


def test_a_meeting_told_as_a_possibility_is_not_scheduled() -> None:
    got = _events(
        "that the committee might ask it to explain the Zentra data in person at an oral "
        "explanation."
    )
    assert not any(t == "advisory_meeting" for t, *_ in got)


def test_a_notice_of_refusal_to_grant_a_variation() -> None:
    got = _events("that the MHRA issued a notice of refusal for the new Zentra indication.")
    assert ("refusal", "MHRA", "negative", date(2024, 6, 3)) in got


def test_an_undated_release_keeps_a_day_the_agency_agreed_to_act_by() -> None:
    x = extract_text(
        "x.txt",
        "Acme Bio receives more time from the EMA\n\nAcme Bio, Inc. said the EMA will let "
        "it send the remaining answers no later than November 16, 2024.\n",
    )
    assert x.release.date is None
    assert [(t.start, t.end) for t in x.timelines] == [(date(2024, 11, 16), date(2024, 11, 16))]


def test_an_opinion_confirmed_with_its_full_date_and_scientific_advice_to_seek() -> None:
    got = _events(
        "that, on re-examination, the CHMP has confirmed its 9 February 2024 negative opinion on Zentra."
    )
    assert ("reexamination_outcome", "EMA", "negative", date(2024, 6, 3)) in got
    assert _dates("that it plans to ask the EMA for scientific advice in 2025.") == [
        (date(2025, 1, 1), date(2025, 12, 31), "meeting")
    ]
    got = _events("that it has completed a full MAA to the EMA for Zentra.")
    assert ("submission", "EMA", None, date(2024, 6, 3)) in got


def test_a_pdufa_date_the_company_only_anticipates_is_no_goal_date_event() -> None:
    x = extract_text(
        "x.txt",
        HEAD + "that it has resubmitted the NDA for Zentra. Management believes the resulting "
        "PDUFA date should fall in the fourth quarter of 2024.\n",
    )
    assert not any(e.type == "goal_date" for e in x.events)
    assert [(t.start, t.end) for t in x.timelines] == [(date(2024, 10, 1), date(2024, 12, 31))]


def test_a_meeting_told_as_held_is_dated_in_the_past_and_its_recommendation_is_a_vote() -> None:
    got = _events(
        "that it was surprised by the letter, coming after the positive FDA Advisory Committee "
        "meeting of March 9 at which the panel recommended Zentra 11 to 2."
    )
    assert ("advisory_meeting", "FDA", None, date(2024, 3, 9)) in got
    assert ("trend_vote", "FDA", "positive", date(2024, 3, 9)) in got
    assert not any(t == "opinion" for t, *_ in got)


def test_a_named_resubmission_beside_a_plan_word_further_back() -> None:
    got = _events(
        "that the agency regards the late data, which it expects to be a major amendment, as "
        "part of the BLA resubmission for Zentra."
    )
    assert ("resubmission", "FDA", None, None) in got


def test_health_canada_non_compliance_and_designations_from_two_agencies() -> None:
    got = _events(
        "that Health Canada found the Zentra submission was not in compliance with the Food "
        "and Drug Regulations."
    )
    assert ("refusal", "HC", "negative", date(2024, 6, 3)) in got
    got = _events(
        "that Zentra already counts orphan drug designations granted by both the FDA and the "
        "European Commission in 2022."
    )
    assert {("review_designation", "FDA"), ("review_designation", "EC")} <= {
        (t, a) for t, a, *_ in got
    }


def test_a_launch_post_approval_and_a_device_clearance() -> None:
    assert _dates("that Zentra would reach pharmacies some ten weeks post approval.") == []
    got = _events(
        "that on May 30, 2024 the company obtained FDA 510(k) clearance for the Zentra pump."
    )
    assert ("approval", "FDA", "positive", date(2024, 5, 30)) in got


def test_an_announcement_date_in_a_long_background_phrase_is_not_the_news_act_s() -> None:
    got = _events(
        "that, after the negative trend vote of the CHMP reported on May 2, 2024 (notice no. "
        "12), the company has decided to withdraw its MAA for Zentra before the opinion due "
        "later this month."
    )
    assert ("withdrawal", "EMA", None, date(2024, 6, 3)) in got
    assert ("trend_vote", "EMA", "negative", date(2024, 5, 2)) in got


def test_two_applications_accepted_and_their_two_goal_dates() -> None:
    got = _events(
        "that the FDA has accepted both New Drug Applications, for the Zentra tablet and the "
        "Zentra syrup. The tablet's PDUFA goal date is set for February 21, 2025, while the "
        "PDUFA goal date of the syrup is set for February 26, 2025."
    )
    assert [t for t, *_ in got].count("acceptance") == 2
    assert [t for t, *_ in got].count("goal_date") == 2
    # one goal date told twice is one event
    got = _events(
        "that the PDUFA goal date is February 21, 2025. The company looks forward to the PDUFA "
        "goal date of February 21, 2025."
    )
    assert [t for t, *_ in got].count("goal_date") == 1


def test_the_time_for_review_that_would_have_expired_is_a_goal_date_named() -> None:
    x = extract_text(
        "x.txt",
        HEAD
        + "that it has withdrawn the NDA for Zentra. Had it stayed, the time for review of the "
        "application would have expired on July 8, 2024.\n",
    )
    assert ("goal_date", "FDA", None) in {(e.type, e.agency, e.date) for e in x.events}
    assert list(x.timelines) == []


def test_china_s_food_and_drug_administration_is_not_the_fda() -> None:
    got = _events("that it received approval from the China Food and Drug Administration (CFDA).")
    assert [(t, a) for t, a, *_ in got] == [("approval", "NMPA")]


def test_a_length_that_says_how_a_goal_date_was_reckoned_is_no_deadline() -> None:
    got = _dates(
        "that the FDA set an action date of February 3, 2025, which is 10 months from the "
        "submission date."
    )
    assert got == [(date(2025, 2, 3), date(2025, 2, 3), "action-date")]


def test_n_days_thereafter_is_a_step_of_the_chain() -> None:
    got = _dates(
        "that the CHMP is expected to provide its opinion in the fourth quarter of 2024, with a "
        "European Commission decision expected approximately 67 days thereafter."
    )
    assert got == [
        (date(2024, 10, 1), date(2024, 12, 31), "opinion"),
        (date(2025, 3, 8), date(2025, 3, 8), "commission-decision"),
    ]


def test_mid_year_with_its_year_and_a_span_from_this_year_into_next() -> None:
    assert _dates("that it anticipates an FDA decision around mid-year 2025.") == [
        (date(2025, 5, 1), date(2025, 8, 31), "action-date")
    ]
    assert _dates(
        "that the submission is planned for the end of this year or early next year."
    ) == [(date(2024, 12, 31), date(2025, 4, 30), "submission")]


def test_a_goal_date_an_approval_came_ahead_of_is_named_not_announced() -> None:
    got = _events(
        "that the FDA approved Zentra on May 20, two weeks ahead of its June 3 PDUFA date."
    )
    assert ("approval", "FDA", "positive", date(2024, 5, 20)) in got
    assert ("goal_date", "FDA", None, None) in got


def test_days_an_agency_has_after_an_act_dated_in_the_clause_before() -> None:
    got = _dates(
        "that the NDA for Zentra was submitted on May 2, 2024 and the FDA has 60 days to decide "
        "whether to file it."
    )
    assert got == [(date(2024, 7, 1), date(2024, 7, 1), "review")]
    # counted from that day, a period already over sets no date
    assert (
        _dates(
            "that the NDA for Zentra was submitted on March 2, 2024 and the FDA has 60 days to "
            "decide whether to file it."
        )
        == []
    )


def test_trial_measures_and_review_stretches_are_no_deadlines() -> None:
    assert (
        _dates(
            "that the NDA rests on a Phase 3 study where patients treated with Zentra halved "
            "their 28-day attack count."
        )
        == []
    )
    assert (
        _dates(
            "that the NDA submission cites a trial, which showed Zentra matched the reference "
            "drug after 24 weeks of dosing."
        )
        == []
    )
    got = _dates(
        "that, because the data came in the last two months of the review, the FDA treated them "
        "as a major amendment and extended the PDUFA goal date to December 6, 2024."
    )
    assert got == [(date(2024, 12, 6), date(2024, 12, 6), "action-date")]


def test_a_filing_letter_expected_is_the_filing_review_and_a_rumour_is_no_act() -> None:
    x = extract_text(
        "x.txt",
        HEAD + "the submission of an NDA for Zentra to the FDA. The company awaits the FDA's "
        "filing letter before the end of Q3 2024.\n",
    )
    assert (date(2024, 9, 30), date(2024, 9, 30)) in {(t.start, t.end) for t in x.timelines}
    got = _events("that online speculation that the FDA had approved Zentra is unfounded.")
    assert not any(t == "approval" for t, *_ in got)
    got = _events("that Zentra has been granted a positive CHMP opinion for conditional approval.")
    assert ("opinion", "EMA", "positive", date(2024, 6, 3)) in got
    assert not any(t == "approval" for t, *_ in got)


def test_a_day_of_this_year_and_a_first_plan_since_revised() -> None:
    got = _dates("that the FDA expects to act on Zentra by October 17th of this year.")
    assert [(a, b) for a, b, _ in got] == [(date(2024, 10, 17), date(2024, 10, 17))]
    got = _dates(
        "that it had initially planned to submit the last modules to Health Canada by the end "
        "of 2024. They are now expected to be submitted by June 30, 2025."
    )
    assert got == [(date(2025, 6, 30), date(2025, 6, 30), "submission")]


def test_a_dated_goal_named_as_moved_and_dates_adapted_respectively() -> None:
    got = _events("that its August 6, 2024 PDUFA date has been extended to November 6, 2024.")
    assert ("goal_date", "FDA", None, None) in got
    assert ("goal_date_extension", "FDA", None, date(2024, 6, 3)) in got
    x = extract_text(
        "x.txt",
        HEAD + "that the goal dates of its capsule and syrup applications have been adjusted by "
        "the FDA, to July 15 and August 27 respectively.\n",
    )
    assert ("goal_date_extension", "FDA") in {(e.type, e.agency) for e in x.events}
    assert [(t.start, t.end) for t in x.timelines] == [
        (date(2024, 7, 15), date(2024, 7, 15)),
        (date(2024, 8, 27), date(2024, 8, 27)),
    ]


def test_an_agency_granting_a_named_holder_approval() -> None:
    got = _events(
        "that the MHLW has granted its subsidiary Acme K.K. (Osaka) marketing approval for Zentra."
    )
    assert ("approval", "PMDA", "positive", date(2024, 6, 3)) in got


def test_a_vote_told_as_a_noun_and_approval_that_cannot_yet_be_given() -> None:
    got = _events(
        "that the FDA Advisory Committee session of May 30, 2024 closed with a clearly positive "
        "vote on Zentra's benefit-risk question."
    )
    assert ("trend_vote", "FDA", "positive") in {(t, a, o) for t, a, o, _ in got}
    got = _events("that the EMA told it that authorisation cannot currently be granted for Zentra.")
    assert ("opinion", "EMA", "negative", date(2024, 6, 3)) in got


def test_filings_in_a_year_with_two_agencies_named_after_the_year() -> None:
    got = _dates(
        "that it now plans to file full submissions for Zentra in 2025 with the European "
        "Medicines Agency (EMA) and the U.S. Food and Drug Administration (FDA)."
    )
    assert got.count((date(2025, 1, 1), date(2025, 12, 31), "submission")) == 2


def test_an_expected_approval_after_announced_that_is_no_act() -> None:
    got = _events("that regulatory approval in Japan is expected by March 2025.")
    assert not any(t == "approval" for t, *_ in got)


def test_a_year_less_day_in_a_complement_of_announced_that_is_ahead() -> None:
    assert _dates("that the FDA's decision on Zentra is due on Friday, August 30.") == [
        (date(2024, 8, 30), date(2024, 8, 30), "decision")
    ]


def test_an_anchor_told_as_scheduled_or_planned_after_its_offset() -> None:
    got = _dates(
        "that it intends to submit its response to the CRL within 30 days of the end-of-review "
        "meeting, which is scheduled for June 10."
    )
    assert (date(2024, 7, 10), date(2024, 7, 10), "response") in got
    got = _dates(
        "that it anticipates a regulatory decision approximately 10 months after filing, which "
        "is planned for the third quarter."
    )
    assert (date(2025, 5, 1), date(2025, 7, 30), "decision") in got


def test_a_planned_filing_in_two_places_is_two_deadlines() -> None:
    got = _dates("that it plans to file in the U.S. and Europe around the end of 2024.")
    assert got.count((date(2024, 12, 31), date(2024, 12, 31), "submission")) == 2


def test_a_meeting_to_come_is_not_dated_by_the_release_and_a_review_extended() -> None:
    got = _events(
        "that the FDA will hold an Advisory Committee meeting; the date has not been set but is "
        "expected in the third quarter of 2024."
    )
    assert ("advisory_meeting", "FDA", None, None) in got
    got = _events(
        "that the FDA notified it that the review of its NDA for Zentra has been extended, and "
        "the new target action date is expected in August 2024."
    )
    assert ("goal_date_extension", "FDA", None, date(2024, 6, 3)) in got


def test_feedback_expected_from_an_agency_is_a_deadline() -> None:
    assert _dates("that the company expects feedback from the FDA by mid-July.") == [
        (date(2024, 7, 11), date(2024, 7, 20), "response")
    ]


def test_days_a_party_has_from_an_anchor_to_act() -> None:
    got = _dates(
        "that the CHMP has adopted a negative opinion on Zentra; the company has 15 days from "
        "receipt of the opinion to request a re-examination."
    )
    assert (date(2024, 6, 18), date(2024, 6, 18), "reexamination-request") in got


def test_a_notice_of_appeal_a_granted_request_and_a_clock_from_a_month() -> None:
    got = _events("that it has filed a notice of appeal with Health Canada.")
    assert ("reexamination_request", "HC", None, date(2024, 6, 3)) in got
    got = _events("that Swissmedic has granted the company's request for a fast-track procedure.")
    assert ("review_designation", "SWISSMEDIC", None, date(2024, 6, 3)) in got
    assert _events("that the company plans to request priority review.") == []
    # the clock runs from an act dated only to a month: no day to give
    assert (
        _dates("that the MAA was validated by the EMA in January, starting the 210-day review.")
        == []
    )


def test_more_time_to_answer_in_an_eu_review_is_an_extension() -> None:
    got = _events(
        "that the EMA has agreed to accept the company's answers on Zentra by November 16, 2024."
    )
    assert ("goal_date_extension", "EMA", None, date(2024, 6, 3)) in got


def test_each_agency_keeps_the_day_told_after_its_name() -> None:
    got = _events(
        "that Zentra was approved by the European Commission on 3 March 2024 and by Swissmedic "
        "in April 2024."
    )
    assert ("approval", "EC", "positive", date(2024, 3, 3)) in got
    assert ("approval", "SWISSMEDIC", "positive", None) in got


def test_an_offset_from_an_anchor_whose_words_give_its_day() -> None:
    got = _dates(
        "that the appeal will be heard by the FDA's Office of New Drugs, which is expected to "
        "respond within 30 days of the meeting on July 1."
    )
    assert (date(2024, 7, 31), date(2024, 7, 31)) in {(a, b) for a, b, _ in got}
    assert (date(2024, 7, 3), date(2024, 7, 3)) not in {(a, b) for a, b, _ in got}


def test_a_length_told_in_the_past_and_a_letter_received_before() -> None:
    x = extract_text(
        "x.txt",
        HEAD + "that it filed the Zentra NDA again a month after receiving the FDA's Refuse to "
        "File letter.\n",
    )
    assert list(x.timelines) == []
    assert ("refusal", "FDA", None) in {(e.type, e.agency, e.date) for e in x.events}
    # a rule told in the present keeps its length
    assert _dates(
        "that the CHMP adopted a negative opinion. The request for re-examination must be made "
        "within 15 days of receipt of the opinion."
    ) == [(date(2024, 6, 18), date(2024, 6, 18), "reexamination-request")]


def test_a_trial_application_is_no_marketing_act_and_a_tga_determination_is() -> None:
    assert (
        _events("that the FDA accepted the company's Investigational New Drug (IND) application.")
        == []
    )
    got = _events("that the TGA granted provisional determination for Zentra.")
    assert ("review_designation", "TGA", None, date(2024, 6, 3)) in got


def test_an_anchor_given_as_a_bare_day_after_which_was() -> None:
    got = _dates(
        "that it anticipates a response from the FDA within 74 days of the submission date, "
        "which was May 1, 2024."
    )
    assert [(a, b) for a, b, _ in got] == [(date(2024, 7, 14), date(2024, 7, 14))]


def test_french_days_the_company_has_to_notify_its_request() -> None:
    x = extract_text(
        "x.txt",
        FR + "la société a reçu un avis négatif du CHMP et va demander un réexamen. La société "
        "dispose de 15 jours pour notifier sa demande.\n",
    )
    assert [(t.start, t.milestone) for t in x.timelines] == [
        (date(2024, 6, 18), "reexamination-request")
    ]


def test_the_product_an_application_to_an_agency_is_for() -> None:
    x = extract_text(
        "x.txt",
        HEAD + "that it submitted a New Drug Application (NDA) to the FDA for Zentra. The FDA "
        "accepted the NDA for filing.\n",
    )
    assert {e.product for e in x.events} == {"Zentra"}


def test_an_extension_granted_to_the_clock_stop() -> None:
    got = _events(
        "that the CHMP granted a one-month extension to the clock stop, moving the expected "
        "opinion on Zentra to the November meeting."
    )
    assert ("goal_date_extension", "EMA", None, date(2024, 6, 3)) in got


def test_a_weekday_of_a_done_act_a_possessive_approval_and_a_letter_refusing_to_file() -> None:
    # the release is a Monday: "on Friday" is the one just gone
    got = _events("that the FDA approved Zentra on Friday, five days ahead of the PDUFA date.")
    assert ("approval", "FDA", "positive", date(2024, 5, 31)) in got
    got = _events("that the FDA's approval came on May 30, 2024, after a priority review.")
    assert ("approval", "FDA", "positive", date(2024, 5, 30)) in got
    got = _events(
        "that it received a letter from the FDA on May 28, 2024 stating that the NDA is not "
        "sufficiently complete to permit a substantive review."
    )
    assert ("refusal", "FDA", "negative", date(2024, 5, 28)) in got


def test_japan_s_council_a_screening_acceptance_and_an_anchor_accepted_in_a_month() -> None:
    got = _events(
        "that the Pharmaceutical Affairs and Food Sanitation Council (PAFSC) recommended "
        "approval of Zentra."
    )
    assert ("trend_vote", "PMDA", "positive", date(2024, 6, 3)) in got
    got = _events("that it received a screening acceptance letter from Health Canada for its NDS.")
    assert ("acceptance", "HC", None, date(2024, 6, 3)) in got
    got = _dates(
        "that Health Canada's decision is expected within 300 days of the filing, which was "
        "accepted for review in April."
    )
    assert (date(2025, 1, 26), date(2025, 2, 24)) in {(a, b) for a, b, _ in got}


def test_a_year_less_quarter_of_a_done_act_and_two_goal_days_for_two_forms() -> None:
    # "in the first quarter", said in June and told as done: this year's, past, no deadline
    x = extract_text(
        "x.txt",
        HEAD + "that the company submitted NDAs for both Zentra and Zentor in the first quarter.\n",
    )
    assert list(x.timelines) == []
    assert ("submission", "FDA", None) in {(e.type, e.agency, e.date) for e in x.events}
    got = _dates(
        "that the FDA has assigned PDUFA dates of June 30, 2025 and July 15, 2025 for the "
        "Zentra tablets and oral solution, respectively."
    )
    assert [(a, b) for a, b, _ in got] == [
        (date(2025, 6, 30), date(2025, 6, 30)),
        (date(2025, 7, 15), date(2025, 7, 15)),
    ]
