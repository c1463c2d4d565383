"""One product, one procedure: a brand and its former name, a code name, a company named in
full and short are one story; `tracker procedures merge` joins two procedures with their
history and `split` undoes it. Stories: several releases ingested in order, then the stored
procedures and deadlines checked. Every release here is written for these tests."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker import cases
from tracker.cli import cli
from tracker.domain import Alias, Deadline
from tracker.errors import TrackerError, UsageError
from tracker.extract import extract, extract_text
from tracker.extract.aliases import lead_name, read_sentence
from tracker.identity import AliasGroup, Known, Naming, company_core
from tracker.pipeline import Context, derive_deadlines, ingest_paths, read_document
from tracker.settings import AliasSettings

from .conftest import FIXTURES

STORIES = FIXTURES / "releases"
RHUCIN = "pharming-group-n-v/rhucin/fda"
RUCONEST = "pharming-group-n-v/ruconest/fda"
NOW = datetime(2024, 12, 1, 9, tzinfo=UTC)


def _read_in_order(ctx: Context, *paths: Path) -> None:
    for path in paths:
        released = read_document(path).release.date
        assert released is not None
        moment = datetime(released.year, released.month, released.day, 12, tzinfo=UTC)
        report = ingest_paths(ctx, [path], moment)
        assert report.failed == 0, report.errors


def _story(name: str) -> list[Path]:
    return sorted((STORIES / name).glob("*.txt"))


def _live(ctx: Context, key: str) -> dict[str, Deadline]:
    """A procedure's deadlines that still stand (not cancelled or superseded), by what they
    are (the key without its procedure: "b/x" merged into "a" is "x")."""
    return {
        d.key.split("/", 3)[3]: d
        for d in ctx.store.deadlines(include_all=True)
        if d.procedure.key == key and d.status not in ("cancelled", "superseded")
    }


def _cli(home: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--home", str(home), *args])
    if isinstance(result.exception, TrackerError):
        return result.exception.exit_code, result.output + str(result.exception)
    return result.exit_code, result.output


# --- reading names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The EMA validated the file for Ruconest (Rhucin) today.", ("Ruconest", "Rhucin")),
        ("The FDA accepted Ruconest (formerly Rhucin) for review.", ("Ruconest", "Rhucin")),
        ("Ruconest, formerly known as Rhucin, is under review.", ("Ruconest", "Rhucin")),
        ("Ruconest, also known as rhC1INH, is under review.", ("Ruconest", "rhC1INH")),
        ("The committee discussed ABC-123 (Ruconest) on Monday.", ("Ruconest", "ABC-123")),
        ("Rhucin, now called Ruconest, was approved.", ("Ruconest", "Rhucin")),
    ],
    ids=["parenthesised", "formerly", "formerly-known-as", "also-known-as", "code", "renamed"],
)
def test_a_product_and_its_other_name(sentence: str, expected: tuple[str, str]) -> None:
    (alias,) = read_sentence(sentence)
    assert (alias.kind, alias.name, alias.alias) == ("product", *expected)


@pytest.mark.parametrize(
    "sentence",
    [
        "The Committee for Medicinal Products for Human Use (CHMP) adopted an opinion.",
        "Vantrexa (pelmarisib) is filed for chronic cough.",
        "Oriole Therapeutics, Inc. (Nasdaq: ORIO) said today.",
        "The meeting is set for June (Monday) in Leiden (Netherlands).",
        "The vaccine protects against COVID-19 (SARS-CoV-2).",
    ],
)
def test_no_alias_where_there_is_none(sentence: str) -> None:
    assert read_sentence(sentence) == []


def test_a_company_named_in_full_and_short() -> None:
    (alias,) = read_sentence('Pharming Group N.V. ("Pharming" or "the Company") said today.')
    assert (alias.kind, alias.name, alias.alias) == ("company", "Pharming Group N.V.", "Pharming")
    assert lead_name("LEIDEN, June 10, 2024 -- Pharming announced today that") == "Pharming"
    assert lead_name("LONDON, 2 May 2024 -- The FDA announced today that") is None
    assert company_core("Pharming Group N.V.") == company_core("Pharming") == "pharming"
    assert company_core("Oriole Therapeutics, Inc.") == "oriole-therapeutics"


def test_ruconest_rhucin_gives_the_product_ruconest() -> None:
    x = read_document(STORIES / "short-company-eu" / "1-validated.txt")
    assert x.release.product == "Ruconest"
    assert {e.product for e in x.events} == {"Ruconest"}
    assert Alias("product", "Ruconest", "Rhucin", "former", "alias:name-in-parentheses") in (
        x.aliases
    )


def test_an_alias_read_as_the_product_gives_way_to_the_current_name() -> None:
    x = extract_text(
        "x.txt",
        "LEIDEN, June 10, 2024 -- Pharming announced today that the FDA accepted the BLA for "
        "Rhucin(R). Rhucin(R) is now marketed in Europe as Ruconest (formerly Rhucin).\n",
    )
    assert x.release.product == "Ruconest"
    assert x.release.company == "Pharming"


def test_extraction_output_is_unchanged_where_no_alias_is_read() -> None:
    x = extract("a.txt", (STORIES / "fda-extension" / "1-accepted.txt").read_bytes())
    assert x.release.product == "Vantrexa"
    assert x.aliases == ()


# --- resolving names (pure) ----------------------------------------------------------------


def test_naming_prefers_a_known_name_and_remembers_the_new_one() -> None:
    known = Known(
        companies={"pharming": "Pharming Group N.V."},
        products={("pharming-group-n-v", "rhucin"): "Rhucin"},
    )
    aliases = [Alias("product", "Ruconest", "Rhucin", "former")]
    names = Naming(known=known).resolve("Pharming", "Ruconest", aliases)
    assert (names.company, names.product) == ("Pharming Group N.V.", "Rhucin")
    learned = {(r.kind, r.scope, r.alias, r.target) for r in names.learned}
    assert ("product", "pharming-group-n-v", "ruconest", "Rhucin") in learned


def test_naming_gives_a_release_without_company_the_company_of_its_product() -> None:
    known = Known(owners={"ruconest": ("Pharming Group N.V.",)})
    names = Naming(known=known).resolve(None, "Ruconest", [])
    assert names.company == "Pharming Group N.V."
    two = Known(owners={"ruconest": ("A plc", "B plc")})
    assert Naming(known=two).resolve(None, "Ruconest", []).company is None


def test_naming_follows_merges_and_configured_groups() -> None:
    groups = (AliasGroup("Pharming Group N.V.", "Ruconest", ("Rhucin", "rhC1INH")),)
    naming = Naming(groups, Known(redirects={"a/b/fda": "c/d/fda", "c/d/fda": "e/f/fda"}))
    assert naming.resolve("Pharming Group N.V.", "rhC1INH", []).product == "Ruconest"
    assert naming.key("a/b/fda") == "e/f/fda"
    assert naming.procedure("A", "B", "FDA").key == "e/f/fda"


# --- stories ------------------------------------------------------------------------------


def test_a_brand_and_its_former_name_are_one_procedure(ctx: Context) -> None:
    _read_in_order(ctx, *_story("renamed-fda"))
    assert ctx.store.procedure_keys() == [RHUCIN]
    (proc,) = ctx.store.procedures()
    assert proc.company == "Pharming Group N.V."
    rows = ctx.store.deadlines(include_all=True)
    assert {d.procedure.key for d in rows} == {RHUCIN}
    goals = [d for d in rows if "goal" in d.key]
    meetings = [d for d in rows if d.key.endswith("stated-advisory-meeting")]
    assert [(d.end, d.status) for d in goals] == [(date(2024, 10, 18), "met")]
    assert [d.end for d in meetings] == [date(2024, 8, 22)]
    assert not [d for d in rows if d.status == "cancelled"]


def test_a_company_named_once_in_full_and_once_short_is_one_company(ctx: Context) -> None:
    _read_in_order(ctx, *_story("short-company-eu"))
    assert ctx.store.procedure_keys() == ["pharming-group-n-v/ruconest/eu"]
    (proc,) = ctx.store.procedures()
    assert (proc.company, proc.product) == ("Pharming Group N.V.", "Ruconest")
    opinion = _live(ctx, "pharming-group-n-v/ruconest/eu")["chmp-opinion-standard"]
    assert opinion.status == "met"


def test_the_short_name_first_then_the_full_one(ctx: Context) -> None:
    first, second = _story("short-company-eu")
    _read_in_order(ctx, second, first)
    assert ctx.store.procedure_keys() == ["pharming/ruconest/eu"]


def test_a_release_naming_no_company_joins_the_company_of_its_product(
    ctx: Context, tmp_path: Path
) -> None:
    _read_in_order(ctx, *_story("short-company-eu")[:1])
    anonymous = tmp_path / "agency.txt"
    anonymous.write_text(
        "November 14, 2024\n\nThe CHMP of the European Medicines Agency has adopted a positive "
        "opinion recommending marketing authorisation for Ruconest in hereditary angioedema.\n"
    )
    assert read_document(anonymous).release.company is None
    _read_in_order(ctx, anonymous)
    assert ctx.store.procedure_keys() == ["pharming-group-n-v/ruconest/eu"]


def test_configured_aliases_join_names_the_text_never_links(ctx: Context) -> None:
    ctx.settings = ctx.settings.model_copy(
        update={
            "aliases": [
                AliasSettings(company="Pharming Group N.V.", product="Ruconest", names=["Rhucin"])
            ]
        }
    )
    _read_in_order(ctx, *_story("two-names-fda"))
    assert ctx.store.procedure_keys() == [RUCONEST]
    goals = [d for d in ctx.store.deadlines(include_all=True) if "goal" in d.key]
    assert [(d.key, d.status) for d in goals] == [(f"{RUCONEST}/pdufa-goal-standard", "open")]


def test_configured_aliases_from_the_settings_file(tmp_path: Path) -> None:
    config = tmp_path / "tracker.toml"
    config.write_text(
        '[[aliases]]\ncompany = "Pharming Group N.V."\nproduct = "Ruconest"\n'
        'names = ["Rhucin", "rhC1INH"]\n\n'
        '[[aliases]]\ncompany = "Pharming Group N.V."\nnames = ["Pharming Technologies B.V."]\n'
    )
    home = tmp_path / "home"
    # An earlier procedure keeps its key: the configured names join it, not a new one.
    assert _cli(home, "ingest", str(_story("two-names-fda")[0]))[0] == 0
    moved = tmp_path / "moved.txt"
    moved.write_text(
        "LEIDEN, July 1, 2024 /PRNewswire/ -- Pharming Technologies B.V. (Euronext: PHARM) said "
        "today that the FDA advisory committee will meet on August 22, 2024 to review the "
        "Biologics License Application for Ruconest.\n"
    )
    code, out = _cli(home, "--config", str(config), "ingest", str(moved))
    assert code == 0, out
    # The procedure is listed with its company and product, not only its key.
    assert _cli(home, "procedures")[1].splitlines() == [
        f"{RHUCIN}  Pharming Group N.V. / Rhucin / FDA"
    ]
    bad = tmp_path / "bad.toml"
    bad.write_text('[[aliases]]\nnames = ["Rhucin"]\n')
    code, out = _cli(home, "--config", str(bad), "procedures")
    assert code == 2 and "an alias needs a company or a product" in out


# --- merge and split ------------------------------------------------------------------------


def _two_procedures(ctx: Context) -> None:
    _read_in_order(ctx, *_story("two-names-fda"))
    assert ctx.store.procedure_keys() == [RHUCIN, RUCONEST]


def _picture(ctx: Context) -> dict[str, object]:
    """Everything a merge moves, by procedure, with ids."""
    return {
        "deadlines": sorted(
            (d.key, d.procedure.key, d.start, d.end, d.status)
            for d in ctx.store.deadlines(include_all=True)
        ),
        "events": sorted((e.id, e.procedure_key) for e in ctx.store.events()),
        "facts": {k: ctx.store.facts(k) for k in (RHUCIN, RUCONEST)},
        "notes": {k: ctx.store.procedure_notes(k) for k in (RHUCIN, RUCONEST)},
        "audit": sorted(
            (e.id, e.procedure_key) for e in ctx.store.audit_entries() if e.action == "note"
        ),
        "procedures": ctx.store.procedures(),
    }


def test_merge_joins_two_procedures_with_their_history(ctx: Context, tmp_path: Path) -> None:
    _two_procedures(ctx)
    cases.add_note(ctx, RUCONEST, "the US name", "carol", NOW)
    duplicate = f"{RUCONEST}/pdufa-goal-standard"
    history = ctx.store.history(duplicate)
    events = {e.id for e in ctx.store.events(RUCONEST)}
    moved = cases.merge_procedures(ctx, RHUCIN, RUCONEST, "alice", NOW)
    assert moved["event"] == len(events) and moved["procedure_note"] == 1
    assert ctx.store.procedure_keys() == [RHUCIN]
    assert {e.id for e in ctx.store.events(RHUCIN)} >= events  # the same rows, same ids
    assert [n.text for n in ctx.store.procedure_notes(RHUCIN)] == ["the US name"]
    # One goal date stands; the merged procedure's copy is cancelled with its history kept.
    live = _live(ctx, RHUCIN)
    assert live["pdufa-goal-standard"].key == f"{RHUCIN}/pdufa-goal-standard"
    assert ctx.store.deadline(duplicate).status == "cancelled"  # type: ignore[union-attr]
    assert ctx.store.history(duplicate)[: len(history)] == history
    # Deadlines only the merged procedure had keep their keys (and calendar UIDs).
    assert live["advisory-committee-notice"].key.startswith(RUCONEST + "/")
    (entry,) = ctx.store.audit_entries(action="merge")
    assert (entry.who, entry.procedure_key, entry.target) == ("alice", RHUCIN, RUCONEST)
    # A later release of the merged procedure's product goes to the procedure it joined.
    later = tmp_path / "later.txt"
    later.write_text(
        "LEIDEN, September 2, 2024 /PRNewswire/ -- Pharming Group N.V. (Euronext: PHARM) said "
        "today that the FDA has extended the review of the BLA for Ruconest by three months. "
        "The new PDUFA target action date is January 17, 2025.\n"
    )
    _read_in_order(ctx, later)
    assert ctx.store.procedure_keys() == [RHUCIN]
    goal = _live(ctx, RHUCIN)["pdufa-goal-standard"]
    assert goal.end == date(2025, 1, 17)


def test_merge_then_split_round_trips(ctx: Context) -> None:
    _two_procedures(ctx)
    ctx.store.set_fact(RUCONEST, "submission", date(2023, 12, 20), NOW)
    ctx.store.set_fact(RHUCIN, "submission", date(2023, 12, 20), NOW)  # the same fact twice
    cases.add_note(ctx, RUCONEST, "the US name", "carol", NOW)
    cases.add_note(ctx, RHUCIN, "the EU name", "carol", NOW)
    derive_deadlines(ctx, None, NOW)  # statuses as of the day of the merge
    before = _picture(ctx)
    cases.merge_procedures(ctx, RHUCIN, RUCONEST, "alice", NOW)
    assert _picture(ctx) != before
    assert cases.split_procedure(ctx, RUCONEST, "bob", NOW) == RHUCIN
    assert _picture(ctx) == before
    assert ctx.store.merges() == []
    actions = [(e.who, e.action, e.target) for e in ctx.store.audit_entries(RHUCIN)]
    assert ("alice", "merge", RUCONEST) in actions and ("bob", "split", RUCONEST) in actions


def test_merge_and_split_on_the_command_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for path in _story("two-names-fda"):
        assert _cli(home, "ingest", str(path))[0] == 0
    code, out = _cli(home, "--as", "alice", "procedures", "merge", RHUCIN, RUCONEST)
    assert code == 0 and f"{RUCONEST} merged into {RHUCIN} by alice" in out, out
    listed = _cli(home, "procedures")[1].splitlines()
    assert listed[0].split()[0] == RHUCIN and listed[1].startswith(f"{RUCONEST} -> {RHUCIN}")
    log = [json.loads(x) for x in _cli(home, "log", "--format", "json")[1].splitlines()]
    assert [e["action"] for e in log if e["who"] == "alice"] == ["merge"]
    code, out = _cli(home, "--as", "bob", "procedures", "split", RUCONEST)
    assert code == 0 and f"{RUCONEST} split from {RHUCIN}" in out, out
    listed = _cli(home, "procedures")[1].splitlines()
    assert [line.split()[0] for line in listed] == [RHUCIN, RUCONEST]
    assert listed[1].endswith("  Pharming Group N.V. / Ruconest / FDA")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["merge", RHUCIN, "no/such/fda"], "no procedure 'no/such/fda'"),
        (["merge", "no/such/fda", RHUCIN], "no procedure 'no/such/fda'"),
        (["merge", RHUCIN, RHUCIN], "into itself"),
        (["merge", RHUCIN, "pharming-group-n-v/ruconest/eu"], "different regions"),
        (["split", RUCONEST], "was not merged"),
        (["split", "no/such/fda"], "was not merged"),
    ],
    ids=["unknown-b", "unknown-a", "itself", "regions", "split-unmerged", "split-unknown"],
)
def test_bad_merges_are_refused_and_change_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    home = tmp_path / "home"
    paths = [*_story("two-names-fda"), _story("short-company-eu")[0]]
    for path in paths:
        assert _cli(home, "ingest", str(path))[0] == 0
    before = [_cli(home, *view)[1] for view in (("deadlines", "--all", "--format", "json"),)]
    listed, log = _cli(home, "procedures")[1], _cli(home, "log")[1]
    code, out = _cli(home, "procedures", *args)
    assert code == 2, out
    assert message in out
    assert [_cli(home, "deadlines", "--all", "--format", "json")[1]] == before
    assert _cli(home, "procedures")[1] == listed
    assert _cli(home, "log")[1] == log


def test_a_merge_with_facts_that_disagree_is_refused(ctx: Context) -> None:
    _two_procedures(ctx)
    ctx.store.set_fact(RUCONEST, "submission", date(2023, 12, 20), NOW)
    ctx.store.set_fact(RHUCIN, "submission", date(2023, 12, 21), NOW)
    with pytest.raises(UsageError, match="unset one first"):
        cases.merge_procedures(ctx, RHUCIN, RUCONEST, "alice", NOW)
    assert ctx.store.procedure_keys() == [RHUCIN, RUCONEST]
    assert ctx.store.merges() == []
