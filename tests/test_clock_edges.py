"""The edges read the clock; tested at the instant before and the instant of a boundary."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import time_machine
from click.testing import CliRunner

from tracker.cli import cli

RELEASE = (
    "BOSTON, June 23, 2024 /PRNewswire/ -- Acme Inc. (Nasdaq: ACME) said today that the "
    "FDA set a PDUFA target action date of July 8, 2024 for Zentra(R).\n"
)


def _run(home: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--home", str(home), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_upcoming_deadlines_follow_the_clock(tmp_path: Path) -> None:
    release = tmp_path / "acme.txt"
    release.write_text(RELEASE)
    with time_machine.travel(datetime(2024, 6, 23, 14, tzinfo=UTC), tick=False):
        _run(tmp_path, "ingest", str(release))
    # 8 July 2024, 23:59:59 in New York: the goal date is still today.
    with time_machine.travel(datetime(2024, 7, 9, 3, 59, 59, tzinfo=UTC), tick=False):
        assert len(json.loads(_run(tmp_path, "deadlines", "--format", "json"))) == 1
    with time_machine.travel(datetime(2024, 7, 9, 4, 0, 0, tzinfo=UTC), tick=False):
        assert json.loads(_run(tmp_path, "deadlines", "--format", "json")) == []
        (row,) = json.loads(_run(tmp_path, "deadlines", "--all", "--format", "json"))
        assert row["status"] == "passed"


def test_reminder_falls_due_at_send_time(tmp_path: Path) -> None:
    release = tmp_path / "acme.txt"
    release.write_text(RELEASE)
    with time_machine.travel(datetime(2024, 6, 23, 14, tzinfo=UTC), tick=False):
        _run(tmp_path, "ingest", str(release))
        assert (
            _run(tmp_path, "remind").strip() == "sent=1 deferred=0 rejected=0"
        )  # the 30-day one, late
    # The 7-day reminder: 1 July 2024 at 08:00 New York (12:00 UTC).
    with time_machine.travel(datetime(2024, 7, 1, 11, 59, 59, tzinfo=UTC), tick=False):
        assert _run(tmp_path, "remind").strip() == "sent=0 deferred=0 rejected=0"
    with time_machine.travel(datetime(2024, 7, 1, 12, 0, 0, tzinfo=UTC), tick=False):
        assert _run(tmp_path, "remind").strip() == "sent=1 deferred=0 rejected=0"
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2
