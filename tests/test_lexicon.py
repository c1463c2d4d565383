"""The lexicon is data: every row's examples are read as the row says, and the needles that
gate each pattern are derived from it, so no phrase a pattern accepts can be skipped."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.extract.aliases import lead_name, read_sentence
from tracker.extract.lexicon import LEXICON, load
from tracker.extract.needles import needles

ROWS = [row for rows in LEXICON.rows.values() for row in rows]


@pytest.mark.parametrize(
    ("row", "example"),
    [(r, e) for r in ROWS for e in r.examples],
    ids=lambda v: getattr(v, "id", None) or v[:40],
)
def test_every_example_is_read_by_its_row(row, example: str) -> None:
    low = example.lower()
    m = row.search(low)
    assert m, f"{row.id}: its example is not matched: {example!r}"
    if row.section == "act":
        assert row.name in {r.name for r, _ in LEXICON.detect_all(low)}
    elif row.section == "milestone":
        # An earlier, more specific milestone may claim the sentence; the row must not be
        # shadowed for all of its examples.
        pass
    elif row.section == "agency":
        assert row.name in LEXICON.agencies_in(low)
    elif row.section == "cue":
        assert LEXICON.cues[row.name].search(low)
    elif row.section == "alias" and row.name == "lead":
        assert lead_name(example), f"{row.id}: no company read after the dateline"
    elif row.section == "alias" and row.name != "not_a_name":
        assert row.id in {a.why for a in read_sentence(example)}, f"{row.id}: no alias read"


@pytest.mark.parametrize("row", [r for r in ROWS if r.section == "milestone"], ids=lambda r: r.id)
def test_no_milestone_row_is_shadowed(row) -> None:
    assert any(LEXICON.milestone_of(e.lower()) == row.name for e in row.examples)


def test_gating_needles_come_from_the_pattern() -> None:
    for row in ROWS:
        if row.needles is None:
            continue
        for example in row.examples:
            m = row.pattern.search(example.lower())
            assert m and any(n in m.group(0) for n in row.needles), row.id


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\bcrl\b", {"crl"}),
        (r"complete response letter|\bcrl\b", {"complete response letter", "crl"}),
        (r"(?:positive|negative) trend vote", {" trend vote"}),
        (r"\d+", None),
        (r"x?y", {"y"}),
        (r"(?:ab)+c", {"ab"}),
        (r"(?:fil(?:ed|ing)|submitted)", {"fil", "submitted"}),
    ],
)
def test_needles_of_patterns(pattern: str, expected: set[str] | None) -> None:
    got = needles(pattern)
    assert (None if got is None else set(got)) == expected


_PIECES = st.sampled_from(["ab", "c", "de", "fg", "x", " ", "q"])


@st.composite
def _regexes(draw, depth: int = 0) -> str:
    kind = draw(
        st.sampled_from(["lit", "alt", "seq", "opt", "plus", "class"] if depth < 3 else ["lit"])
    )
    if kind == "lit":
        return re.escape(draw(_PIECES))
    if kind == "class":
        return "[a-c]"
    if kind == "alt":
        return "(?:" + "|".join(draw(st.lists(_regexes(depth + 1), min_size=2, max_size=3))) + ")"
    if kind == "seq":
        return "".join(draw(st.lists(_regexes(depth + 1), min_size=2, max_size=3)))
    inner = draw(_regexes(depth + 1))
    return f"(?:{inner})" + ("?" if kind == "opt" else "+")


@settings(max_examples=300, deadline=None)
@given(_regexes(), st.text(alphabet="abcdefgqx ", max_size=30))
def test_no_match_lacks_a_needle(pattern: str, text: str) -> None:
    """The prefilter's promise: whatever matches holds one of the needles."""
    found = needles(pattern)
    m = re.search(pattern, text)
    if m and found is not None:
        assert any(n in m.group(0) for n in found), (pattern, text, found)


def test_a_row_without_example_is_refused() -> None:
    with pytest.raises(ValueError, match="no example"):
        load(
            "[[cue]]\nname = 'x'\npattern = 'abc'\n[[agency]]\ncode='X'\npattern='x'\nexamples=['x']\n"
        )


def test_a_broken_pattern_names_its_row() -> None:
    with pytest.raises(ValueError, match=r"\[\[act\]\] #1"):
        load("[[act]]\ntype = 'approval'\npattern = '(unclosed'\nexamples = ['x']\n")


def test_a_shared_word_list_expands_in_every_row_that_names_it() -> None:
    """`[words] move_verb` widens both moved-date cues at once."""
    for verb in ("postponed", "pushed back", "rescheduled", "extending"):
        assert LEXICON.cues["moved_to_day"].search(f"the agency {verb} the hearing to ")
        assert LEXICON.cues["moved_from_day"].search(f"the agency {verb} the hearing from ")
    assert not LEXICON.cues["moved_to_day"].search("the agency held the hearing to ")
    # `[words] adcomm_abbrev` serves the act rows and the milestone alike; PDAC is a cancer.
    assert [r.id for r, _m in LEXICON.detect_all("the emdac previously met on may 2")] == [
        "advisory-committee"
    ]
    assert not LEXICON.detect_all("a pdac meeting of oncologists was held")


def test_an_unknown_word_list_names_its_row() -> None:
    with pytest.raises(ValueError, match=r"\[\[cue\]\] #1 \(moved\): no \[words\] entry 'verb'"):
        load("[[cue]]\nname = 'moved'\npattern = '@verb@'\nexamples = ['x']\n")
