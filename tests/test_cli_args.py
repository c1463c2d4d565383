"""Global options where people type them, and read-only commands on a folder without data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.cli_args import hoist_global_options

from .conftest import FIXTURES, run_main

FIXTURE = FIXTURES / "releases/eu-negative-opinion-reexamination.txt"


_main = run_main


def test_home_after_the_command_works_like_before_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = str(tmp_path / "home")
    assert _main(capsys, "ingest", str(FIXTURE), "--home", home)[0] == 0
    before = _main(capsys, "--home", home, "deadlines", "--all", "--format", "json")
    after = _main(capsys, "deadlines", "--all", "--format", "json", f"--home={home}")
    assert before[0] == after[0] == 0
    assert json.loads(before[1]) == json.loads(after[1]) and json.loads(after[1])


def test_a_read_only_command_on_a_folder_without_data_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "not-a-tracker"
    empty.mkdir()
    for command in (["deadlines"], ["sources"], ["explain", "x/y/z"], ["log"]):
        code, _out, err = _main(capsys, *command, "--home", str(empty))
        assert code == 2, (command, err)
        assert "no tracker data in" in err and str(empty) in err
    assert list(empty.iterdir()) == []  # no database, no folders made


def test_hoisting_leaves_what_follows_a_double_dash() -> None:
    assert hoist_global_options(["deadlines", "--home", "D", "--all"]) == [
        "--home",
        "D",
        "deadlines",
        "--all",
    ]
    assert hoist_global_options(["--debug", "extract", "--", "--home"]) == [
        "--debug",
        "extract",
        "--",
        "--home",
    ]
    assert hoist_global_options(["rules", "explain", "R", "--debug"]) == [
        "--debug",
        "rules",
        "explain",
        "R",
    ]


def test_deadlines_filter_by_company_product_agency_and_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = str(tmp_path / "home")
    fda = tmp_path / "acme.txt"
    fda.write_text(
        "BOSTON, June 2, 2024 -- Acme Biologics, Inc. (Nasdaq: ACMB) said today that the U.S. "
        "Food and Drug Administration has set a PDUFA target action date of June 28, 2031 "
        "for Zentra(R).\n"
    )
    assert _main(capsys, "--home", home, "ingest", str(FIXTURE), str(fda))[0] == 0

    def rows(*filters: str) -> list[dict]:
        code, out, err = _main(
            capsys, "--home", home, "deadlines", "--all", "--format", "json", *filters
        )
        assert code == 0, err
        return json.loads(out)

    every = rows()
    acme = rows("--company", "acme biologics")
    assert acme and {r["procedure"]["company"] for r in acme} == {"Acme Biologics, Inc."}
    assert rows("--product", "ZENTRA") == acme
    eu = rows("--agency", "eu")
    assert eu and all(r["procedure"]["agency"] == "EU" for r in eu)
    assert len(acme) + len(eu) == len(every)
    statuses = {r["status"] for r in every}
    one = sorted(statuses)[0]
    assert {r["status"] for r in rows("--status", one)} == {one}
    assert rows("--company", "nobody") == []
    code, _out, err = _main(capsys, "--home", home, "deadlines", "--status", "bogus")
    assert code == 2 and "unknown status bogus" in err
