"""The dashboard's Upcoming page over 10,000 open deadlines, rendered on the server for a
signed-in user, against the JSON API's page of the same size on the same data, in-process
(the ASGI test client), median of repeated requests. Goal (issue 13): under 200 ms.

Usage: python benchmarks/bench_dashboard.py [--deadlines N] [--repeat R]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient

from benchmarks.corpus import store_deadlines
from tracker.settings import load_settings
from tracker.store import Store
from tracker.store.users import Users
from tracker.web import feed_token, make_app
from tracker.web.auth import hash_password

PASSWORD = "benchmark password"


def _median_ms(client: TestClient, path: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        r = client.get(path)
        times.append(time.perf_counter() - start)
        assert r.status_code == 200, (path, r.status_code)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--deadlines", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=30)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(None, home=str(Path(tmp) / "home"), environ={}).settings
        now = datetime.now(UTC)
        store = Store(f"sqlite:///{tmp}/tracker.db")
        store.migrate(now)
        store_deadlines(store, a.deadlines, now.date() + timedelta(days=1), now)
        Users(store).add("bench", "viewer", hash_password(PASSWORD), now)
        client = TestClient(make_app(store, settings))
        form = client.get("/login").text
        token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        client.post("/login", data={"name": "bench", "password": PASSWORD, "csrf": token})
        feed = feed_token(store, settings.home)
        rows = [
            ("upcoming page (50 rows, HTML)", "/upcoming"),
            ("upcoming, filtered by product", "/upcoming?product=product-7"),
            ("upcoming, a search matching none", "/upcoming?q=no-such-words"),
            ("JSON API, 50 deadlines", f"/api/deadlines?token={feed}&status=open&limit=50"),
        ]
        print(f"deadlines {a.deadlines}, median of {a.repeat} requests")
        for label, path in rows:
            print(f"{label:<36} {_median_ms(client, path, a.repeat):8.1f} ms")
        store.close()


if __name__ == "__main__":
    main()
