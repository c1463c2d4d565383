"""A procedure's deadlines through the store: ingest, derive, reconcile, history, facts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from tracker.pipeline import Context, derive_deadlines, ingest_paths

from .conftest import FIXTURES, NOW

FIXTURE = FIXTURES / "releases/eu-negative-opinion-reexamination.txt"
PROC = "norvane-therapeutics-inc/velocor/eu"


def _by_key(ctx: Context) -> dict:
    return {d.key.removeprefix(PROC + "/"): d for d in ctx.store.deadlines(include_all=True)}


def test_seed_story_deadlines(ctx: Context) -> None:
    report = ingest_paths(ctx, [FIXTURE], NOW)
    assert (report.new, report.failed) == (1, 0)
    d = _by_key(ctx)
    assert (d["reexamination-notice"].end, d["reexamination-notice"].status) == (
        date(2008, 4, 4),
        "met",
    )
    grounds = d["reexamination-grounds"]
    assert (grounds.end, grounds.basis, grounds.status) == (date(2008, 5, 19), "stated", "open")
    assert grounds.assumptions == ("receipt of the opinion assumed on 2008-03-20",)
    assert d["reexamination-opinion"].end == date(2008, 7, 18)
    window = d["reexamination-opinion/stated"]
    assert (window.start, window.end) == (date(2008, 7, 1), date(2008, 9, 30))
    assert window.rule == "eu-centralised/reexamination-opinion"
    assert d["commission-decision"].estimate


def test_same_release_is_stored_once(ctx: Context) -> None:
    ingest_paths(ctx, [FIXTURE], NOW)
    again = ingest_paths(ctx, [FIXTURE], NOW + timedelta(hours=1))
    assert (again.new, again.unchanged) == (0, 1)
    elsewhere = ingest_paths(ctx, [FIXTURE], NOW, source_id="feed")
    assert (elsewhere.new, elsewhere.duplicate) == (0, 1)


def test_later_release_meets_and_moves_deadlines(ctx: Context, tmp_path: Path) -> None:
    ingest_paths(ctx, [FIXTURE], NOW)
    later = tmp_path / "grounds.txt"
    later.write_text(
        "BOSTON, Mass. - (May 2, 2008) - Norvane Therapeutics, Inc. (Nasdaq: NRVT) today said it "
        "has submitted the detailed grounds for re-examination of the CHMP opinion on "
        "Velocor(R) to the European Medicines Agency.\n"
    )
    ingest_paths(ctx, [later], datetime(2008, 5, 2, 12, tzinfo=UTC))
    d = _by_key(ctx)
    assert d["reexamination-grounds"].status == "met"
    # The opinion is now expected 60 days after the grounds were filed, not after their deadline.
    opinion = d["reexamination-opinion"]
    assert opinion.end == date(2008, 7, 1)
    assert opinion.revision == 1
    history = ctx.store.history(f"{PROC}/reexamination-opinion")
    assert [(h.end, h.status) for h in history] == [(date(2008, 7, 18), "superseded")]


def test_past_open_deadlines_pass_but_are_not_missed(ctx: Context) -> None:
    ingest_paths(ctx, [FIXTURE], NOW)
    derive_deadlines(ctx, None, datetime(2008, 6, 1, 12, tzinfo=UTC))
    grounds = _by_key(ctx)["reexamination-grounds"]
    # Nothing says the grounds were not filed: the date passed, no more.
    assert grounds.status == "passed"
    assert any("no news since" in n for n in grounds.notes)


def test_recorded_receipt_date_recomputes(ctx: Context) -> None:
    ingest_paths(ctx, [FIXTURE], NOW)
    ctx.store.set_fact(PROC, "receipt", date(2008, 3, 25), NOW)
    derive_deadlines(ctx, [PROC], NOW)
    notice = _by_key(ctx)["reexamination-notice"]
    assert notice.end == date(2008, 4, 9)
    assert notice.assumptions == ()


def test_hand_set_date_survives_recalculation(ctx: Context) -> None:
    ingest_paths(ctx, [FIXTURE], NOW)
    key = f"{PROC}/commission-decision"
    ctx.store.set_deadline_date(key, date(2008, 10, 1), date(2008, 10, 1), NOW)
    derive_deadlines(ctx, [PROC], NOW + timedelta(days=1))
    assert ctx.store.deadline(key).end == date(2008, 10, 1)  # type: ignore[union-attr]


def test_fact_set_moves_the_calendar_event_not_its_uid(tmp_path: Path) -> None:
    import icalendar
    from click.testing import CliRunner

    from tracker.cli import cli
    from tracker.ical import uid_for

    home = tmp_path / "home"
    runner = CliRunner()
    assert runner.invoke(cli, ["--home", str(home), "ingest", str(FIXTURE)]).exit_code == 0
    key = f"{PROC}/reexamination-notice"

    def event() -> icalendar.Event:
        cal = icalendar.Calendar.from_ical((home / "calendars" / "all.ics").read_bytes())
        return next(e for e in cal.walk("VEVENT") if str(e["UID"]) == uid_for(key))

    before = event()
    result = runner.invoke(cli, ["--home", str(home), "fact", "set", PROC, "receipt", "2008-03-25"])
    assert result.exit_code == 0, result.output
    after = event()
    assert before.decoded("DTSTART") == date(2008, 4, 4)
    assert after.decoded("DTSTART") == date(2008, 4, 9)
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
