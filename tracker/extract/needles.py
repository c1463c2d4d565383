"""Literal needles derived from a regular expression, so a prefilter can never drift from it.

`needles(pattern)` returns a set of lower-case strings such that every match of the pattern
contains at least one of them (or None when no such set exists, for example `\\d+`). A
sentence that holds none of a pattern's needles cannot match it, so the pattern is skipped:
the needles are computed from the pattern itself, never kept by hand beside it.
"""

from __future__ import annotations

import re._constants as c  # type: ignore[import-not-found]
import re._parser as sre  # type: ignore[import-not-found]
from typing import Any

Needles = frozenset[str]


def needles(pattern: str) -> Needles | None:
    """A set of literals one of which every match contains, or None when there is none."""
    return _seq(sre.parse(pattern))


def _score(n: Needles) -> tuple[int, int]:
    # Prefer long needles (rare in text), then few of them.
    return (min(len(x) for x in n), -len(n))


def _seq(items: list[Any] | sre.SubPattern) -> Needles | None:
    """Needles of a sequence: the best of its items' needles (any one item must match)."""
    best: Needles | None = None
    run: list[str] = []

    def close() -> None:
        nonlocal best, run
        if run:
            cand = frozenset(["".join(run)])
            if best is None or _score(cand) > _score(best):
                best = cand
        run = []

    for op, av in items:
        if op is c.LITERAL:
            run.append(chr(av))
            continue
        if op is c.IN and _single_case_pair(av):
            # "[sz]" or "[Ss]" is a branch of two literals: end the run with it as needles.
            close()
            continue
        close()
        cand: Needles | None = None
        if op is c.SUBPATTERN:
            cand = _seq(av[-1])
        elif op is c.BRANCH:
            cand = _branch(av[1])
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            lo, _hi, item = av
            if lo >= 1:
                cand = _seq(item)
        elif op is getattr(c, "ATOMIC_GROUP", None):
            cand = _seq(av)
        if cand is not None and (best is None or _score(cand) > _score(best)):
            best = cand
    close()
    return best


def _branch(alternatives: list[Any]) -> Needles | None:
    out: set[str] = set()
    for alt in alternatives:
        n = _seq(alt)
        if n is None:
            return None
        out |= n
    return _minimal(out)


def _minimal(found: set[str]) -> Needles:
    # A needle that contains another adds nothing: "approved" is covered by "approv".
    return frozenset(n for n in found if not any(o != n and o in n for o in found))


def _single_case_pair(av: list[Any]) -> bool:
    return len(av) == 2 and all(op is c.LITERAL for op, _ in av)
