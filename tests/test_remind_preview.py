"""`tracker remind --preview ADDRESS` on a real owed message, and a late reminder's wording."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from .conftest import run_main

NEW_YORK = ZoneInfo("America/New_York")  # the default time zone


_main = run_main


def test_preview_prints_the_owed_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "tracker.toml"
    config.write_text('[mail]\nto = ["ra@example.org"]\n')
    release = tmp_path / "acme.txt"
    today = datetime.now(NEW_YORK).date()
    goal = today + timedelta(days=18)
    release.write_text(
        f"BOSTON, {today:%B} {today.day}, {today.year} /PRNewswire/ -- Acme Inc. (Nasdaq: "
        f"ACME) said today that the FDA set a PDUFA target action date of {goal:%B} "
        f"{goal.day}, {goal.year} for Zentra(R).\n"
    )
    late_evening = datetime.combine(today, time(23, 0), tzinfo=NEW_YORK).isoformat()
    home = str(tmp_path / "home")
    common = ("--config", str(config), "--home", home)
    assert _main(capsys, *common, "ingest", str(release))[0] == 0
    # 18 days before the goal date: the 30-day reminder is owed, sent after its lead time.
    code, out, err = _main(
        capsys,
        *common,
        "remind",
        "--preview",
        "ra@example.org",
        "--at",
        late_evening,
    )
    assert code == 0, err
    assert "1 message(s) owed to ra@example.org" in out
    assert "To: ra@example.org" in out and "Zentra" in out
    assert "Reminder: 18 days left." in out and "days ahead" not in out
    assert "BEGIN:VCALENDAR" not in out  # the .ics attachment is no part of the text
