"""Docs kept honest: the example config, the rule vocabulary."""

from __future__ import annotations

from pathlib import Path

from tracker.rules.calendars import ROLLS
from tracker.rules.schema import ANCHORS
from tracker.settings import Settings, example_toml

ROOT = Path(__file__).resolve().parents[1]


def test_example_config_is_complete_and_current() -> None:
    text = (ROOT / "config/tracker.example.toml").read_text()
    assert text == example_toml(), "run `tracker example-config > config/tracker.example.toml`"
    for name, field in Settings.model_fields.items():
        if name in ("sources", "recipients", "aliases"):
            assert f"# [[{name}]]" in text
            continue
        section = field.default_factory()  # type: ignore[misc]
        for key, f in type(section).model_fields.items():
            assert f"# {f.alias or key} = " in text, f"{name}.{key}"


def test_rule_vocabulary_has_headings() -> None:
    headings = {
        line.lstrip("#").strip()
        for line in (ROOT / "config/rules/README.md").read_text().splitlines()
        if line.startswith("#")
    }
    for term in [
        *ROLLS,
        *ANCHORS,
        "days",
        "business_days",
        "weeks",
        "months",
        "trigger",
        "met_by",
        "cancelled_by",
        "requires",
        "valid_from",
        "valid_until",
        "source",
    ]:
        assert term in headings, term
