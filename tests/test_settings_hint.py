"""A mistyped setting is named with its file and line, and the key that was meant."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.errors import ConfigError
from tracker.settings import load_settings


def test_a_mistyped_key_gets_a_suggestion_with_file_and_line(tmp_path: Path) -> None:
    config = tmp_path / "tracker.toml"
    config.write_text(
        '# ours\n[tracker]\ntimezone = "UTC"\n\n[reminders]\nsend_at = "08:00"\ndays_befor = [3]\n'
    )
    with pytest.raises(ConfigError) as e:
        load_settings(config=config, environ={})
    assert str(e.value) == (
        f"{config}:7: unknown key `reminders.days_befor`; did you mean `days_before`?"
    )
    assert e.value.exit_code == 2


def test_a_key_like_nothing_lists_the_known_ones(tmp_path: Path) -> None:
    config = tmp_path / "tracker.toml"
    config.write_text('[[recipients]]\naddress = "ra@example.org"\nzzz = 3\n')
    with pytest.raises(
        ConfigError, match=r"tracker.toml:3: unknown key `recipients.0.zzz` \(known: address, "
    ):
        load_settings(config=config, environ={})


def test_other_errors_keep_their_message_with_the_line(tmp_path: Path) -> None:
    config = tmp_path / "tracker.toml"
    config.write_text("[inbox]\npoll_seconds = 0\n")
    with pytest.raises(
        ConfigError, match=r"tracker.toml:2: inbox.poll_seconds: Input should be greater"
    ):
        load_settings(config=config, environ={})
