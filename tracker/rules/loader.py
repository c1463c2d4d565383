"""Load and validate rule packs; a broken pack stops start-up with one clear line."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from tracker.errors import RulePackError
from tracker.rules.calendars import CALENDAR_NAMES
from tracker.rules.schema import Pack

DEFAULT_RULES_DIR = Path(__file__).resolve().parents[2] / "config" / "rules"


def load_pack(path: Path) -> Pack:
    """Read one pack, raising RulePackError naming the file and the rule at fault."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise RulePackError(str(path), None, f"cannot read: {e.strerror}") from e
    except tomllib.TOMLDecodeError as e:
        raise RulePackError(str(path), None, f"invalid TOML: {e}") from e
    try:
        pack = Pack.model_validate(data)
    except ValidationError as e:
        raise RulePackError(str(path), _rule_at(data, e), _first_error(e)) from e
    if pack.pack.calendar not in CALENDAR_NAMES:
        raise RulePackError(
            str(path),
            None,
            f"unknown calendar '{pack.pack.calendar}' (one of {', '.join(CALENDAR_NAMES)})",
        )
    return pack


def _rule_at(data: dict[str, object], e: ValidationError) -> str | None:
    loc = e.errors()[0]["loc"]
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        rules = data.get("rules")
        if isinstance(rules, list) and loc[1] < len(rules) and isinstance(rules[loc[1]], dict):
            return str(rules[loc[1]].get("id", f"#{loc[1] + 1}"))
    return None


def _first_error(e: ValidationError) -> str:
    err = e.errors()[0]
    loc = [str(p) for p in err["loc"] if not isinstance(p, int)]
    field = ".".join(loc[1:] if loc and loc[0] == "rules" else loc)
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{field}: {msg}" if field and err["type"] != "value_error" else msg


def load_packs(directory: Path = DEFAULT_RULES_DIR) -> list[Pack]:
    """Load every `*.toml` pack in a folder, in name order; ids must be unique."""
    if not directory.is_dir():
        raise RulePackError(str(directory), None, "rule folder does not exist")
    packs = [load_pack(p) for p in sorted(directory.glob("*.toml"))]
    seen: dict[str, Path] = {}
    for path, pack in zip(sorted(directory.glob("*.toml")), packs, strict=True):
        if pack.id in seen:
            raise RulePackError(
                str(path), None, f"pack id '{pack.id}' also used by {seen[pack.id]}"
            )
        seen[pack.id] = path
    return packs
