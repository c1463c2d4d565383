"""Calendar feed served by the daemon's own server (uvicorn, in a process of its own so its
memory is its own), on 10,000 deadlines made from the development corpus's real ones, each
figure beside its baseline in the same run. Needs `wrk` (Debian package).

- build time of the feed, cold and with events cached (in this process);
- the full feed against the same bytes served from memory by the same server (a bare route
  of the same app, same middleware): goal at least 100%;
- the feed with `Accept-Encoding: gzip` against the plain feed: goal at least as fast;
- a 304 against a bare Starlette app on the same uvicorn configuration answering the same
  conditional GET (same path, same If-None-Match) with a 304: goal at least 90%; also beside
  a plain `GET /304` that the bare app answers 304 without reading a header;
- `/healthz` latency while 16 clients pull the feed: goal p99 under 20 ms;
- peak memory (VmHWM) of the server with 64 clients pulling the feed, plain then gzip:
  goal under 150 MB;
- 20,000 requests for distinct unknown companies (all 404, none cached), and the feeds of
  200 real companies: the cache stays within `[web] feed_cache_mb`.

Usage: python benchmarks/bench_feed.py [--deadlines N] [--seconds S]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

GOALS = {
    "feed / same bytes": ">= 100%",
    "gzip / plain": ">= 100%",
    "304 / bare Starlette 304": ">= 90%",
    "healthz p99 under load": "< 20 ms",
    "peak RSS, 64 clients": "< 150 MB",
}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wrk(url: str, seconds: int, connections: int = 16, headers: tuple[str, ...] = (),
         script: str | None = None) -> dict[str, float]:  # fmt: skip
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for h in headers:
        cmd += ["-H", h]
    if script:
        cmd += ["-s", script]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    moved = re.search(r"Transfer/sec:\s+([\d.]+)(\w+)", out)
    return {"rate": rate, "transfer": float(moved.group(1)) if moved else 0.0}


def _rss_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(field)


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, r.read(), {k.lower(): v for k, v in r.headers.items()}
    except urllib.error.HTTPError as e:
        return e.code, e.read(), {k.lower(): v for k, v in e.headers.items()}


# -- the server process -------------------------------------------------------------------


def serve(home: Path, port: int, bare_port: int) -> None:
    """The daemon's app on `port` with two baseline routes, and a bare Starlette app on
    `bare_port`, both on the daemon's uvicorn configuration (`tracker.web.Server`). With
    BENCH_TRACEMALLOC=1, `/baseline/mark` starts tracing Python's allocations and
    `/baseline/growth` lists what is still held of those made since, by where it was made."""
    import tracemalloc

    from fastapi.responses import JSONResponse, Response
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.routing import Route

    from tracker.settings import load_settings
    from tracker.store import Store
    from tracker.web import Server, make_app

    tracing = os.environ.get("BENCH_TRACEMALLOC") == "1"
    settings = load_settings(None, home=str(home), environ={}).settings
    store = Store(settings.database_url)
    app = make_app(store, settings)
    feeds = app.state.web.feeds
    cached = feeds.get("all", "", frozenset({"open"}))
    etag = cached.etag
    joined: list[bytes] = []  # the baseline's one `bytes`, joined on its first request, so
    # the memory phase (run before) measures what the daemon holds, not the baseline's copy
    media = "text/calendar; charset=utf-8"
    marks: list[tracemalloc.Snapshot] = []

    @app.get("/baseline/feed.ics", include_in_schema=False)
    def same_bytes() -> Response:  # the same bytes, from memory, as plainly as Starlette can
        if not joined:
            joined.append(cached.body)
        return Response(joined[0], media_type=media)

    @app.get("/baseline/stats", include_in_schema=False)
    def stats() -> JSONResponse:
        held = {"cached_bytes": feeds.cached_bytes, "feeds": len(feeds._cache)}
        return JSONResponse({**held, "budget": feeds.budget})

    @app.get("/baseline/ping", include_in_schema=False)
    async def ping() -> Response:  # what the event loop alone costs a request
        return Response(b"{}", media_type="application/json")

    @app.get("/baseline/mark", include_in_schema=False)
    def mark() -> JSONResponse:
        if tracing:  # from now on only: what was there before is not traced at all
            tracemalloc.start(6)
            marks[:] = [tracemalloc.take_snapshot()]
        return JSONResponse({"tracing": tracing})

    @app.get("/baseline/growth", include_in_schema=False)
    def growth() -> JSONResponse:
        if not tracing or not marks:
            return JSONResponse({"tracing": False, "top": []})
        diff = tracemalloc.take_snapshot().compare_to(marks[0], "traceback")
        top = [
            {"kb": round(d.size_diff / 1024, 1), "blocks": d.count_diff,
             "where": [f"{f.filename}:{f.lineno}" for f in d.traceback][-4:]}
            for d in diff[:12]
        ]  # fmt: skip
        total = sum(d.size_diff for d in diff)
        return JSONResponse({"tracing": True, "total_kb": round(total / 1024), "top": top})

    async def bare_304(request: object) -> Response:
        return Response(status_code=304, headers={"ETag": etag})

    async def bare_conditional(request: Request) -> Response:  # the same request, answered
        if request.headers.get("if-none-match") == etag:  # as plainly as Starlette can
            return Response(status_code=304, headers={"ETag": etag})
        return Response(b"", headers={"ETag": etag})

    bare = Starlette(
        routes=[Route("/304", bare_304), Route("/{given}/calendar.ics", bare_conditional)]
    )
    bare.state.web = app.state.web  # the same limits for its server
    servers = [Server(app, "127.0.0.1", port), Server(bare, "127.0.0.1", bare_port)]
    for s in servers:
        s.start()
    print("ready", flush=True)
    sys.stdin.read()  # until the benchmark closes it
    for s in servers:
        s.stop()


# -- the benchmark ------------------------------------------------------------------------


def _healthz_latencies(url: str, n: int, path: str = "/healthz") -> list[float]:
    """Milliseconds for each of `n` requests to `path`, one at a time, 10 ms apart."""
    import http.client

    host, port = url.split("//")[1].split("/")[0].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    out = []
    for _ in range(n):
        start = time.perf_counter()
        conn.request("GET", path)
        r = conn.getresponse()
        r.read()
        out.append((time.perf_counter() - start) * 1000)
        time.sleep(0.01)
    conn.close()
    return sorted(out)


def _p(lat: list[float], q: float) -> float:
    return lat[max(0, int(len(lat) * q) - 1)]


PHASES = ("memory", "rates", "healthz", "unknown")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--deadlines", type=int, default=10_000)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument(
        "--only",
        default=",".join(PHASES),
        help=f"comma-separated phases among {', '.join(PHASES)} (default: all)",
    )
    ap.add_argument(
        "--unknown",
        type=int,
        default=20_000,
        help="requests for distinct unknown companies (default 20,000)",
    )
    ap.add_argument(
        "--tracemalloc",
        action="store_true",
        help="trace the server's allocations and list what the unknown-company "
        "requests left behind (slows the server: rates are then meaningless)",
    )
    ap.add_argument("--serve", nargs=3, metavar=("HOME", "PORT", "BARE_PORT"))
    a = ap.parse_args()  # fmt: skip
    if a.serve:
        serve(Path(a.serve[0]), int(a.serve[1]), int(a.serve[2]))
        return
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    phases = {p.strip() for p in a.only.split(",") if p.strip()}
    if phases - set(PHASES):
        raise SystemExit(f"--only: unknown phase {', '.join(sorted(phases - set(PHASES)))}")

    from benchmarks.realdata import store_real_deadlines
    from tracker.ical import _CACHE, build_calendar
    from tracker.identity import slug
    from tracker.store import Store
    from tracker.web import feed_token

    results: dict[str, object] = {}
    out_rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        now = datetime.now(UTC)
        store = Store(f"sqlite:///{home / 'tracker.db'}")
        store.migrate(now)
        procs = store_real_deadlines(store, a.deadlines, now.date() + timedelta(days=10), now)
        rows = store.deadlines(include_all=True, today=now.date())
        _CACHE.clear()
        start = time.perf_counter()
        body = build_calendar(rows, alarms=[30, 7, 1]).encode()
        cold = time.perf_counter() - start
        start = time.perf_counter()
        build_calendar(rows, alarms=[30, 7, 1])
        warm = time.perf_counter() - start
        _CACHE.clear()
        token = feed_token(store, home)
        companies = sorted({d.procedure.company for d in rows if d.procedure.company})
        store.close()
        print(f"deadlines {len(rows)} from the development corpus's, {procs} procedures")
        print(f"feed {len(body) / 1e6:.1f} MB; build cold {cold:.2f} s, events cached {warm:.2f} s")
        results.update(deadlines=len(rows), feed_mb=round(len(body) / 1e6, 1),
                       build_cold_s=round(cold, 2), build_warm_s=round(warm, 2))  # fmt: skip

        port, bare_port = _port(), _port()
        env = {**os.environ, "TRACKER_CONFIG": os.devnull}
        if a.tracemalloc:
            env["BENCH_TRACEMALLOC"] = "1"
        proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(home), str(port), str(bare_port)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        try:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
            base = f"http://127.0.0.1:{port}"
            feed = f"{base}/{token}/calendar.ics"
            status, served, headers = _get(feed)
            _s, same, _h = _get(f"{base}/baseline/feed.ics")
            if status != 200 or served != same:
                raise SystemExit("the feed and its baseline differ")
            etag = headers["etag"]
            if _get(feed, {"If-None-Match": etag})[0] != 304:
                raise SystemExit("a conditional GET of the feed is not a 304")
            rss_ready = _rss_mb(proc.pid, "VmRSS")
            out_rows.append(("RSS ready (feed built)", f"{rss_ready:.0f} MB", ""))
            results["rss_ready_mb"] = round(rss_ready)
            s = a.seconds
            if "memory" in phases:
                # 64 clients, plain then gzip: the peak (VmHWM) of this phase only.
                Path(f"/proc/{proc.pid}/clear_refs").write_text("5")
                _wrk(feed, s, connections=64)
                _wrk(feed, s, connections=64, headers=("Accept-Encoding: gzip",))
                peak = _rss_mb(proc.pid, "VmHWM")
                rss_after = _rss_mb(proc.pid, "VmRSS")
                out_rows += [
                    ("peak RSS, 64 clients (plain, gzip)", f"{peak:.0f} MB",
                     GOALS["peak RSS, 64 clients"]),
                    ("RSS after them", f"{rss_after:.0f} MB", ""),
                ]  # fmt: skip
                results.update(peak_rss_mb=round(peak), rss_after_mb=round(rss_after))
            if "healthz" in phases:
                # /healthz alone (the baseline), then while 16 clients pull the feed.
                idle = _healthz_latencies(base, 100)
                load = subprocess.Popen(
                    ["wrk", "-t2", "-c16", f"-d{s + 8}s", feed],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )  # fmt: skip
                time.sleep(1.0)
                lat = _healthz_latencies(base, 200)
                ping = _healthz_latencies(base, 200, "/baseline/ping")
                load.wait()
                out_rows += [
                    ("/healthz p50 / p99, idle", f"{statistics.median(idle):.1f} / "
                     f"{_p(idle, 0.99):.1f} ms", ""),
                    ("an empty async route, 16 clients pulling",
                     f"{statistics.median(ping):.1f} / {_p(ping, 0.99):.1f} ms", ""),
                    ("/healthz p50 / p99, 16 clients pulling",
                     f"{statistics.median(lat):.1f} / {_p(lat, 0.99):.1f} ms",
                     GOALS["healthz p99 under load"]),
                ]  # fmt: skip
                results.update(healthz_idle_p99_ms=round(_p(idle, 0.99), 1),
                               healthz_p50_ms=round(statistics.median(lat), 1),
                               healthz_p99_ms=round(_p(lat, 0.99), 1))  # fmt: skip
            if "rates" in phases:
                rates = {
                    "feed": _wrk(feed, s),
                    "same bytes": _wrk(f"{base}/baseline/feed.ics", s),
                    "feed gzip": _wrk(feed, s, headers=("Accept-Encoding: gzip",)),
                    "304": _wrk(feed, s, headers=(f"If-None-Match: {etag}",)),
                    "bare 304": _wrk(f"http://127.0.0.1:{bare_port}/304", s),
                    "bare conditional": _wrk(
                        f"http://127.0.0.1:{bare_port}/{token}/calendar.ics", s,
                        headers=(f"If-None-Match: {etag}",),
                    ),
                }  # fmt: skip
                r = {k: v["rate"] for k, v in rates.items()}
                out_rows += [
                    ("full feed, plain", f"{r['feed']:,.0f} req/s", ""),
                    ("same bytes from memory, same server", f"{r['same bytes']:,.0f} req/s", ""),
                    ("feed / same bytes", f"{r['feed'] / r['same bytes']:.0%}",
                     GOALS["feed / same bytes"]),
                    ("full feed, gzip", f"{r['feed gzip']:,.0f} req/s", ""),
                    ("gzip / plain", f"{r['feed gzip'] / r['feed']:.0%}", GOALS["gzip / plain"]),
                    ("304 Not Modified", f"{r['304']:,.0f} req/s", ""),
                    ("bare Starlette, the same conditional GET",
                     f"{r['bare conditional']:,.0f} req/s", ""),
                    ("304 / bare Starlette 304", f"{r['304'] / r['bare conditional']:.0%}",
                     GOALS["304 / bare Starlette 304"]),
                    ("bare Starlette 304 to a plain GET /304", f"{r['bare 304']:,.0f} req/s", ""),
                    ("304 / that", f"{r['304'] / r['bare 304']:.0%}", ""),
                    ("peak RSS so far (the baselines too)",
                     f"{_rss_mb(proc.pid, 'VmHWM'):.0f} MB", ""),
                ]  # fmt: skip
                results.update({k.replace(" ", "_"): round(v, 1) for k, v in r.items()})
            if "unknown" in phases:
                # Distinct unknown companies (404, nothing cached), then 200 real ones.
                script = Path(tmp) / "distinct.lua"
                script.write_text(
                    "n = 0\nrequest = function()\n  n = n + 1\n"
                    f'  return wrk.format("GET", "/{token}/company/nobody-" .. n .. ".ics")\n'
                    "end\ndone = function(summary, latency, requests)\n"
                    '  io.write(string.format("requests %d\\n", summary.requests))\nend\n'
                )
                _get(f"{base}/baseline/mark")
                before = _rss_mb(proc.pid, "VmRSS")
                sent = 0
                while sent < a.unknown:
                    done = subprocess.run(
                        ["wrk", "-t1", "-c8", "-d1s", "-s", str(script), base],
                        capture_output=True, text=True, check=True,
                    ).stdout  # fmt: skip
                    sent += int(re.search(r"requests (\d+)", done).group(1))  # type: ignore[union-attr]
                codes = {_get(f"{base}/{token}/company/nobody-{i}.ics")[0] for i in range(3)}
                unknown_growth = _rss_mb(proc.pid, "VmRSS") - before
                grown = json.loads(_get(f"{base}/baseline/growth")[1])
                for c in companies[:200]:
                    assert _get(f"{base}/{token}/company/{slug(c)}.ics")[0] == 200
                stats = json.loads(_get(f"{base}/baseline/stats")[1])
                out_rows += [
                    (f"{sent:,} unknown companies: status, RSS growth",
                     f"{'/'.join(map(str, sorted(codes)))}, {unknown_growth:+.1f} MB", "404, ~0"),
                    ("200 real company feeds: cache", f"{stats['cached_bytes'] / 1e6:.1f} MB in "
                     f"{stats['feeds']}", f"<= {stats['budget'] / 1e6:.0f} MB"),
                ]  # fmt: skip
                results.update(
                    unknown_requests=sent,
                    cache_mb=round(stats["cached_bytes"] / 1e6, 1),
                    unknown_rss_growth_mb=round(unknown_growth, 1),
                )
                if grown["tracing"]:
                    print(f"traced Python allocations grown over the unknown-company requests: "
                          f"{grown['total_kb']:+,} KB; the largest:")  # fmt: skip
                    for g in grown["top"]:
                        print(
                            f"  {g['kb']:+10.1f} KB {g['blocks']:+7} blocks  "
                            + " <- ".join(reversed(g["where"]))
                        )
                    results["traced_growth_kb"] = grown["total_kb"]
            out_rows.append(("RSS at the end", f"{_rss_mb(proc.pid, 'VmRSS'):.0f} MB", ""))
        finally:
            proc.communicate("", timeout=60)

    print()
    print(f"{'what':44} {'result':>14}   goal")
    for what, value, goal in out_rows:
        print(f"{what:44} {value:>14}   {goal}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
