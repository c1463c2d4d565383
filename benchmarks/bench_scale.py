"""Scale: 100,000 releases' worth of deadlines (1,000,000 rows) on SQLite and PostgreSQL.

For each database it loads the rows in bulk, then measures, against the same measurements on
a database one hundredth the size built the same way in this run (the baseline):
- the upcoming-deadlines query (the next 100 open deadlines, what the API's first page and
  `tracker deadlines --limit 100` read), median of 200 runs;
- a calendar rebuild (`calendars/all.ics`: every open deadline and those changed lately);
- the real daemon (`run.py`, a child process): start-up until /healthz answers, its RSS
  then, and its peak RSS after serving the full calendar feed once.

Goals (issue 8): RSS under 150 MB, start-up under 2 s, upcoming query under 20 ms.

Usage: python benchmarks/bench_scale.py [--rows N] [--postgres URL]
(`--postgres` or TRACKER_BENCH_POSTGRES_URL adds PostgreSQL; a database is created and
dropped on that server.)
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text

from tracker.pipeline import publish_calendar
from tracker.rules.loader import load_packs
from tracker.settings import load_settings
from tracker.store import Store
from tracker.store.tables import DeadlineRow, ProcedureRow, ReleaseRow

RELEASES_PER_PROCEDURE = 5
DEADLINES_PER_RELEASE = 10
FIRST = date(2008, 1, 1)


def load(store: Store, rows: int, today: date, now: datetime) -> None:
    """`rows` deadlines from rows/10 releases over 2008..today, on rows/50 procedures. A
    deadline falls 2 weeks to 13 months after its release; those past are closed (met
    mostly, some missed or superseded), those ahead open, as in a real history."""
    rng = random.Random(8)
    span = (today - FIRST).days
    releases = rows // DEADLINES_PER_RELEASE
    tables = {m: m.__table__ for m in (ReleaseRow, ProcedureRow, DeadlineRow)}  # type: ignore[attr-defined]
    with store.engine.begin() as conn:
        conn.execute(
            tables[ProcedureRow].insert(),
            [
                {"key": f"co{p}/product-{p}/fda", "company": f"Company {p}",
                 "product": f"Product {p}", "agency": "FDA" if p % 3 else "EU"}
                for p in range(releases // RELEASES_PER_PROCEDURE)
            ],
        )  # fmt: skip
    for chunk in range(0, releases, 10_000):
        release_rows, deadline_rows = [], []
        for r in range(chunk, min(chunk + 10_000, releases)):
            day = FIRST + timedelta(days=rng.randrange(span))
            p = r // RELEASES_PER_PROCEDURE
            release_rows.append(
                {"sha256": f"{r:064x}", "source_id": "bench", "external_id": f"r{r}",
                 "name": f"r{r}.txt", "title": f"Release {r}", "release_date": day,
                 "company": f"Company {p}", "ingested_at": now}
            )  # fmt: skip
            for i in range(DEADLINES_PER_RELEASE):
                end = day + timedelta(days=rng.randrange(14, 400))
                status = (
                    "open" if end >= today else rng.choice(("met",) * 8 + ("missed", "superseded"))
                )
                deadline_rows.append(
                    {"key": f"co{p}/product-{p}/fda/r{r}-rule-{i}",
                     "procedure_key": f"co{p}/product-{p}/fda",
                     "title": f"Deadline {i}: Product {p}", "start": end, "end": end,
                     "basis": "rule", "rule": f"us-fda/rule-{i}", "status": status,
                     "evidence": "The FDA accepted the application for review.",
                     "assumptions": "[]", "steps": "[]", "notes": "[]", "source": "21 CFR 314",
                     "estimate": False, "manual": False, "revision": 1,
                     "release_ref": f"r{r}.txt", "updated_at": now - timedelta(days=60)}
                )  # fmt: skip
        with store.engine.begin() as conn:
            conn.execute(tables[ReleaseRow].insert(), release_rows)
            conn.execute(tables[DeadlineRow].insert(), deadline_rows)
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    else:
        with store.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for {pid}")


def daemon_figures(url: str, home: Path) -> tuple[float, float, float]:
    """Start the real daemon on `url`: seconds until /healthz answers, RSS (MB) then, and
    peak RSS (MB) after one full calendar feed."""
    from tracker.web import feed_token

    port = _port()
    (home / "none.toml").parent.mkdir(parents=True, exist_ok=True)
    (home / "none.toml").write_text("")
    env = {
        **os.environ,
        "TRACKER_HOME": str(home),
        "TRACKER_CONFIG": str(home / "none.toml"),
        "TRACKER_STORE__URL": url,
        "TRACKER_WEB__PORT": str(port),
    }
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "run.py"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(f"the daemon exited with {proc.returncode}") from None
                time.sleep(0.02)
        startup = time.perf_counter() - start
        rss = _rss_mb(proc.pid, "VmRSS")
        from tracker.store import Store

        token_store = Store(url)
        token = feed_token(token_store, home)
        token_store.close()
        feed = f"http://127.0.0.1:{port}/{token}/calendar.ics"
        with urllib.request.urlopen(feed, timeout=120) as r:
            r.read()
        peak = _rss_mb(proc.pid, "VmHWM")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    return startup, rss, peak


def measure(url: str, rows: int, work: Path) -> dict[str, float]:
    today = datetime.now(UTC).date()
    now = datetime.now(UTC)
    store = Store(url)
    store.migrate(now)
    t = time.perf_counter()
    load(store, rows, today, now)
    loaded = time.perf_counter() - t
    open_rows = sum(1 for _ in store.deadline_pages(today, start=today, batch=5000))
    store.upcoming(today, 100)  # warm the cache, as a running daemon has it
    runs = []
    for _ in range(200):
        t = time.perf_counter()
        store.upcoming(today, 100)
        runs.append(time.perf_counter() - t)
    settings = load_settings(None, home=str(work / "home"), environ={}).settings
    settings.store.url = url
    from tracker.pipeline import Context

    ctx = Context(settings, store, load_packs())
    t = time.perf_counter()
    publish_calendar(ctx, now)
    calendar = time.perf_counter() - t
    store.close()
    startup, rss, peak = daemon_figures(url, work / "daemon")
    return {
        "load_s": loaded,
        "open": open_rows,
        "upcoming_ms": statistics.median(runs) * 1000,
        "calendar_s": calendar,
        "startup_s": startup,
        "rss_mb": rss,
        "peak_mb": peak,
    }


@contextmanager
def database(kind: str, base: str, work: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{work / 'tracker.db'}"
        return
    name = f"tracker_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--postgres", default=os.environ.get("TRACKER_BENCH_POSTGRES_URL", ""))
    a = ap.parse_args()
    kinds = ["sqlite"] + (["postgresql"] if a.postgres else [])
    for kind in kinds:
        figures = {}
        for label, rows in (("baseline", a.rows // 100), ("full", a.rows)):
            with tempfile.TemporaryDirectory() as tmp, database(kind, a.postgres, Path(tmp)) as url:
                figures[label] = measure(url, rows, Path(tmp))
        base, full = figures["baseline"], figures["full"]
        print(f"{kind}: {a.rows:,} deadline rows ({full['open']:,.0f} open ahead), "
              f"loaded in {full['load_s']:.0f} s; baseline {a.rows // 100:,} rows")  # fmt: skip
        for key, what in (
            ("upcoming_ms", "upcoming query (next 100), ms"),
            ("calendar_s", "calendar rebuild, s"),
            ("startup_s", "daemon start-up to /healthz, s"),
            ("rss_mb", "daemon RSS after start-up, MB"),
            ("peak_mb", "daemon peak RSS after a full feed, MB"),
        ):
            print(f"  {what:<40} {full[key]:9.2f}  baseline {base[key]:8.2f}  "
                  f"ratio {full[key] / base[key]:6.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
