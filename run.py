"""`python run.py` starts the daemon; `python run.py CMD ...` runs any tracker command."""

from __future__ import annotations

import sys

from tracker.cli import main

if __name__ == "__main__":
    main(sys.argv[1:] or ["run"])
