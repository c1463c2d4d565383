"""Command-line conveniences the click group itself does not give.

- Global options where people type them: `tracker deadlines --home DIR` means
  `tracker --home DIR deadlines` (`../shared/CONTRACT.md` writes it that way). The global
  options (`--home`, `--config`, `--as`, `--debug`) are moved before the command; no
  command has options of those names, and nothing after `--` is touched.
- Read-only commands on a folder without tracker data say so (exit 2) instead of
  creating an empty database there.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from tracker.errors import ConfigError

WITH_VALUE = ("--home", "--config", "--as")
FLAGS = ("--debug",)


def hoist_global_options(args: list[str]) -> list[str]:
    """`args` with the global options that follow the command moved in front of it."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    seen_command = False
    while i < len(args):
        a = args[i]
        if a == "--":
            rest.extend(args[i:])
            break
        name = a.split("=", 1)[0]
        if seen_command and name in WITH_VALUE:
            if "=" in a:
                front.append(a)
                i += 1
            else:
                front.extend(args[i : i + 2])
                i += 2
            continue
        if seen_command and a in FLAGS:
            front.append(a)
            i += 1
            continue
        if not seen_command:
            if name in WITH_VALUE and "=" not in a:
                front.extend(args[i : i + 2])
                i += 2
                continue
            if a.startswith("-"):
                front.append(a)
                i += 1
                continue
            seen_command = True
        rest.append(a)
        i += 1
    return front + rest


def require_data(database_url: str, home: Path) -> None:
    """Refuse (exit 2) a read-only command on a data folder that holds no tracker data."""
    if not database_url.startswith("sqlite:///"):
        return  # a server database: its absence is the connection's error to report
    path = Path(database_url.removeprefix("sqlite:///"))
    if not path.exists():
        raise ConfigError(
            f"no tracker data in {home} (no {path.name}); give the data folder with "
            "--home DIR or TRACKER_HOME, or start with `tracker ingest` or `tracker run`"
        )


def deadline_filter(
    company: str | None, product: str | None, agency: str | None, status: str | None
) -> Callable[[Any], bool]:
    """`tracker deadlines` filters: company and product by the words of their names (case
    aside), the authority by its code, statuses as a comma-separated list."""
    from tracker.vocabulary import STATUSES

    wanted = {s.strip().lower() for s in status.split(",")} if status else None
    if wanted and wanted - set(STATUSES):
        bad = ", ".join(sorted(wanted - set(STATUSES)))
        raise click.BadParameter(f"unknown status {bad} (one of {', '.join(STATUSES)})")

    def words(value: str | None) -> str:
        return " ".join((value or "").lower().split())

    def keep(d: Any) -> bool:
        p = d.procedure
        return (
            (company is None or words(company) in words(p.company))
            and (product is None or words(product) in words(p.product))
            and (agency is None or agency.strip().upper() == (p.agency or "").upper())
            and (wanted is None or d.status in wanted)
        )

    return keep
