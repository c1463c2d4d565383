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
