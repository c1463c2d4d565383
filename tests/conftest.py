"""Shared fixtures: settings on a temporary home, a fresh store, packs, golden files."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tracker.pipeline import Context
from tracker.rules.loader import load_packs
from tracker.rules.schema import Pack
from tracker.settings import Settings, load_settings
from tracker.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
NOW = datetime(2008, 3, 21, 12, 0, tzinfo=UTC)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str | bytes], None]:
    """Compare output with tests/golden/<name>; --update-golden rewrites it."""
    update = request.config.getoption("--update-golden")

    def check(name: str, actual: str | bytes) -> None:
        path = GOLDEN / name
        data = actual.encode("utf-8") if isinstance(actual, str) else actual
        if update or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        assert data == path.read_bytes(), (
            f"output differs from {path} (review, then --update-golden)"
        )

    return check


@pytest.fixture(scope="session")
def packs() -> list[Pack]:
    return load_packs()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    loaded = load_settings(config=None, home=str(tmp_path / "home"), environ={})
    return loaded.settings


@pytest.fixture
def store() -> Iterator[Store]:
    s = Store("sqlite://")
    s.migrate(NOW)
    yield s
    s.close()


@pytest.fixture
def ctx(settings: Settings, packs: list[Pack], tmp_path: Path) -> Iterator[Context]:
    s = Store(f"sqlite:///{tmp_path / 'tracker.db'}")
    s.migrate(NOW)
    yield Context(settings, s, packs)
    s.close()


@pytest.fixture
def fixture_path() -> Callable[[str], Path]:
    return lambda name: FIXTURES / name


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL database of the test's own on TRACKER_TEST_POSTGRES_URL's server, dropped
    afterwards; the test is skipped, with the reason, when no server is configured."""
    base = os.environ.get("TRACKER_TEST_POSTGRES_URL", "")
    if not base:
        pytest.skip("TRACKER_TEST_POSTGRES_URL is not set")
    from sqlalchemy import create_engine, text

    name = f"tracker_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`tracker ARGS` as the console script runs it: (exit status, stdout, stderr)."""
    from tracker.cli import main

    try:
        main(list(args))
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err
