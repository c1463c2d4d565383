"""The one Jinja environment: deployment templates first, then the shipped ones."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

SHIPPED = Path(__file__).resolve().parents[1] / "templates"


def format_date(d: date) -> str:
    """'Mon 19 May 2008'."""
    return d.strftime("%a %d %B %Y").replace(" 0", " ")


@lru_cache(maxsize=4)
def environment(extra_dir: str | None = None) -> Environment:
    """The template environment; `extra_dir` overrides shipped templates by name."""
    loaders = [FileSystemLoader(extra_dir)] if extra_dir else []
    loaders.append(FileSystemLoader(str(SHIPPED)))
    env = Environment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=select_autoescape(
            enabled_extensions=("html", "htm"), default_for_string=False, default=False
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Templates are read once per environment: `fresh_environment` starts a new one
        # (each reminder run does), so an edited template is seen by the next run without
        # a file check for every message rendered.
        auto_reload=False,
    )
    env.filters["format_date"] = format_date
    env.filters["weekday"] = lambda d: d.strftime("%A")
    env.filters["days_until"] = lambda d, today: (d - today).days
    return env


def fresh_environment() -> None:
    """Forget the environments made so far: templates are read again on next use."""
    environment.cache_clear()
