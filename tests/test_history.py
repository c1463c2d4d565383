"""A release costs what its own items cost: the state a procedure's deadlines derive from is
kept between releases and extended by each (`tracker.store.versions`), and the engine's
questions are answered from an index of it (`tracker.rules.history`). Whatever the order, a
release that fails and is rolled back, a fact set in between: the stored deadlines are
those that reading the whole history back for every release gives."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from tracker.pipeline import Context, derive_deadlines, file_item, ingest_item, read_document
from tracker.rules.loader import load_pack
from tracker.rules.schema import Pack
from tracker.settings import load_settings
from tracker.store import Store
from tracker.store.releases import Reading
from tracker.store.tables import DeadlineHistoryRow, DeadlineRow
from tracker.store.versions import StateCache

from .conftest import FIXTURES

STORIES = sorted(p.name for p in (FIXTURES / "releases").iterdir() if p.is_dir())
NOW = datetime(2008, 3, 21, 12, tzinfo=UTC)


def _moment(path: Path) -> datetime:
    released = read_document(path).release.date
    assert released is not None
    return datetime(released.year, released.month, released.day, 12, tzinfo=UTC)


def _context(url: str, home: Path, packs: list[Pack], kept: bool) -> Context:
    settings = load_settings(None, home=str(home), environ={}).settings
    store = Store(url)
    store.migrate(NOW)
    if not kept:
        store._kept = StateCache(size=0)  # every release reads the whole history back
    return Context(settings, store, packs)


def _snapshot(store: Store) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
    """Every stored deadline as its columns (but when it was written), and its history."""
    with Session(store.engine) as s:
        rows = s.exec(select(DeadlineRow).order_by(col(DeadlineRow.key))).all()
        deadlines = [r.model_dump(exclude={"id", "updated_at"}) for r in rows]
        history = [
            (h.deadline_key, h.revision, h.start, h.end, h.status, h.basis, h.evidence, h.reason)
            for h in s.exec(
                select(DeadlineHistoryRow).order_by(
                    col(DeadlineHistoryRow.deadline_key), col(DeadlineHistoryRow.revision)
                )
            ).all()
        ]
    return deadlines, history


def _ingest(ctx: Context, path: Path, session: Any = None) -> str:
    moment = _moment(path)
    return ingest_item(ctx, file_item(path, "cli", moment), moment, session)


@pytest.fixture
def pair(tmp_path: Path, packs: list[Pack]) -> Iterator[tuple[Context, Context]]:
    kept = _context(f"sqlite:///{tmp_path / 'kept.db'}", tmp_path / "a", packs, True)
    whole = _context(f"sqlite:///{tmp_path / 'whole.db'}", tmp_path / "b", packs, False)
    yield kept, whole
    kept.store.close()
    whole.store.close()


@pytest.mark.parametrize("order", ["in-order", "reversed"])
@pytest.mark.parametrize("story", STORIES)
def test_kept_state_derives_what_the_whole_history_does(
    pair: tuple[Context, Context], story: str, order: str
) -> None:
    kept, whole = pair
    paths = sorted((FIXTURES / "releases" / story).glob("*.txt"))
    if order == "reversed":
        paths.reverse()  # later releases first: dates out of order, statements restated
    for path in paths:
        assert _ingest(kept, path) == _ingest(whole, path)
        assert _snapshot(kept.store) == _snapshot(whole.store), path.name
    assert whole.store._kept.hits == 0
    # The same day for every procedure: a full re-derivation of each store agrees too, and
    # finds nothing to change that the release-by-release one had not changed.
    later = datetime(2030, 1, 1, tzinfo=UTC)
    assert derive_deadlines(kept, None, later) == derive_deadlines(whole, None, later)
    assert _snapshot(kept.store) == _snapshot(whole.store)


def test_the_benchmark_history_derives_what_the_whole_history_does(
    pair: tuple[Context, Context],
) -> None:
    """One product's history of many real releases (the benchmark's shape, shorter)."""
    from dataclasses import replace

    from tracker.pipeline import group_by_procedure, ingest_extraction

    kept, whole = pair
    corpus = sorted((FIXTURES / "releases").rglob("*.txt"))
    read = [read_document(p) for p in corpus]
    for n in range(2 * len(read)):
        x = read[(n * 7) % len(read)]  # every document twice, in a shuffled order
        x = replace(
            x,
            release=replace(x.release, company="Bench Pharma plc", product="Benchmab"),
            events=tuple(replace(e, product="Benchmab") for e in x.events),
            text_sha256=f"{x.text_sha256[:50]}{n:014d}",
            source=f"r{n}.txt",
        )
        moment = datetime(2026, 1, 1, tzinfo=UTC)
        for ctx in (kept, whole):
            ingest_extraction(
                ctx, Reading(x, "bench", f"i{n}", None, group_by_procedure(x)), moment
            )
    assert _snapshot(kept.store) == _snapshot(whole.store)
    assert kept.store._kept.hits > len(read)


# --- a release that fails after it was stored and derived, and is rolled back


def _exploding_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Pack:
    """A pack whose one rule fails when a grounds filing triggers it: the release that
    reports the filing fails while its deadlines are derived, after it was stored."""
    from tracker.rules import functions

    def explode(anchor: date, params: dict[str, int]) -> date:
        raise RuntimeError("the rule's function failed")

    monkeypatch.setitem(functions.FUNCTIONS, "explode", explode)
    path = tmp_path / "explode.toml"
    path.write_text(
        """
[pack]
id = "explode"
title = "A pack that fails on the grounds"
version = "1"
timezone = "Europe/Amsterdam"
calendar = "ema"
agencies = ["EMA"]

