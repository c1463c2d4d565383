"""Errors the tracker raises on purpose; each message names the thing at fault."""

from __future__ import annotations


class TrackerError(Exception):
    """Base of every error the tracker reports to a user as one line."""

    exit_code = 1


class ConfigError(TrackerError):
    """The settings cannot be loaded or are invalid."""

    exit_code = 2


class RulePackError(TrackerError):
    """A rule pack cannot be loaded; names the file and the rule."""

    exit_code = 2

    def __init__(self, path: str, rule_id: str | None, message: str) -> None:
        self.path, self.rule_id, self.detail = path, rule_id, message
        where = f"{path}: rule '{rule_id}'" if rule_id else path
        super().__init__(f"{where}: {message}")


class SourceError(TrackerError):
    """A source cannot be read."""

    def __init__(self, source_id: str, message: str) -> None:
        self.source_id = source_id
        super().__init__(f"source '{source_id}': {message}")


class ExtractError(TrackerError):
    """A document cannot be read or decoded."""


class DeliveryError(TrackerError):
    """A reminder could not be delivered."""


class NotFoundError(TrackerError):
    """A deadline, procedure or rule named on the command line does not exist."""


class UsageError(TrackerError):
    """A correction that cannot be made as asked (an impossible fact, an unknown name);
    nothing was changed."""

    exit_code = 2
