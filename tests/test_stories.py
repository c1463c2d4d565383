"""Stories told over several releases, read in order, and the corrections a team makes to
them: the stored deadlines, their statuses, the explanation, the calendar and the log."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner

from tracker.cli import cli
from tracker.domain import Deadline
from tracker.errors import TrackerError
from tracker.pipeline import Context, derive_deadlines, ingest_paths, read_document

from .conftest import FIXTURES

STORIES = FIXTURES / "releases"
SEED = STORIES / "eu-negative-opinion-reexamination.txt"
SEED_PROC = "norvane-therapeutics-inc/velocor/eu"


def _read_in_order(ctx: Context, folder: str) -> None:
    for path in sorted((STORIES / folder).glob("*.txt")):
        released = read_document(path).release.date
        assert released is not None
        moment = datetime(released.year, released.month, released.day, 12, tzinfo=UTC)
        report = ingest_paths(ctx, [path], moment)
        assert report.failed == 0, report.errors


def _rows(ctx: Context, proc: str) -> dict[str, Deadline]:
    return {
        d.key.removeprefix(proc + "/"): d
        for d in ctx.store.deadlines(include_all=True, procedure_key=proc)
    }


def _cli(home: Path, *args: str, stdin: str | None = None) -> tuple[int, str]:
    """Run a command as `tracker` does: our errors end as one line and their exit status."""
    result = CliRunner().invoke(cli, ["--home", str(home), *args], input=stdin)
    if isinstance(result.exception, TrackerError):
        return result.exception.exit_code, result.output + str(result.exception)
    return result.exit_code, result.output


def _seed_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    with time_machine.travel(datetime(2008, 3, 21, 12, tzinfo=UTC), tick=False):
        assert _cli(home, "ingest", str(SEED))[0] == 0
    return home


# --- the EU story whose grounds were filed after the date computed from the assumed receipt


EU_PROC = "kestrel-oncology-plc/maravex/eu"


def test_eu_story_with_late_grounds_ends_with_every_deadline_met(ctx: Context) -> None:
    _read_in_order(ctx, "eu-late-grounds")
    derive_deadlines(ctx, None, datetime(2010, 1, 4, 12, tzinfo=UTC))
    rows = _rows(ctx, EU_PROC)
    assert {k: d.status for k, d in rows.items()} == dict.fromkeys(rows, "met")
    assert {
        "reexamination-notice",
        "reexamination-grounds",
        "reexamination-opinion",
        "commission-decision",
        "reexamination-opinion/stated",
    } <= set(rows)
    # Filing the grounds a week after the computed date is evidence of a later receipt.
    grounds = rows["reexamination-grounds"]
    assert any("probably later than assumed" in n for n in grounds.notes)
    # "intends to request, later this month, that the CHMP re-examine its opinion": the
    # request is what is due this month, not the re-examination opinion.
    assert rows["reexamination-notice/stated"].title.startswith("Re-examination request")
    assert rows["reexamination-opinion/stated"].title.startswith("Re-examination opinion")
    assert (
        rows["reexamination-opinion/stated"].start,
        rows["reexamination-opinion/stated"].end,
    ) == (
        date(2009, 7, 1),
        date(2009, 9, 30),
    )


def test_eu_story_read_as_of_a_day_shows_what_was_owed_then(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for path in sorted((STORIES / "eu-late-grounds").glob("*.txt")):
        assert _cli(home, "ingest", str(path))[0] == 0
    code, out = _cli(home, "deadlines", "--as-of", "2009-04-01", "--format", "json")
    assert code == 0, out
    then = {d["key"].removeprefix(EU_PROC + "/"): d for d in json.loads(out)}
    # On 1 April 2009 the grounds were owed (from the assumed receipt); nothing later known.
    assert then["reexamination-grounds"]["end"] == "2009-05-18"
    assert then["reexamination-grounds"]["status"] == "open"
    assert "reexamination-notice" not in then  # the request had been made: met, not owed
    code, out = _cli(home, "explain", f"{EU_PROC}/reexamination-grounds", "--as-of", "2009-05-22")
    assert code == 0 and "status   passed" in out, out
    code, out = _cli(home, "explain", f"{EU_PROC}/reexamination-grounds")
    assert "status   met" in out and "probably later than assumed" in out


# --- facts move the stated deadlines anchored on them ------------------------------------


def test_recorded_receipt_moves_the_stated_grounds_deadline(tmp_path: Path) -> None:
    home = _seed_home(tmp_path)
    with time_machine.travel(datetime(2008, 3, 28, 9, tzinfo=UTC), tick=False):
        code, out = _cli(home, "--as", "alice", "fact", "set", SEED_PROC, "receipt", "2008-03-27")
    assert code == 0, out
    code, out = _cli(home, "explain", f"{SEED_PROC}/reexamination-grounds")
    # 27 March + 60 days is Monday 26 May 2008, a bank holiday at EMA's London seat.
    assert "date     2008-05-27" in out
    assert "2008-03-27 (Thu) (recorded fact)" in out
    assert "assumed" not in out.split("evidence")[0].replace("(assumed)", "")


def test_unsetting_the_fact_brings_the_assumption_back(tmp_path: Path) -> None:
    home = _seed_home(tmp_path)
    with time_machine.travel(datetime(2008, 3, 28, 9, tzinfo=UTC), tick=False):
        assert _cli(home, "fact", "set", SEED_PROC, "receipt", "2008-03-27")[0] == 0
        assert _cli(home, "fact", "unset", SEED_PROC, "receipt")[0] == 0
    out = _cli(home, "explain", f"{SEED_PROC}/reexamination-grounds")[1]
    assert "date     2008-05-19" in out and "(assumed)" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fact", "set", SEED_PROC, "receipt", "2008-03-10"], "before the opinion"),
        (["fact", "set", "no/such/procedure", "receipt", "2008-03-27"], "no procedure"),
        (["fact", "set", SEED_PROC, "receipt", "2030-01-01"], "in the future"),
        (["fact", "set", SEED_PROC, "receipt", "1900-01-01"], "outside"),
        (["fact", "unset", SEED_PROC, "receipt"], "has no recorded receipt"),
        (
            ["deadline", "set", f"{SEED_PROC}/reexamination-grounds", "2008-06-10", "2008-06-01"],
            "ends",
        ),
    ],
)
def test_bad_corrections_are_refused_and_change_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    home = _seed_home(tmp_path)
    before = _cli(home, "deadlines", "--all", "--format", "json")[1]
    logged = _cli(home, "log")[1]
    with time_machine.travel(datetime(2008, 3, 28, 9, tzinfo=UTC), tick=False):
        code, out = _cli(home, *args)
    assert code == 2, out
    assert message in out
    assert _cli(home, "deadlines", "--all", "--format", "json")[1] == before
    assert _cli(home, "log")[1] == logged


def test_an_unknown_fact_name_is_refused(tmp_path: Path) -> None:
    home = _seed_home(tmp_path)
    code, out = _cli(home, "fact", "set", SEED_PROC, "approval_day", "2008-03-27")
    assert code == 2 and "approval_day" in out


# --- hand-set dates, done and dismissed, the audit log ------------------------------------


def test_a_hand_set_future_date_is_owed_until_then(tmp_path: Path) -> None:
    home = _seed_home(tmp_path)
    key = f"{SEED_PROC}/reexamination-grounds"
    with time_machine.travel(datetime(2008, 6, 2, 9, tzinfo=UTC), tick=False):
        # The computed date (19 May) is behind us: it passed, nothing says it was missed.
        listed = json.loads(_cli(home, "deadlines", "--all", "--format", "json")[1])
        assert {d["key"]: d["status"] for d in listed}[key] == "passed"
        code, out = _cli(
            home, "--as", "alice", "deadline", "set", key, "2008-06-20", "--note", "EMA letter"
        )
        assert code == 0, out
        listed = json.loads(_cli(home, "deadlines", "--format", "json")[1])
        assert [d["status"] for d in listed if d["key"] == key] == ["open"]
        explained = _cli(home, "explain", key)[1]
        assert "set by hand by alice on 2008-06-02 09:00 UTC: EMA letter" in explained
        out_file = tmp_path / "cal.ics"
        assert _cli(home, "calendar", "-o", str(out_file))[0] == 0
    ics = out_file.read_text()
    event = next(e for e in ics.split("BEGIN:VEVENT") if "20080620" in e)
    assert "Passed" not in event and "Missed" not in event
    assert "set by hand" in event
    # Recalculation (a later derivation) keeps it.
    with time_machine.travel(datetime(2008, 6, 10, 9, tzinfo=UTC), tick=False):
        assert _cli(home, "ingest", str(SEED))[0] == 0
        listed = json.loads(_cli(home, "deadlines", "--format", "json")[1])
        assert [d["end"] for d in listed if d["key"] == key] == ["2008-06-20"]


def test_done_dismiss_reopen_and_the_log(tmp_path: Path) -> None:
    home = _seed_home(tmp_path)
    grounds = f"{SEED_PROC}/reexamination-grounds"
    decision = f"{SEED_PROC}/commission-decision"
    with time_machine.travel(datetime(2008, 5, 20, 9, tzinfo=UTC), tick=False):
        assert (
            _cli(home, "--as", "bob", "deadline", "done", grounds, "--note", "filed 15 May")[0] == 0
        )
        assert _cli(home, "--as", "bob", "deadline", "dismiss", decision)[0] == 0
        assert _cli(home, "--as", "carol", "note", SEED_PROC, "=call EMA on Monday")[0] == 0
    rows = {
        d["key"]: d for d in json.loads(_cli(home, "deadlines", "--all", "--format", "json")[1])
    }
    assert rows[grounds]["status"] == "met" and rows[decision]["status"] == "cancelled"
    assert "marked done by bob" in _cli(home, "explain", grounds)[1]
    with time_machine.travel(datetime(2008, 5, 21, 9, tzinfo=UTC), tick=False):
        assert _cli(home, "--as", "bob", "deadline", "reopen", decision)[0] == 0
        listed = json.loads(_cli(home, "deadlines", "--all", "--format", "json")[1])
    assert {d["key"]: d for d in listed}[decision]["status"] == "open"
    table = list(csv.DictReader(io.StringIO(_cli(home, "log", "--format", "csv")[1])))
    table = [r for r in table if r["action"] != "recompute"]  # the seed release's own
    assert [(r["who"], r["action"]) for r in table] == [
        ("bob", "done"),
        ("bob", "dismissed"),
        ("carol", "note"),
        ("bob", "reopen"),
    ]
    assert table[0]["note"] == "filed 15 May" and table[0]["before"] == "open"
    assert table[2]["note"] == "'=call EMA on Monday"  # never a spreadsheet formula
    lines = _cli(home, "log", "--procedure", SEED_PROC, "--format", "json")[1].splitlines()
    assert len(lines) == 5 and json.loads(lines[1])["target"] == grounds
    assert "no changes recorded" in _cli(home, "log", "--procedure", "other/x/eu")[1]


# --- statuses: passed is no evidence of a miss, a later step implies the earlier one -------


def test_an_agency_act_that_is_late_has_passed_with_no_news(ctx: Context) -> None:
    _read_in_order(ctx, "hc-non")
    derive_deadlines(ctx, None, datetime(2023, 1, 5, 12, tzinfo=UTC))
    rows = _rows(ctx, "maplewood-pharma-inc/torvalin/hc")
    assert rows["non-response"].status == "met"  # answered on 20 January
    assert rows["nds-review-standard"].status == "met"  # the NON was the decision


def test_a_later_step_implies_the_earlier_one(ctx: Context, tmp_path: Path) -> None:
    ingest_paths(ctx, [SEED], datetime(2008, 3, 20, 12, tzinfo=UTC))
    outcome = tmp_path / "outcome.txt"
    outcome.write_text(
        "BOSTON, Mass. - (July 25, 2008) - Norvane Therapeutics, Inc. (Nasdaq: NRVT) today "
        "announced that, after re-examination, the CHMP of the European Medicines Agency "
        "adopted a positive opinion recommending marketing authorization for Velocor(R).\n"
    )
    ingest_paths(ctx, [outcome], datetime(2008, 7, 25, 12, tzinfo=UTC))
    derive_deadlines(ctx, None, datetime(2008, 7, 26, 12, tzinfo=UTC))
    grounds = _rows(ctx, SEED_PROC)["reexamination-grounds"]
    # No release said the grounds were filed; the opinion after them shows they were.
    assert grounds.status == "met"
    assert any("a later step implies it" in n for n in grounds.notes)


# --- the FDA and Health Canada stories ----------------------------------------------------


def test_fda_story_acceptance_extension_approval(ctx: Context) -> None:
    _read_in_order(ctx, "fda-extension")
    derive_deadlines(ctx, None, datetime(2025, 3, 1, 12, tzinfo=UTC))
    rows = _rows(ctx, "oriole-therapeutics-inc/vantrexa/fda")
    goal = rows["pdufa-goal-standard"]
    assert (goal.end, goal.status) == (date(2025, 2, 15), "met")
    # The extension revised the goal date in place: one deadline, its first date in history.
    assert [k for k, d in rows.items() if d.status in ("cancelled", "superseded")] == []
    history = ctx.store.history(goal.key)
    assert date(2024, 11, 15) in [h.end for h in history]
    # "extended the review by three months" measures the move; it is no deadline of its own.
    assert not any(k.startswith("stated-submission") for k in rows)


def test_fda_story_crl_class_2_resubmission_approval(ctx: Context) -> None:
    _read_in_order(ctx, "fda-crl")
    derive_deadlines(ctx, None, datetime(2024, 3, 1, 12, tzinfo=UTC))
    rows = _rows(ctx, "wren-biosciences-inc/lumavel/fda")
    assert rows["resubmission-class-2-goal"].end == date(2024, 2, 16)
    assert {k: d.status for k, d in rows.items()} == dict.fromkeys(rows, "met")
    # The CRL named again in the resubmission release is the same letter, not a second one:
    # it neither meets the new goal date nor restarts the one-year window.
    assert rows["crl-resubmission-window"].end == date(2024, 3, 8)


def test_health_canada_story_non_response_noc(ctx: Context) -> None:
    _read_in_order(ctx, "hc-non")
    derive_deadlines(ctx, None, datetime(2023, 7, 1, 12, tzinfo=UTC))
    rows = _rows(ctx, "maplewood-pharma-inc/torvalin/hc")
    assert set(rows) == {"nds-review-standard", "non-response"}
    assert {d.status for d in rows.values()} == {"met"}
    assert ctx.store.procedure_keys() == ["maplewood-pharma-inc/torvalin/hc"]


# --- a restated window keeps its key -------------------------------------------------------


def test_a_restated_window_revises_the_deadline_instead_of_forking_it(
    ctx: Context, tmp_path: Path
) -> None:
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text(
        "LONDON, June 3, 2021 /PRNewswire/ -- Heron Biologics plc (LSE: HRN) said today that "
        "the EMA has validated its marketing authorisation application for Quilavo. Heron "
        "expects the CHMP opinion in the second half of 2022.\n"
    )
    second.write_text(
        "LONDON, March 1, 2022 /PRNewswire/ -- Heron Biologics plc (LSE: HRN) said today that "
        "it now expects the CHMP opinion on Quilavo in the fourth quarter of 2022.\n"
    )
    ingest_paths(ctx, [first], datetime(2021, 6, 3, 12, tzinfo=UTC))
    ingest_paths(ctx, [second], datetime(2022, 3, 1, 12, tzinfo=UTC))
    rows = _rows(ctx, "heron-biologics-plc/quilavo/eu")
    stated = {k: d for k, d in rows.items() if d.basis == "stated"}
    assert len(stated) == 1, stated
    (d,) = stated.values()
    assert (d.start, d.end, d.status) == (date(2022, 10, 1), date(2022, 12, 31), "open")
    assert [(h.start, h.end) for h in ctx.store.history(d.key)] == [
        (date(2022, 7, 1), date(2022, 12, 31))
    ]
    assert [k for k, r in rows.items() if r.status == "cancelled"] == []


def test_recomputations_caused_by_releases_are_in_the_log(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for path in sorted((STORIES / "fda-extension").glob("*.txt")):
        assert _cli(home, "ingest", str(path))[0] == 0
    lines = [json.loads(x) for x in _cli(home, "log", "--format", "json")[1].splitlines()]
    assert [e["action"] for e in lines] == ["recompute"] * 3
    assert all(e["who"].startswith("release ") and e["who"].endswith(".txt") for e in lines)
    assert json.loads(lines[1]["after"]) == {"changed": 1}  # the extension moved the goal date


def test_check_warns_of_years_without_a_closure_table(tmp_path: Path) -> None:
    with time_machine.travel(datetime(2026, 12, 1, 9, tzinfo=UTC), tick=False):
        result = CliRunner().invoke(cli, ["--home", str(tmp_path), "check"])
    assert result.exit_code == 0
    assert "calendar 'ema' has no closure table for 2026" in result.output
    assert "provisional" in result.output


def test_a_roll_over_a_year_without_a_table_is_called_provisional(ctx: Context) -> None:
    _read_in_order(ctx, "eu-late-grounds")
    notes = [n for d in ctx.store.deadlines(include_all=True) for n in d.notes]
    assert any(n.startswith("provisional roll: calendar 'ema'") for n in notes)
