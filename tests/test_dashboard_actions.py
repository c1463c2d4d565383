"""Editors' corrections from the browser: through tracker.cases, audited with the signed-in
user, refused with the reason on the page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from fastapi.testclient import TestClient

from tracker.pipeline import Context, ingest_paths
from tracker.store.users import Users
from tracker.web import make_app
from tracker.web.auth import hash_password

from .conftest import FIXTURES

# The service layer every correction goes through (shared with the CLI).
pytest.importorskip("tracker.cases", reason="tracker.cases (the correction service) is absent")

STORY = sorted((FIXTURES / "releases" / "eu-story").glob("*.txt"))
NOW = datetime(2008, 3, 28, 12, tzinfo=UTC)
PASSWORD = "correct horse battery"
PROC = "norvane-therapeutics-inc/velocor/eu"


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


def _dates(html: str) -> list[str]:
    return re.findall(r'<time datetime="([^"]+)">', html)


@pytest.fixture
def editor(ctx: Context):  # type: ignore[no-untyped-def]
    ingest_paths(ctx, STORY[:1], NOW)
    Users(ctx.store).add("ed", "editor", hash_password(PASSWORD), NOW)
    client = TestClient(make_app(ctx.store, ctx.settings, ctx))
    with time_machine.travel(NOW, tick=False):
        form = client.get("/login")
        client.post("/login", data={"name": "ed", "password": PASSWORD, "csrf": _csrf(form.text)})
        yield client


def test_a_receipt_fact_moves_the_dependent_dates(editor: TestClient) -> None:
    page = editor.get(f"/procedures/{PROC}").text
    assert "2008-05-19" in _dates(page)  # grounds: 60 days from the assumed receipt
    r = editor.post(
        "/actions/fact-set",
        data={"csrf": _csrf(page), "procedure": PROC, "name": "receipt", "value": "2008-03-25"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith(f"/procedures/{PROC}")
    after = editor.get(r.headers["location"]).text
    assert "2008-05-27" in _dates(after) and "2008-05-19" not in _dates(after)
    assert "Saved" in after
    audit = editor.get(f"/audit?procedure={PROC}").text
    assert "<td>ed</td><td>fact-set</td>" in audit


def test_refusals_show_the_reason(editor: TestClient) -> None:
    page = editor.get(f"/procedures/{PROC}").text
    early = editor.post(
        "/actions/fact-set",
        data={"csrf": _csrf(page), "procedure": PROC, "name": "receipt", "value": "2007-01-01"},
    )
    assert early.status_code == 400 and "before the opinion" in early.text
    bad = editor.post(
        "/actions/date-set",
        data={"csrf": _csrf(page), "deadline": f"{PROC}/reexamination-grounds", "start": "soon"},
    )
    assert bad.status_code == 400 and "is not a date" in bad.text
    missing = editor.post(
        "/actions/close", data={"csrf": _csrf(page), "deadline": "nope", "how": "done"}
    )
    assert missing.status_code == 404


def test_hand_set_date_close_reopen_and_notes_are_audited(editor: TestClient) -> None:
    page = editor.get(f"/procedures/{PROC}").text
    token = _csrf(page)
    grounds, notice = f"{PROC}/reexamination-grounds", f"{PROC}/reexamination-notice"
    steps = [
        ("date-set", {"deadline": grounds, "start": "2008-05-30", "note": "agreed with EMA"}),
        ("close", {"deadline": notice, "how": "dismissed", "note": "not needed"}),
        ("reopen", {"deadline": notice}),
        ("note", {"procedure": PROC, "text": "Call <b>EMA</b> on Monday"}),
        ("date-unset", {"deadline": grounds}),
    ]
    for action, data in steps:
        r = editor.post(f"/actions/{action}", data={"csrf": token, **data}, follow_redirects=False)
        assert r.status_code == 303, (action, r.text)
    page = editor.get(f"/procedures/{PROC}").text
    assert "Call &lt;b&gt;EMA&lt;/b&gt; on Monday" in page
    audit = editor.get("/audit").text
    for action in ("date-set", "dismissed", "reopen", "note", "date-unset"):
        assert f"<td>{action}</td>" in audit, action
    csv = editor.get("/audit.csv?by=ed")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("id,at,who,action")
    assert sum(",ed," in line for line in csv.text.splitlines()) == 5
