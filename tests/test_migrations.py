"""Schema migrations: an empty database, one made by the first release (SQLite and
PostgreSQL), a failed upgrade that leaves the database as it was, and a newer database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from tracker.cli import main
from tracker.errors import TrackerError
from tracker.pipeline import Context, ingest_paths
from tracker.rules.loader import load_packs
from tracker.settings import load_settings
from tracker.store import Store
from tracker.store.migrations import MIGRATIONS

from .conftest import FIXTURES

NOW = datetime(2008, 3, 21, 12, tzinfo=UTC)
ALL = [m.name for m in MIGRATIONS]
KEY = "acme/zenotrib/ema/reexamination-grounds"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
    else:
        yield request.getfixturevalue("pg_url")


def first_release_database(url: str) -> None:
    """The first release's schema with what a user of it would have: a release, a deadline
    and a reminder already sent 7 days ahead of it."""
    dialect = "postgresql" if url.startswith("postgresql") else "sqlite"
    ddl = (FIXTURES / "schema" / f"0001_initial.{dialect}.sql").read_text()
    ddl = "\n".join(line for line in ddl.splitlines() if not line.startswith("--"))
    statements = [s for s in ddl.split(";\n") if s.strip()]
    engine = create_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
        conn.execute(
            text("INSERT INTO schema_migrations (name, applied_at) VALUES ('0001_initial', :at)"),
            {"at": "2008-01-01 00:00:00"},
        )
        conn.execute(
            text(
                "INSERT INTO release (sha256, source_id, external_id, name, title, release_date,"
                " ingested_at) VALUES ('ab', 'inbox', 'old.txt', 'old.txt', 'Old', '2008-01-02',"
                " '2008-01-02 10:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO procedure (key, company, product, agency)"
                " VALUES ('acme/zenotrib/ema', 'Acme', 'Zenotrib', 'EMA')"
            )
        )
        conn.execute(
            text(
                'INSERT INTO deadline (key, procedure_key, title, start, "end", basis, rule,'
                " status, evidence, assumptions, steps, notes, estimate, manual, revision,"
                " updated_at) VALUES (:k, 'acme/zenotrib/ema', 'Detailed grounds',"
                " '2008-05-19', '2008-05-19', 'rule', 'eu-centralised/reexamination-grounds',"
                " 'open', 'It asked for re-examination.', '[]', '[]', '[]', false, false, 1,"
                " '2008-03-20 10:00:00')"
            ),
            {"k": KEY},
        )
        conn.execute(
            text(
                "INSERT INTO reminder_log (deadline_key, days_before, recipient, message_id,"
                " status, claimed_at, sent_at) VALUES (:k, 7, 'ra@example.com', '<m1@x>',"
                " 'sent', '2008-05-12 08:00:00', '2008-05-12 08:00:01')"
            ),
            {"k": KEY},
        )
    engine.dispose()


def test_an_empty_database_gets_the_current_schema_at_once(url: str) -> None:
    store = Store(url)
    assert store.pending_migrations() == ALL
    assert store.migrate(NOW) == ALL
    assert store.migrate(NOW) == []
    assert store.pending_migrations() == []
    store.close()


def test_a_first_release_database_is_upgraded_with_its_data(url: str, tmp_path: Path) -> None:
    first_release_database(url)
    store = Store(url)
    assert store.pending_migrations() == ALL[1:]
    assert store.migrate(NOW) == ALL[1:]
    assert store.migrate(NOW) == []

    schema = inspect(store.engine)
    assert "url" in {c["name"] for c in schema.get_columns("release")}
    assert {"sighting", "source_state", "quarantine"} <= set(schema.get_table_names())
    assert "ix_deadline_status_end" in {ix["name"] for ix in schema.get_indexes("deadline")}
    # The reminder already sent stays sent, with the date it announced: not sent again.
    log = store.reminder_log()
    row = log[(KEY, "lead", "7", "ra@example.com")]
    assert (row.status, row.message_id, row.sent_end) == ("sent", "<m1@x>", date(2008, 5, 19))
    assert [d.key for d in store.deadlines(include_all=True)] == [KEY]
    # A deadline stored before its evidence's kind was kept is a company's (0006).
    assert "evidence_kind" in {c["name"] for c in schema.get_columns("deadline")}
    assert [d.evidence_kind for d in store.deadlines(include_all=True)] == ["company"]
    # The procedure's names take later releases to it (0004_aliases).
    known = store.known_names(["acme"], ["zenotrib"])
    assert known.companies == {"acme": "Acme"}
    assert known.products == {("acme", "zenotrib"): "Zenotrib"}

    # And the upgraded database takes new releases like a new one.
    settings = load_settings(None, home=str(tmp_path / "home"), environ={}).settings
    ctx = Context(settings, store, load_packs())
    story = sorted((FIXTURES / "releases" / "eu-story").glob("*.txt"))
    assert ingest_paths(ctx, story, NOW).new == len(story)
    assert len(store.deadlines(include_all=True)) > 1
    store.close()


def test_a_failed_upgrade_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    first_release_database(url)
    engine = create_engine(url)
    with engine.begin() as conn:  # in the way of the reminder-log copy
        conn.exec_driver_sql("CREATE TABLE reminder_log_0001 (x INTEGER)")
    engine.dispose()
    store = Store(url)
    with pytest.raises(Exception, match="reminder_log_0001"):
        store.migrate(NOW)
    schema = inspect(store.engine)
    assert "url" not in {c["name"] for c in schema.get_columns("release")}
    assert "days_before" in {c["name"] for c in schema.get_columns("reminder_log")}
    assert store.pending_migrations() == ALL[1:]
    store.close()


def test_a_database_from_a_newer_tracker_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = Store(url)
    store.migrate(NOW)
    with store.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO schema_migrations (name, applied_at) VALUES ('0099_future', :at)"),
            {"at": "2030-01-01 00:00:00"},
        )
    with pytest.raises(TrackerError, match=r"newer tracker.*0099_future"):
        store.migrate(NOW)
    store.close()


def test_db_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = str(tmp_path)
    first_release_database(f"sqlite:///{tmp_path / 'tracker.db'}")
    with pytest.raises(SystemExit) as waiting:
        main(["--home", home, "db", "status"])
    assert waiting.value.code == 1
    assert "pending  0002_sources_and_messages" in capsys.readouterr().out
    main(["--home", home, "db", "upgrade"])
    assert capsys.readouterr().out.strip() == "applied " + ", ".join(ALL[1:])
    assert ALL[1:4] == ["0002_sources_and_messages", "0003_cases", "0004_aliases"]
    main(["--home", home, "db", "status"])
    assert "pending" not in capsys.readouterr().out
