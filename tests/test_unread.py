"""A release in a language the reader does not read is stored with its date only, and said
so where people look: the log and `tracker sources` (issue 14)."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner

from tracker.pipeline import ingest_inbox, open_context

NOW = datetime(2008, 3, 21, 9, tzinfo=UTC)
GERMAN = (
    "BERLIN, 20. März 2008 - Die Gesellschaft gab heute bekannt, dass der Ausschuss eine "
    "negative Stellungnahme abgegeben hat und dass die Gesellschaft eine erneute Überprüfung "
    "beantragen wird. Die Entscheidung der Kommission wird für das dritte Quartal erwartet "
    "und die Zulassung ist für das Arzneimittel mit der Behörde zu klären."
)
ENGLISH = (
    "BOSTON, March 20, 2008 -- Acme Inc. said today that the FDA set a PDUFA target action "
    "date of June 28, 2008 for Zentra."
)


def _drop_both(ctx: Any) -> None:
    """Put the German and the English release in the inbox and poll once (the files settle
    before the next poll reads them)."""
    inbox = ctx.folder("inbox")
    (inbox / "berlin.txt").write_text(GERMAN, encoding="utf-8")
    (inbox / "boston.txt").write_text(ENGLISH, encoding="utf-8")
    ingest_inbox(ctx, NOW)


def test_an_unread_language_is_listed_by_tracker_sources(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from tracker.cli import cli

    ctx = open_context(settings, NOW)
    try:
        _drop_both(ctx)
        with caplog.at_level(logging.WARNING):
            report = ingest_inbox(ctx, NOW + timedelta(seconds=30))
        assert report.new == 2  # stored, both: the German one with its date only
        assert "berlin.txt is in language 'de', which the reader does not read" in caplog.text
        assert "boston.txt" not in caplog.text
        ingest_inbox(ctx, NOW + timedelta(minutes=1))  # nothing new: listed once
        out = CliRunner().invoke(cli, ["--home", str(ctx.settings.home), "sources"]).output
        lines = [line for line in out.splitlines() if line.startswith("unread ")]
        assert len(lines) == 1 and lines[0].startswith("unread inbox:berlin.txt:"), out
        assert "language 'de' is not read; only the release date was taken" in lines[0]
    finally:
        ctx.store.close()


def test_the_dashboard_sources_page_lists_an_unread_release_with_its_link(settings: Any) -> None:
    from fastapi.testclient import TestClient

    from tracker.store.users import Users
    from tracker.web import make_app
    from tracker.web.auth import hash_password

    from .test_dashboard import PASSWORD, sign_in

    ctx = open_context(settings, NOW)
    try:
        _drop_both(ctx)
        ingest_inbox(ctx, NOW + timedelta(seconds=30))
        Users(ctx.store).add("vera", "viewer", hash_password(PASSWORD), NOW)
        client = sign_in(TestClient(make_app(ctx.store, ctx.settings, ctx)), "vera")
        page = client.get("/sources").text
        assert "<title>Sources" in page and page.count("Releases stored unread") == 1
        section = page.split("Releases stored unread", 1)[1]
        assert "berlin.txt" in section and "<td>de</td>" in section
        assert "boston.txt" not in section  # read in full: not listed
        link = re.search(r'href="(/releases/\d+)">berlin\.txt<', section)
        assert link, section
        assert "Die Gesellschaft gab heute bekannt" in client.get(link.group(1)).text
    finally:
        ctx.store.close()