[[rules]]
id = "explode-on-grounds"
title = "Never: {product}"
trigger = { type = "reexamination_grounds" }
anchor = "date"
compute = "explode"
roll = "none"
source = "the test"
valid_from = 2000-01-01
""",
        encoding="utf-8",
    )
    return load_pack(path)


def _rolled_back_story(
    kept: Context, whole: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: bool
) -> None:
    paths = sorted((FIXTURES / "releases" / "eu-story").glob("*.txt"))
    first, failing, rest = paths[0], paths[1], paths[2:]
    assert "grounds" in failing.name
    _ingest(kept, first)
    _ingest(whole, first)
    real = kept.packs
    kept.packs = [*real, _exploding_pack(tmp_path, monkeypatch)]
    if batch:
        # A savepoint of a batch session: the batch goes on, and commits, without it.
        with kept.store.session() as s:
            with pytest.raises(RuntimeError, match="function failed"):
                _ingest(kept, failing, s)
            kept.packs = real
            _ingest(kept, rest[0], s)
        _ingest(whole, rest[0])
    else:
        with pytest.raises(RuntimeError, match="function failed"):
            _ingest(kept, failing)
        kept.packs = real
    # The failed release's events never reached the database, nor the procedure's state:
    # later releases (whose rows take the ids the failed one had) derive as if it never was.
    for path in rest[1:] if batch else rest:
        _ingest(kept, path)
        _ingest(whole, path)
        assert _snapshot(kept.store) == _snapshot(whole.store), path.name
    with Session(kept.store.engine) as s:
        assert not [r for r in s.exec(select(DeadlineRow)) if "explode" in r.key]


@pytest.mark.parametrize("batch", [False, True], ids=["own-transaction", "batch-savepoint"])
def test_a_release_rolled_back_leaves_no_trace_in_the_kept_state(
    pair: tuple[Context, Context],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    batch: bool,
) -> None:
    kept, whole = pair
    _rolled_back_story(kept, whole, tmp_path, monkeypatch, batch)


@pytest.mark.skipif(
    not os.environ.get("TRACKER_TEST_POSTGRES_URL"), reason="TRACKER_TEST_POSTGRES_URL is not set"
)
@pytest.mark.parametrize("batch", [False, True], ids=["own-transaction", "batch-savepoint"])
def test_a_release_rolled_back_on_postgres(
    pg_url: str, tmp_path: Path, packs: list[Pack], monkeypatch: pytest.MonkeyPatch, batch: bool
) -> None:
    kept = _context(pg_url, tmp_path / "a", packs, True)
    whole = _context(f"sqlite:///{tmp_path / 'whole.db'}", tmp_path / "b", packs, False)
    try:
        _rolled_back_story(kept, whole, tmp_path, monkeypatch, batch)
    finally:
        kept.store.close()
        whole.store.close()


# --- other writers change the token: the next release reads the whole history back


def test_a_fact_set_between_releases_reaches_the_next_derivation(
    pair: tuple[Context, Context],
) -> None:
    kept, whole = pair
    paths = sorted((FIXTURES / "releases" / "eu-story").glob("*.txt"))
    proc = "norvane-therapeutics-inc/velocor/eu"
    _ingest(kept, paths[0])
    _ingest(whole, paths[0])
    for ctx in (kept, whole):
        assert ctx.store.procedure(proc) is not None
        ctx.store.set_fact(proc, "receipt", date(2008, 3, 27), NOW)
    misses = kept.store._kept.misses
    for path in paths[1:]:
        _ingest(kept, path)
        _ingest(whole, path)
    assert kept.store._kept.misses > misses  # the fact changed the token: read whole once
    assert _snapshot(kept.store) == _snapshot(whole.store)
    grounds = kept.store.deadline(f"{proc}/reexamination-grounds")
    assert grounds is not None
    assert any("recorded fact" in st.text for st in grounds.steps)


def test_a_merge_and_a_split_between_releases_reach_the_next_derivation(
    pair: tuple[Context, Context], tmp_path: Path
) -> None:
    from tracker import cases

    kept, whole = pair
    rhucin, ruconest = "pharming-group-n-v/rhucin/fda", "pharming-group-n-v/ruconest/fda"
    paths = sorted((FIXTURES / "releases" / "two-names-fda").glob("*.txt"))
    later = tmp_path / "later.txt"
    later.write_text(
        "LEIDEN, September 2, 2024 /PRNewswire/ -- Pharming Group N.V. (Euronext: PHARM) said "
        "today that the FDA has extended the review of the BLA for Ruconest by three months. "
        "The new PDUFA target action date is January 17, 2025.\n"
    )
    for ctx in (kept, whole):
        for path in paths:
            _ingest(ctx, path)
        assert ctx.store.procedure_keys() == [rhucin, ruconest]
        cases.merge_procedures(ctx, rhucin, ruconest, "alice", NOW)
        _ingest(ctx, later)  # goes to the procedure the other joined, with its events
    assert _snapshot(kept.store) == _snapshot(whole.store)
    goal = kept.store.deadline(f"{rhucin}/pdufa-goal-standard")
    assert goal is not None and goal.end == date(2025, 1, 17)
    for ctx in (kept, whole):
        cases.split_procedure(ctx, ruconest, "bob", NOW)
        _ingest(ctx, paths[0])  # seen before: unchanged, nothing derived
        later.write_text(later.read_text().replace("January 17", "January 24"))
        _ingest(ctx, later)  # a corrected text: its events read again
        later.write_text(later.read_text().replace("January 24", "January 17"))
    assert _snapshot(kept.store) == _snapshot(whole.store)
