"""Properties: extraction never raises and always fits the contract, whatever it is given."""

from __future__ import annotations

import json
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.extract import extract
from tracker.extract.text import MAX_BYTES
from tracker.pipeline import contract_line
from tracker.rules.loader import load_packs
from tracker.rules.schema import CONTRACT_EVENT_TYPES

from .conftest import FIXTURES

PACKS = load_packs()
WORDS = st.sampled_from(
    [
        "FDA",
        "EMA",
        "CHMP",
        "approved",
        "opinion",
        "negative",
        "PDUFA",
        "date",
        "of",
        "March",
        "20,",
        "2008",
        "within",
        "60",
        "days",
        "receipt",
        "Q3",
        "third",
        "quarter",
        "the",
        ".",
        "re-examination",
        "request",
        "(Nasdaq:",
        "ACME)",
        "\n\n",
        "About",
        "Acme",
        "3/20/2008",
        "2008-03-20",
        "late",
        "2009",
        "Day",
        "120",
        "today",
        "yesterday",
        "fiscal",
        "®",
        "“",
        "”",
    ]
)
VALID_TYPES = CONTRACT_EVENT_TYPES


def _check_contract(name: str, data: bytes) -> None:
    line = contract_line(name, extract(name, data), PACKS)
    json.dumps(line)  # serialisable
    if line["release"]["date"] is not None:
        date.fromisoformat(line["release"]["date"])
    for e in line["events"]:
        assert e["type"] in VALID_TYPES and e["evidence"]
        assert e["outcome"] in (None, "positive", "negative", "mixed")
    for d in line["deadlines"]:
        assert date.fromisoformat(d["start"]) <= date.fromisoformat(d["end"])
        assert d["basis"] in ("stated", "rule") and d["evidence"] and d["key"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(WORDS, max_size=120).map(" ".join))
def test_release_like_text(text: str) -> None:
    _check_contract("x.txt", text.encode())


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=2000))
def test_arbitrary_text(text: str) -> None:
    _check_contract(
        "x.txt", text.encode("utf-8", "surrogatepass").decode("utf-8", "replace").encode()
    )


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=3000), st.sampled_from(["x.txt", "x.html", "x.eml"]))
def test_arbitrary_bytes(data: bytes, name: str) -> None:
    try:
        _check_contract(name, data)
    except Exception as e:  # only a clear "unreadable" error is allowed, for e-mail
        from tracker.errors import ExtractError

        assert isinstance(e, ExtractError), repr(e)


def test_a_megabyte_without_a_full_stop_is_capped() -> None:
    data = (
        "BOSTON, March 20, 2008 - the fda set a pdufa date of june 1, 2008 and " * 20000
    ).encode()
    x = extract("big.txt", data)
    assert x.release.date == date(2008, 3, 20)
    assert x.warnings and "truncated" in x.warnings[0]


def test_deeply_nested_html() -> None:
    body = "BOSTON, June 1, 2020 - Acme said the FDA set a PDUFA date of July 1, 2020."
    x = extract("deep.html", ("<div>" * 3000 + body + "</div>" * 3000).encode())
    assert [t.start for t in x.timelines] == [date(2020, 7, 1)]


def test_oversized_input_is_cut_and_flagged() -> None:
    x = extract("huge.txt", b"a " * (MAX_BYTES // 2 + 10))
    assert "truncated" in x.warnings[0]


# --- mutated releases: the contract holds, evidence is verbatim, nothing is slow ----------------

FIXTURE_TEXTS = sorted(
    p.read_text("utf-8") for p in (FIXTURES / "releases").rglob("*.txt")
)  # releases written for the tests
INSERTS = [
    "between June 2031 and March",
    "between November 2030 and February",
    "within 99999999 days",
    "within 400 years",
    " – ",
    " — ",
    "ﬁling",
    "twenty-one days",
    "A-A-A-A-A-A-A-A-A-A (",
    "no later than Q3 2031",
    "dans les 60 jours",
    "le 12 juin 2031",
    "(",
]


def _mutate(text: str, rnd, n: int) -> str:  # type: ignore[no-untyped-def]
    words = text.split(" ")
    for _ in range(n):
        i = rnd.randrange(len(words))
        op = rnd.randrange(4)
        if op == 0:
            words.insert(i, rnd.choice(INSERTS))
        elif op == 1 and len(words) > 2:
            del words[i]
        elif op == 2:
            j = rnd.randrange(len(words))
            words[i], words[j] = words[j], words[i]
        else:
            words.insert(i, words[rnd.randrange(len(words))])
    return " ".join(words)


def check_mutated(text: str) -> dict:
    """The contract checks of one document, plus verbatim evidence (whitespace aside)."""
    data = text.encode()
    line = contract_line("m.txt", extract("m.txt", data), PACKS)
    flat = " ".join(text.split())
    for item in [*line["events"], *line["deadlines"]]:
        assert " ".join(item["evidence"].split()) in flat, item["evidence"]
    for d in line["deadlines"]:
        assert date.fromisoformat(d["start"]) <= date.fromisoformat(d["end"]), d
        assert date.fromisoformat(d["end"]).year < 2100, d
    return line


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**9), st.integers(1, 30))
def test_mutated_releases_keep_the_contract(seed: int, n: int) -> None:
    import random

    rnd = random.Random(seed)
    text = _mutate(rnd.choice(FIXTURE_TEXTS), rnd, n)
    _check_contract("m.txt", text.encode())
    check_mutated(text)


def test_a_range_into_the_next_year_runs_forward() -> None:
    x = extract(
        "r.txt",
        b"BOSTON, May 1, 2030 -- Acme expects the FDA decision between June 2031 and March.",
    )
    assert [(t.start, t.end) for t in x.timelines] == [(date(2031, 6, 1), date(2032, 3, 31))]


def test_implausible_offsets_give_no_deadline() -> None:
    x = extract(
        "r.txt",
        b"BOSTON, May 1, 2030 -- Acme will answer the FDA within 400 years and file within 99999999 days.",
    )
    assert x.timelines == ()


def test_evidence_keeps_the_documents_dashes() -> None:
    text = "BOSTON, May 1, 2030 \u2013 Acme said the FDA set a PDUFA date of June 1, 2031 \u2013 a priority review."
    line = check_mutated(text)
    assert "\u2013" in line["deadlines"][0]["evidence"]
