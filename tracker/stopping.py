"""A stop asked for by a signal, seen by long loops between their items.

The daemon sets it on the first SIGTERM or SIGINT: a source's job finishes the release in
hand (one transaction) and leaves the rest for the next start, so stopping takes seconds
whatever is queued. Its cursor does not move past what was left (nothing is skipped).
"""

from __future__ import annotations

import threading

_STOP = threading.Event()


def request() -> None:
    """Ask every long loop to stop after its current item."""
    _STOP.set()


def requested() -> bool:
    """True once a stop was asked for."""
    return _STOP.is_set()


def reset() -> None:
    """Forget a stop (a new run in the same process: tests, embedding)."""
    _STOP.clear()
