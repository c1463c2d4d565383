"""A procedure told over months of releases, and the lifecycle rules that follow it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.cli import cli
from tracker.domain import Event, Procedure
from tracker.pipeline import Context, derive_deadlines, ingest_paths, read_document
from tracker.rules.engine import ProcedureState, Sourced, derive
from tracker.rules.schema import Pack

from .conftest import FIXTURES

STORY = sorted((FIXTURES / "releases" / "eu-story").glob("*.txt"))
PROC = "norvane-therapeutics-inc/velocor/eu"


def _ingest_in_order(ctx: Context) -> None:
    for path in STORY:
        released = read_document(path).release.date
        assert released is not None
        ingest_paths(
            ctx, [path], datetime(released.year, released.month, released.day, 12, tzinfo=UTC)
        )


def test_eu_story_ends_with_every_deadline_closed(ctx: Context) -> None:
    _ingest_in_order(ctx)
    derive_deadlines(ctx, None, datetime(2008, 12, 1, 12, tzinfo=UTC))
    rows = {d.key.removeprefix(PROC + "/"): d for d in ctx.store.deadlines(include_all=True)}
    assert rows["reexamination-grounds"].status == "met"
    assert rows["reexamination-opinion/stated"].status == "met"  # the Q3 appeal window
    assert rows["commission-decision"].status == "met"
    assert [k for k, d in rows.items() if d.status == "open"] == []
    # The re-examination opinion moved when the grounds were filed early, then was met.
    history = ctx.store.history(f"{PROC}/reexamination-opinion")
    assert (history[0].end, history[0].status) == (date(2008, 7, 18), "superseded")
    assert rows["reexamination-opinion"].end == date(2008, 7, 14)


def test_eu_story_is_explained(ctx: Context, tmp_path: Path) -> None:
    home = tmp_path / "home"
    runner = CliRunner()
    for path in STORY:
        assert runner.invoke(cli, ["--home", str(home), "ingest", str(path)]).exit_code == 0
    out = runner.invoke(
        cli, ["--home", str(home), "explain", f"{PROC}/reexamination-opinion"]
    ).stdout
    assert "rule eu-centralised/reexamination-grounds (done on 2008-05-15 (Thu))" in out
    assert "status   met" in out
    assert "history  r0 2008-07-18 superseded" in out


def _state(*events: tuple[str, str, str | None, date, str | None]) -> ProcedureState:
    proc = Procedure("acme/zentra/x", "Acme", "Zentra", "EU")
    state = ProcedureState(proc)
    for etype, agency, outcome, when, detail in events:
        ev = Event(etype, agency, outcome, "Zentra", when, "evidence", 0, detail)
        state.events.append(Sourced(ev, when, "release.txt"))
    return state


def _by_rule(derivations: list) -> dict:  # type: ignore[type-arg]
    return {d.rule.split("/")[1]: d for d in derivations if d.rule}


def test_withdrawal_cancels_everything(packs: list[Pack]) -> None:
    state = _state(
        ("opinion", "EMA", "negative", date(2010, 1, 21), None),
        ("reexamination_request", "EMA", None, date(2010, 1, 28), None),
        ("withdrawal", "EMA", None, date(2010, 2, 10), None),
    )
    got = _by_rule(derive(state, packs, date(2010, 2, 11)))
    assert {d.status for k, d in got.items() if k != "reexamination-notice"} == {"cancelled"}


def test_positive_reexamination_ends_the_refusal_path(packs: list[Pack]) -> None:
    state = _state(
        ("opinion", "EMA", "negative", date(2010, 1, 21), None),
        ("refusal", "EC", "negative", date(2010, 3, 30), None),
        ("approval", "EC", "positive", date(2010, 6, 1), None),
    )
    assert (
        _by_rule(derive(state, packs, date(2010, 6, 2)))["annulment-action"].status == "cancelled"
    )


def test_fda_story(packs: list[Pack]) -> None:
    fda = Procedure("acme/zentra/fda", "Acme", "Zentra", "FDA")
    events = [
        ("submission", "FDA", None, date(2023, 12, 29), None),
        ("acceptance", "FDA", None, date(2024, 2, 27), None),
    ]
    state = ProcedureState(
        fda, [Sourced(Event(t, a, o, "Zentra", d, "e", 0, x), d, "r") for t, a, o, d, x in events]
    )
    got = _by_rule(derive(state, packs, date(2024, 3, 1)))
    assert got["filing-decision"].status == "met"
    assert (got["pdufa-goal-standard"].end, got["pdufa-goal-standard"].estimate) == (
        date(2024, 12, 27),
        True,
    )
    assert "pdufa-goal-priority" not in got
    # A major amendment: the standard goal is superseded, the extended one takes over.
    ext = Event("goal_date_extension", "FDA", None, "Zentra", date(2024, 10, 1), "e", 0)
    state.events.append(Sourced(ext, date(2024, 10, 1), "r2"))
    got = _by_rule(derive(state, packs, date(2024, 10, 2)))
    assert got["pdufa-goal-standard"].status == "superseded"
    assert (got["major-amendment-goal"].end, got["major-amendment-goal"].status) == (
        date(2025, 3, 27),
        "open",
    )


@pytest.mark.parametrize(
    ("submitted", "rule", "expected"),
    [
        (
            date(2012, 9, 28),
            "pdufa-goal-standard-pre-2012",
            date(2013, 7, 28),
        ),  # before the Program
        (date(2012, 10, 1), "pdufa-goal-standard", date(2013, 9, 30)),  # first day of the Program
    ],
    ids=["pre-program", "program"],
)
def test_pdufa_regime_by_submission_date(
    packs: list[Pack], submitted: date, rule: str, expected: date
) -> None:
    fda = Procedure("acme/zentra/fda", "Acme", "Zentra", "FDA")
    ev = Event("submission", "FDA", None, "Zentra", submitted, "e", 0)
    got = _by_rule(derive(ProcedureState(fda, [Sourced(ev, submitted, "r")]), packs, submitted))
    assert got[rule].end == expected
    assert {"pdufa-goal-standard", "pdufa-goal-standard-pre-2012"} - {rule} & got.keys() == set()


@pytest.mark.parametrize(
    ("letter_on", "expected_rule"),
    [(date(2008, 8, 10), "approvable-letter-response"), (date(2008, 8, 11), None)],
    ids=["last-day-of-approvable-letters", "first-day-of-crls"],
)
def test_approvable_letter_regime_ends_in_august_2008(
    packs: list[Pack], letter_on: date, expected_rule: str | None
) -> None:
    fda = Procedure("acme/zentra/fda", "Acme", "Zentra", "FDA")
    ev = Event("refusal", "FDA", "negative", "Zentra", letter_on, "e", 0, "approvable")
    got = _by_rule(derive(ProcedureState(fda, [Sourced(ev, letter_on, "r")]), packs, letter_on))
    assert ("approvable-letter-response" in got) == (expected_rule is not None)


def test_sec_8k_from_a_release(packs: list[Pack]) -> None:
    from tracker.extract import extract_text
    from tracker.pipeline import extraction_derivations

    x = extract_text(
        "x.txt",
        "BOSTON, Jan. 16, 2025 /PRNewswire/ -- Acme Inc. (Nasdaq: ACME) announced today that it has entered into an exclusive license agreement with Bexley Bio for Zentra.",
    )
    (d,) = [
        d
        for d in extraction_derivations(x, packs, date(2025, 1, 16))
        if d.rule and d.rule.startswith("us-sec/")
    ]
    assert (d.end, d.rule) == (date(2025, 1, 23), "us-sec/form-8k-material-agreement")


def test_dates_do_not_depend_on_the_hour(ctx: Context) -> None:
    # 30 March 2008: Europe changed to summer time at 01:00 UTC.
    _ingest_in_order(ctx)
    before = [(d.key, d.end, d.status) for d in ctx.store.deadlines(include_all=True)]
    derive_deadlines(ctx, None, datetime(2008, 3, 30, 0, 30, tzinfo=UTC))
    derive_deadlines(ctx, None, datetime(2008, 3, 30, 1, 30, tzinfo=UTC))
    assert [(d.key, d.end) for d in ctx.store.deadlines(include_all=True)] == [
        (k, e) for k, e, _ in before
    ]
