"""The one place that reads the wall clock (and the monotonic clock ages are timed by)."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def monotonic() -> float:
    """Seconds on a clock that never goes back, for ages and timeouts (not for dates)."""
    return time.monotonic()
