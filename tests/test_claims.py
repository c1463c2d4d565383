"""A restarted daemon takes over its own dead claims at once (real processes, real stores)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tracker.claims import host_prefix, release_dead_claims, run_token
from tracker.store import Store

NOW = datetime(2024, 6, 10, 14, tzinfo=UTC)
LEASE = timedelta(seconds=600)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    url = (
        f"sqlite:///{tmp_path / 'tracker.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    s = Store(url)
    s.migrate(NOW)
    yield s
    s.close()


def _keys(n: int) -> tuple[str, str, str, str]:
    return (f"acme/zentra/us/goal-{n}", "reminder", "7", "ra@example.org")


def test_claims_of_a_dead_process_here_are_taken_over_at_once(store: Store) -> None:
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead_token, live_token = run_token(_dead_pid()), run_token(alive.pid)
        other_host = "deadbeef" + run_token(_dead_pid())[8:]
        assert dead_token.startswith(host_prefix()) and len(dead_token) == 32
        for n, token in ((1, dead_token), (2, live_token), (3, other_host)):
            assert store.claim_messages([(_keys(n), f"<m{n}@x>", None)], NOW, LEASE, token)
        later = NOW + timedelta(seconds=30)  # well inside the 600 s lease
        mine = run_token()
        assert store.claim_messages([(_keys(1), "<m1@x>", None)], later, LEASE, mine) == set()
        assert release_dead_claims(store, later) == 1
        wanted = [(_keys(n), f"<m{n}@x>", None) for n in (1, 2, 3)]
        # Only the dead process's claim is free now; the live one's and the other host's wait.
        assert store.claim_messages(wanted, later, LEASE, mine) == {_keys(1)}
        assert store.confirm_message(_keys(1), mine, later)
    finally:
        alive.kill()
        alive.wait()
