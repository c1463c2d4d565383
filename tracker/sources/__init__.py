"""Sources of releases and their registry. Extensions register the same way the built-ins do:
`SOURCE_TYPES["name"] = factory`, or `type = "package.module:Class"` in the config."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tracker.errors import ConfigError
from tracker.settings import Settings, SourceSettings
from tracker.sources.base import Batch, Rejected, Source
from tracker.sources.ema import EmaHighlightsSource
from tracker.sources.fda import FdaCalendarSource, FederalRegisterSource
from tracker.sources.feed import FeedSource
from tracker.sources.folder import FolderSource
from tracker.sources.mail import MailSource
from tracker.sources.page import PageSource
from tracker.sources.sec import SecSource

Factory = Callable[[SourceSettings, Settings], Source]


def _need(cfg: SourceSettings, key: str) -> str:
    value = getattr(cfg, key)
    if not value:
        raise ConfigError(f"source '{cfg.id}' ({cfg.type}) needs `{key}`")
    return str(value)


def _extra(cfg: SourceSettings, key: str, default: Any) -> Any:
    return (cfg.model_extra or {}).get(key, default)


SOURCE_TYPES: dict[str, Factory] = {
    "folder": lambda c, s: FolderSource(
        c.id, Path(_need(c, "path")).expanduser(), move=bool(_extra(c, "move", True))
    ),
    "feed": lambda c, s: FeedSource(c.id, _need(c, "url"), s.http),
    "page": lambda c, s: PageSource(c.id, _need(c, "url"), s.http, _extra(c, "link_pattern", None)),
    "mail": lambda c, s: MailSource(c.id, Path(_need(c, "path")).expanduser()),
    "sec": lambda c, s: SecSource(c.id, _need(c, "url"), s.http),
    "ema-chmp": lambda c, s: EmaHighlightsSource(
        c.id, _need(c, "url"), s.http, _extra(c, "link_pattern", None)
    ),
    "federal-register": lambda c, s: FederalRegisterSource(c.id, _need(c, "url"), s.http),
    "fda-adcomm": lambda c, s: FdaCalendarSource(
        c.id, _need(c, "url"), s.http, _extra(c, "link_pattern", None)
    ),
}


def build_source(cfg: SourceSettings, settings: Settings) -> Source:
    """The source a `[[sources]]` table describes."""
    factory = SOURCE_TYPES.get(cfg.type)
    if factory is None and ":" in cfg.type:
        module, _, name = cfg.type.partition(":")
        try:
            factory = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError) as e:
            raise ConfigError(f"source '{cfg.id}': cannot load type '{cfg.type}': {e}") from e
    if factory is None:
        raise ConfigError(
            f"source '{cfg.id}': unknown type '{cfg.type}' "
            f"(one of {', '.join(sorted(SOURCE_TYPES))} or package.module:Class)"
        )
    return factory(cfg, settings)


def configured_sources(settings: Settings) -> list[tuple[Source, int]]:
    """The inbox and every `[[sources]]` table, each with its interval in seconds."""
    from tracker.settings import parse_every

    inbox = FolderSource("inbox", settings.home / "inbox")
    out: list[tuple[Source, int]] = [(inbox, settings.inbox.poll_seconds)]
    ids = {"inbox"}
    for cfg in settings.sources:
        if cfg.id in ids:
            raise ConfigError(f"source id '{cfg.id}' is used twice")
        ids.add(cfg.id)
        out.append((build_source(cfg, settings), parse_every(cfg.every)))
    return out


__all__ = ["SOURCE_TYPES", "Batch", "Rejected", "Source", "build_source", "configured_sources"]
