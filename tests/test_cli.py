"""The command line: exact contract output, clear one-line errors, every command documented."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.cli import cli, main

from .conftest import FIXTURES

FIXTURE = FIXTURES / "releases/eu-negative-opinion-reexamination.txt"
README = Path(__file__).resolve().parents[1] / "README.md"


def _run(*args: str, home: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--home", str(home), *args])
    return result.exit_code, result.stdout


def test_extract_prints_the_contract(tmp_path: Path) -> None:
    bad = tmp_path / "bad.eml"
    bad.write_bytes(b"Subject: x\r\nContent-Type: image/png\r\n\r\n\x89PNG")
    code, out = _run("extract", "--format", "jsonl", str(FIXTURE), str(bad), home=tmp_path)
    lines = [json.loads(x) for x in out.splitlines()]
    assert code == 1 and len(lines) == 2
    first, second = lines
    assert set(first) >= {"source", "release", "events", "deadlines"}
    assert set(first["release"]) >= {"date", "company", "ticker", "title"}
    for d in first["deadlines"]:
        assert set(d) >= {"key", "title", "start", "end", "basis", "rule", "evidence", "status"}
    assert second["error"] and second["events"] == [] and second["deadlines"] == []
    assert not (tmp_path / "tracker.db").exists()


def test_ingest_deadlines_explain(tmp_path: Path) -> None:
    assert _run("ingest", str(FIXTURE), home=tmp_path)[0] == 0
    code, out = _run("deadlines", "--all", "--format", "json", home=tmp_path)
    rows = json.loads(out)
    assert [r["end"] for r in rows] == sorted(r["end"] for r in rows)
    notice = next(r for r in rows if r["key"].endswith("/reexamination-notice"))
    assert (notice["end"], notice["status"]) == ("2008-04-04", "met")
    assert notice["procedure"]["product"] == "Velocor"
    code, out = _run("deadlines", "--all", "--limit", "2", "--format", "json", home=tmp_path)
    assert json.loads(out) == rows[:2]
    code, out = _run("explain", notice["key"].replace("notice", "grounds"), home=tmp_path)
    assert code == 0
    assert "receipt of the opinion = 2008-03-20 (Thu) (assumed)" in out
    assert "+60 days = 2008-05-19 (Mon)" in out


def test_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import UTC, datetime

    from tracker.store import Store

    Store(f"sqlite:///{tmp_path / 'tracker.db'}").migrate(datetime.now(UTC))  # data, no deadline
    with pytest.raises(SystemExit) as exit_:
        main(["--home", str(tmp_path), "explain", "no/such/key"])
    assert exit_.value.code != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no deadline with key 'no/such/key'" in err


def test_broken_rule_pack_stops_with_file_and_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "x.toml").write_text(
        'rules = []\n[pack]\nid="x"\ntitle="t"\nversion="1"\ncalendar="nope"\nagencies=["FDA"]\n'
    )
    monkeypatch.setenv("TRACKER_TRACKER__RULES_DIR", str(rules))
    with pytest.raises(SystemExit) as exit_:
        main(["--home", str(tmp_path), "check"])
    assert exit_.value.code == 2
    assert "x.toml: unknown calendar 'nope'" in capsys.readouterr().err


def _commands(group, prefix=""):  # type: ignore[no-untyped-def]
    for name, cmd in group.commands.items():
        yield f"{prefix}{name}", cmd
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, f"{prefix}{name} ")


@pytest.mark.parametrize(("name", "cmd"), list(_commands(cli)), ids=lambda x: str(x))
def test_every_command_has_help_and_is_in_the_readme(name: str, cmd) -> None:  # type: ignore[no-untyped-def]
    assert cmd.help, name
    assert f"tracker {name}" in README.read_text()


def test_calendar_output_holds_every_deadline(tmp_path: Path) -> None:
    assert _run("ingest", str(FIXTURE), home=tmp_path)[0] == 0
    rows = json.loads(_run("deadlines", "--all", "--format", "json", home=tmp_path)[1])
    target = tmp_path / "out" / "every.ics"
    assert _run("calendar", "--output", str(target), home=tmp_path) == (0, f"{target}\n")
    text = target.read_text()
    assert text.count("BEGIN:VEVENT") == len(rows) and "Done: " in text  # met ones too
