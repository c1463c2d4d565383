"""One line for a settings error that says where and what was meant.

"unknown key `reminders.days_befor`; did you mean `days_before`?" with the file and the
line the key is on, instead of pydantic's "Extra inputs are not permitted".
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel


def describe(err: dict[str, Any], model: type[BaseModel], path: Path | None) -> str:
    """The message for one pydantic error of `model`, read from `path` (if any)."""
    loc = [str(p) for p in err["loc"]]
    where = ".".join(loc)
    line = _line_of(path, loc) if path is not None else None
    place = f"{path}:{line}" if line else f"{path or 'settings'}"
    if err.get("type") == "extra_forbidden":
        known = _fields_at(model, loc[:-1])
        hint = difflib.get_close_matches(loc[-1], known, n=1, cutoff=0.6)
        suggestion = (
            f"; did you mean `{hint[0]}`?"
            if hint
            else (f" (known: {', '.join(sorted(known))})" if known else "")
        )
        return f"{place}: unknown key `{where}`{suggestion}"
    return f"{place}: {where}: {err['msg']}"


def _fields_at(model: type[BaseModel], loc: list[str]) -> list[str]:
    """The keys the model accepts at `loc` (a section, or a table in an array of them)."""
    current: Any = model
    for part in loc:
        if part.isdigit():
            continue  # the n-th table of an array: same model
        fields = getattr(current, "model_fields", {})
        field = fields.get(part) or next((f for f in fields.values() if f.alias == part), None)
        if field is None:
            return []
        current = _model_of(field.annotation)
        if current is None:
            return []
    fields = getattr(current, "model_fields", {})
    return [f.alias or name for name, f in fields.items()]


def _model_of(annotation: Any) -> Any:
    """The BaseModel inside `annotation` (itself, a list of it, an optional one)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _line_of(path: Path, loc: list[str]) -> int | None:
    """The line of `loc`'s key in the TOML file: after its section's header when it has one."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    section = [p for p in loc[:-1] if not p.isdigit()]
    key = re.compile(rf"^\s*[\"']?{re.escape(loc[-1])}[\"']?\s*=")
    start = 0
    if section:
        header = re.compile(rf"^\s*\[\[?\s*{re.escape('.'.join(section))}\s*\]\]?\s*(#.*)?$")
        heads = [i for i, text in enumerate(lines) if header.match(text)]
        if not heads:
            return None
        start = heads[0]
    for i in range(start, len(lines)):
        if key.match(lines[i]):
            return i + 1
    return None
