"""The one place that reads the wall clock."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)
