"""Real deadlines for the serving benchmarks: the development corpus (`../shared/corpus-dev`,
read at run time, never copied here) is ingested by the tracker itself, and the deadlines it
derives (their titles, evidence sentences, rules, sources and assumptions, as the reader
wrote them) are repeated under numbered copies of their procedures, dates moved ahead so
they are open, until there are as many as asked."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

from tracker.domain import Deadline, Derivation, Procedure
from tracker.identity import slug
from tracker.pipeline import Context, expand_paths, ingest_paths
from tracker.rules.loader import load_packs
from tracker.settings import load_settings
from tracker.store import Store
from tracker.store.procedures import ensure_procedure

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus-dev" / "corpus"


def corpus_deadlines(now: datetime, corpus: Path = CORPUS) -> list[Deadline]:
    """Every deadline the tracker derives from the development corpus."""
    if not corpus.is_dir():
        raise SystemExit(f"no development corpus at {corpus}")
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(None, home=str(Path(tmp) / "home"), environ={}).settings
        store = Store(f"sqlite:///{tmp}/corpus.db")
        store.migrate(now)
        ctx = Context(settings, store, load_packs(settings.rules_dir))
        ingest_paths(ctx, expand_paths([corpus]), now)
        found = store.deadlines(include_all=True, today=now.date())
        store.close()
    if not found:
        raise SystemExit("the development corpus gave no deadlines")
    return found


def store_real_deadlines(store: Store, n: int, first: date, now: datetime) -> int:
    """Store `n` open deadlines made from the corpus's own, from `first` on over a year;
    returns the number of procedures."""
    real = corpus_deadlines(now)
    by_proc: dict[str, list[Deadline]] = {}
    for d in real:
        by_proc.setdefault(d.procedure.key, []).append(d)
    groups = list(by_proc.values())
    made, copy = 0, 0
    while made < n:
        for group in groups:
            if made >= n:
                break
            p = group[0].procedure
            company = f"{p.company or 'Unknown'} {copy}"
            proc = Procedure(f"{slug(company)}/{slug(p.product)}/{p.agency.lower()}",
                             company, p.product, p.agency)  # fmt: skip
            base = min(d.start for d in group)
            shift = (first - base).days + (copy * 7 + made) % 365
            derived = []
            for d in group[: n - made]:
                span = d.end - d.start
                start = d.start + timedelta(days=shift)
                derived.append(
                    Derivation(
                        key=proc.key + d.key[len(p.key) :],
                        title=d.title.replace(p.company or "", company) if p.company else d.title,
                        start=start,
                        end=start + span,
                        basis=d.basis,
                        rule=d.rule,
                        evidence=d.evidence,
                        steps=d.steps,
                        assumptions=d.assumptions,
                        source=d.source,
                        estimate=d.estimate,
                        release_ref=d.release_ref,
                    )
                )
            with store.session() as sess:
                ensure_procedure(sess, proc)
                store.reconcile(proc, derived, now, sess, fresh=True)
            made += len(derived)
        copy += 1
    return copy * len(groups)


def sample(store: Store, today: date) -> Deadline:
    """One stored deadline (to check the feed carries real text)."""
    rows = store.deadlines(include_all=True, today=today)
    return replace(rows[len(rows) // 2])
