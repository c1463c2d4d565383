"""Logging set-up: everything under the `tracker` logger, to standard error."""

from __future__ import annotations

import logging
import sys

FORMATS = {
    "text": "%(asctime)s %(levelname)-7s %(name)s: %(message)s",
    "journal": "%(levelname)s %(name)s: %(message)s",
}


def setup_logging(level: str = "INFO", fmt: str = "text") -> None:
    """Send tracker logs to standard error in the chosen format."""
    root = logging.getLogger("tracker")
    for h in list(root.handlers):
        root.removeHandler(h)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMATS.get(fmt, FORMATS["text"])))
    root.addHandler(handler)
    root.setLevel(level.upper())
    root.propagate = False
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
