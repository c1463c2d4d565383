"""Calendar feed: build time for 10,000 deadlines, and requests per second served by the real
server (uvicorn) for the full feed, for a 304, and for a static file of the same size, the
baseline, all in one run. Needs `wrk` (Debian package) for the request rates.

Usage: python benchmarks/bench_feed.py [--deadlines N] [--seconds S]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus import store_deadlines
from tracker.ical import _CACHE, build_calendar
from tracker.settings import load_settings
from tracker.store import Store
from tracker.web import Server, feed_token, make_app


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wrk(url: str, seconds: int, header: str | None = None) -> float:
    cmd = ["wrk", "-t2", "-c16", f"-d{seconds}s", url]
    if header:
        cmd[1:1] = ["-H", header]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--deadlines", type=int, default=10_000)
    ap.add_argument("--seconds", type=int, default=5)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        settings = load_settings(None, home=str(home), environ={}).settings
        now = datetime.now(UTC)
        first = now.date() + timedelta(days=10)  # open deadlines: what default feeds carry
        store = Store(f"sqlite:///{tmp}/tracker.db")
        store.migrate(now)
        store_deadlines(store, a.deadlines, first, now)
        rows = store.deadlines(include_all=True, today=now.date())
        start = time.perf_counter()
        body = build_calendar(rows, alarms=[30, 7, 1]).encode()
        cold = time.perf_counter() - start
        start = time.perf_counter()
        build_calendar(rows, alarms=[30, 7, 1])
        warm = time.perf_counter() - start
        _CACHE.clear()
        print(f"deadlines {len(rows)}, feed {len(body) / 1e6:.1f} MB")
        print(f"build (cold)         {cold:8.3f} s")
        print(f"build (events cached){warm:8.3f} s")
        if shutil.which("wrk") is None:
            print("wrk not installed (apt-get install wrk): no request rates")
            return
        static = Path(tmp) / "static"
        static.mkdir()
        (static / "feed.ics").write_bytes(body)
        app = make_app(store, settings)
        from starlette.staticfiles import StaticFiles

        app.mount("/static", StaticFiles(directory=static))
        port = _port()
        server = Server(app, "127.0.0.1", port)
        server.start()
        try:
            token = feed_token(home)
            base = f"http://127.0.0.1:{port}"
            feed = f"{base}/{token}/calendar.ics"
            import urllib.request

            with urllib.request.urlopen(feed) as r:  # warm the cache
                etag = r.headers["ETag"]
                served = len(r.read())
            if served != len(body):
                raise SystemExit(
                    f"the feed served {served} bytes, the baseline file has {len(body)}"
                )
            rates = {
                "feed": _wrk(feed, a.seconds),
                "static": _wrk(f"{base}/static/feed.ics", a.seconds),
                "304": _wrk(feed, a.seconds, f"If-None-Match: {etag}"),
            }
        finally:
            server.stop()
    print(f"full feed            {rates['feed']:8.1f} requests/s")
    print(f"static file baseline {rates['static']:8.1f} requests/s")
    print(f"feed / static        {rates['feed'] / rates['static']:8.1%}")
    print(f"304 Not Modified     {rates['304']:8.1f} requests/s")
    print(json.dumps({"cold_s": round(cold, 3), **{k: round(v, 1) for k, v in rates.items()}}))


if __name__ == "__main__":
    main()
