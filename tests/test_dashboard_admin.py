"""The dashboard's remaining controls over HTTP: retrying a quarantined item and replacing the
feed token (admins), merging two procedures and giving a product another name (editors);
who may do each, the CSRF token, the audit entries, and the audit of user management from
the web and from `tracker users`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner
from fastapi.testclient import TestClient

from tracker.cli import cli
from tracker.pipeline import Context, ingest_inbox, ingest_paths, read_document
from tracker.store.users import Users
from tracker.web import feed_token, make_app
from tracker.web.auth import hash_password

from .conftest import FIXTURES

NOW = datetime(2024, 12, 1, 9, tzinfo=UTC)
PASSWORD = "correct horse battery"
RHUCIN = "pharming-group-n-v/rhucin/fda"
RUCONEST = "pharming-group-n-v/ruconest/fda"
# A release naming the product by a name no release used before.
RUCONIX = (
    "LEIDEN, December 2, 2024 /PRNewswire/ -- Pharming Group N.V. (Euronext: PHARM) said "
    "today that the FDA has extended the review of the BLA for Ruconix by three months. "
    "The new PDUFA target action date is January 17, 2025.\n"
)


def _read_in_order(ctx: Context, *paths: Path) -> None:
    for path in paths:
        released = read_document(path).release.date
        assert released is not None
        moment = datetime(released.year, released.month, released.day, 12, tzinfo=UTC)
        assert ingest_paths(ctx, [path], moment).failed == 0


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


@pytest.fixture
def site(ctx: Context) -> Iterator[tuple[Context, TestClient]]:
    """Two procedures of one product under two names, a quarantined inbox file, a user of
    each role; time stands at NOW."""
    _read_in_order(ctx, *sorted((FIXTURES / "releases" / "two-names-fda").glob("*.txt")))
    (ctx.folder("inbox") / "acme.txt").write_bytes(b"\xff\xfe\x00garbage")  # binary: refused
    ingest_inbox(ctx, NOW - timedelta(minutes=2))
    ingest_inbox(ctx, NOW - timedelta(minutes=1))
    assert len(ctx.store.quarantined("inbox")) == 1
    users = Users(ctx.store)
    for name, role in (("vera", "viewer"), ("ed", "editor"), ("ada", "admin")):
        users.add(name, role, hash_password(PASSWORD), NOW, by="setup")
    with time_machine.travel(NOW, tick=False):
        yield ctx, TestClient(make_app(ctx.store, ctx.settings, ctx))


def _as(client: TestClient, name: str) -> str:
    """Sign `name` in; the session's CSRF token."""
    client.cookies.clear()
    form = client.get("/login")
    r = client.post(
        "/login",
        data={"name": name, "password": PASSWORD, "csrf": _csrf(form.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return _csrf(client.get("/procedures").text)


def _item(ctx: Context) -> str:
    (q,) = ctx.store.quarantined("inbox")
    return f"inbox:{q.external_id}"


def _forms(ctx: Context) -> dict[str, dict[str, str]]:
    """Each new control's form, filled in."""
    return {
        "/sources/retry": {"item": _item(ctx)},
        "/subscribe/rotate": {},
        "/actions/merge": {"procedure": RHUCIN, "other": RUCONEST},
        "/actions/alias": {"procedure": RHUCIN, "alias": "Ruconix"},
    }


# Each control: the role it needs, and its audit entry's action.
NEEDS = {
    "/sources/retry": ("admin", "retry"),
    "/subscribe/rotate": ("admin", "feed-token-rotate"),
    "/actions/merge": ("editor", "merge"),
    "/actions/alias": ("editor", "alias"),
}


@pytest.mark.parametrize("path", list(NEEDS))
def test_who_may_use_each_control(site: tuple[Context, TestClient], path: str) -> None:
    ctx, client = site
    role, action = NEEDS[path]
    before = (ctx.store.procedure_keys(), feed_token(ctx.store), len(ctx.store.quarantined()))
    form = _forms(ctx)[path]
    # A stranger is sent to sign in; nothing changes.
    client.cookies.clear()
    r = client.post(path, data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    allowed = {"viewer": (), "editor": ("ed", "ada"), "admin": ("ada",)}[role]
    for name in ("vera", "ed", "ada"):
        token = _as(client, name)
        if name not in allowed:
            r = client.post(path, data={"csrf": token, **form})
            assert r.status_code == 403 and "this needs the" in r.text, (path, name)
    # Allowed, but without the session's token: refused as well.
    token = _as(client, allowed[0])
    assert client.post(path, data={"csrf": "forged", **form}).status_code == 403
    assert client.post(path, data=form).status_code == 403
    after = (ctx.store.procedure_keys(), feed_token(ctx.store), len(ctx.store.quarantined()))
    assert after == before and ctx.store.audit_entries(action=action) == []
    # With it, the change is made and audited (each control's own test says what it does).
    r = client.post(path, data={"csrf": token, **form}, follow_redirects=False)
    assert r.status_code == 303, r.text
    (entry,) = ctx.store.audit_entries(action=action)
    assert entry.who == allowed[0]


def test_the_retry_button_reads_the_item_again(site: tuple[Context, TestClient]) -> None:
    ctx, client = site
    item = _item(ctx)
    _as(client, "ed")
    assert 'action="/sources/retry"' not in client.get("/sources").text  # editors: no button
    token = _as(client, "ada")
    page = client.get("/sources").text
    assert f'name="item" value="{item}"' in page
    # Still binary: tried again, quarantined again, and the page says so with the reason.
    r = client.post("/sources/retry", data={"csrf": token, "item": item})
    assert r.status_code == 200 and "was tried again and failed" in r.text
    (entry,) = ctx.store.audit_entries(action="retry")
    assert (entry.who, entry.target) == ("ada", item) and entry.before
    # Fixed in failed/ (as the page says), retried: read, out of the quarantine.
    failed = ctx.settings.home / "failed" / "acme.txt"
    failed.write_text(
        "BOSTON, November 30, 2024 -- Acme Biologics, Inc. (Nasdaq: ACMB) said today that the"
        " FDA set a PDUFA target action date of June 28, 2031 for Zentra.\n"
    )
    r = client.post("/sources/retry", data={"csrf": token, "item": _item(ctx)})
    assert r.status_code == 200 and "was read again and left the quarantine" in r.text
    assert ctx.store.quarantined() == []
    assert "acme.txt" in [r.name for r in ctx.store.releases()]
    # An item that is not (or no longer) quarantined: the reason, on the page.
    r = client.post("/sources/retry", data={"csrf": token, "item": "inbox:nothing.txt:0"})
    assert r.status_code == 404 and "no quarantined item" in r.text


def test_rotating_the_token_stops_the_old_links(site: tuple[Context, TestClient]) -> None:
    ctx, client = site
    old = feed_token(ctx.store, ctx.settings.home)
    assert client.get(f"/{old}/calendar.ics").status_code == 200
    _as(client, "ed")
    assert 'action="/subscribe/rotate"' not in client.get("/subscribe").text
    token = _as(client, "ada")
    assert old in client.get("/subscribe").text
    r = client.post("/subscribe/rotate", data={"csrf": token})
    assert r.status_code == 200 and "The feed token was replaced" in r.text
    new = feed_token(ctx.store, ctx.settings.home)
    assert new != old and new in r.text and old not in r.text
    assert client.get(f"/{old}/calendar.ics").status_code == 404  # at once, in this server
    assert client.get(f"/{new}/calendar.ics").status_code == 200
    (entry,) = ctx.store.audit_entries(action="feed-token-rotate")
    assert entry.who == "ada"
    assert old not in client.get("/audit.csv").text and new not in client.get("/audit.csv").text


def test_an_editor_merges_two_procedures(site: tuple[Context, TestClient]) -> None:
    ctx, client = site
    token = _as(client, "vera")
    assert 'action="/actions/merge"' not in client.get(f"/procedures/{RHUCIN}").text
    token = _as(client, "ed")
    page = client.get(f"/procedures/{RHUCIN}").text
    assert f'<option value="{RUCONEST}">' in page and f'<option value="{RHUCIN}">' not in page
    r = client.post("/actions/merge", data={"csrf": token, "procedure": RHUCIN, "other": RUCONEST})
    assert r.status_code == 200 and "the other procedure joined this one" in r.text
    assert ctx.store.procedure_keys() == [RHUCIN]
    # A deadline only the merged procedure had is on this page now (with its own key).
    assert f'id="d-{RUCONEST}/advisory-committee-notice"' in r.text
    # An old link to the merged procedure leads to the one it joined.
    old = client.get(f"/procedures/{RUCONEST}", follow_redirects=False)
    assert old.status_code == 303 and old.headers["location"] == f"/procedures/{RHUCIN}"
    (entry,) = ctx.store.audit_entries(action="merge")
    assert (entry.who, entry.procedure_key, entry.target) == ("ed", RHUCIN, RUCONEST)
    # Refused with the reason on the page: itself, a merged one.
    for other, reason in ((RHUCIN, "into itself"), (RUCONEST, "was merged into")):
        r = client.post("/actions/merge", data={"csrf": token, "procedure": RHUCIN, "other": other})
        assert r.status_code == 400 and reason in r.text, other


def test_an_editor_gives_the_product_another_name(
    site: tuple[Context, TestClient], tmp_path: Path
) -> None:
    ctx, client = site
    token = _as(client, "ed")
    r = client.post("/actions/alias", data={"csrf": token, "procedure": RHUCIN, "alias": "Ruconix"})
    assert r.status_code == 200 and "later releases that use this name" in r.text
    assert re.search(r'class="names">[^<]*Ruconix', r.text)
    (entry,) = ctx.store.audit_entries(action="alias")
    assert (entry.who, entry.procedure_key, entry.target) == ("ed", RHUCIN, "Ruconix")
    # A release that names the product so goes to this procedure.
    later = tmp_path / "ruconix.txt"
    later.write_text(RUCONIX)
    assert ingest_paths(ctx, [later], NOW + timedelta(days=1)).failed == 0
    assert "pharming-group-n-v/ruconix/fda" not in ctx.store.procedure_keys()
    goal = ctx.store.deadline(f"{RHUCIN}/pdufa-goal-standard")
    assert goal is not None and goal.end == date(2025, 1, 17)
    # Refused with the reason: the other procedure's own name, the same name again, nothing.
    for alias, reason in (
        ("Ruconest", "already stands for Ruconest"),
        ("ruconix", "already a name of Rhucin"),
        ("Rhucin", "own name"),
        ("  ", "this field is needed"),
        ("!!!", "no letters or digits"),
    ):
        r = client.post("/actions/alias", data={"csrf": token, "procedure": RHUCIN, "alias": alias})
        assert r.status_code == 400 and reason in r.text, alias
    assert len(ctx.store.audit_entries(action="alias")) == 1


def test_user_management_in_the_browser_is_audited(site: tuple[Context, TestClient]) -> None:
    ctx, client = site
    token = _as(client, "ada")
    secret = "a brand new passphrase"
    steps = [
        ("add", {"name": "kim", "role": "viewer", "password": secret}),
        ("role", {"name": "kim", "role": "editor"}),
        ("passwd", {"name": "kim", "password": secret + "!"}),
        ("remove", {"name": "kim"}),
    ]
    for action, form in steps:
        r = client.post(f"/users/{action}", data={"csrf": token, **form}, follow_redirects=False)
        assert r.status_code == 303, (action, r.text)
    entries = [e for e in reversed(ctx.store.audit_entries()) if e.target == "kim"]
    assert [(e.who, e.action, e.before, e.after) for e in entries] == [
        ("ada", "user-add", None, "viewer"),
        ("ada", "user-role", "viewer", "editor"),
        ("ada", "user-passwd", None, None),
        ("ada", "user-remove", "editor", None),
    ]
    assert all(e.at == NOW for e in entries)
    # A refused change leaves no entry.
    r = client.post("/users/role", data={"csrf": token, "name": "nobody", "role": "admin"})
    assert r.status_code == 404
    assert not any(e.target == "nobody" for e in ctx.store.audit_entries())
    log = client.get("/audit.csv").text
    assert "user-passwd" in log and secret not in log and "argon2" not in log


def test_user_management_on_the_command_line_is_audited(ctx: Context) -> None:
    home = str(ctx.settings.home)
    secret = "correct horse battery"
    run = CliRunner().invoke
    steps = [
        (["--as", "root", "users", "add", "kim"], secret + "\n"),
        (["--as", "root", "users", "role", "kim", "admin"], None),
        (["--as", "root", "users", "passwd", "kim"], secret + "?\n"),
        (["--as", "root", "users", "remove", "kim"], None),
    ]
    for args, given in steps:
        r = run(cli, ["--home", home, *args], input=given)
        assert r.exit_code == 0, r.output
    log = run(cli, ["--home", home, "log", "--format", "csv"]).output
    rows = [line.split(",") for line in log.splitlines()[1:]]
    assert [(r[2], r[3], r[5]) for r in rows] == [
        ("root", "user-add", "kim"),
        ("root", "user-role", "kim"),
        ("root", "user-passwd", "kim"),
        ("root", "user-remove", "kim"),
    ]
    assert secret not in log and "argon2" not in log


# --- a user's own feeds --------------------------------------------------------------------


def _my_feeds(html: str) -> list[str]:
    return re.findall(r'<a href="(http://[^"]+/my/[^"]+\.ics)">https</a>', html)


def test_a_user_saves_a_filter_and_gets_a_feed_of_their_own(
    site: tuple[Context, TestClient],
) -> None:
    ctx, client = site
    client.cookies.clear()
    r = client.post("/subscribe/mine", data={"product": "rhucin"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    token = _as(client, "vera")  # a viewer may: the feed shows what they may read anyway
    assert (
        client.post("/subscribe/mine", data={"csrf": "forged", "product": "rhucin"}).status_code
        == 403
    )
    page = client.post("/subscribe/mine", data={"csrf": token, "product": "rhucin"})
    assert page.status_code == 200 and "Saved: your new feed" in page.text
    (url,) = _my_feeds(page.text)
    assert f"webcal://{url.split('://', 1)[1]}" in page.text
    path = url.split("8080", 1)[1]
    # The address is the key: no session needed, and it holds the product chosen only.
    client.cookies.clear()
    feed = client.get(path)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert "Rhucin" in feed.text and "Ruconest" not in feed.text
    assert "X-WR-CALNAME:Regulatory deadlines: Rhucin" in feed.text
    again = client.get(path, headers={"If-None-Match": feed.headers["etag"]})
    assert again.status_code == 304
    # Replacing the shared token leaves it working.
    admin = _as(client, "ada")
    client.post("/subscribe/rotate", data={"csrf": admin})
    assert client.get(path).status_code == 200
    # Nobody else can remove it; its owner can, and the address stops at once.
    number = Users(ctx.store).subscriptions("vera")[0].id
    r = client.post("/subscribe/mine/remove", data={"csrf": admin, "id": str(number)})
    assert r.status_code == 404 and client.get(path).status_code == 200
    token = _as(client, "vera")
    r = client.post("/subscribe/mine/remove", data={"csrf": token, "id": str(number)})
    assert r.status_code == 200 and "Removed" in r.text and _my_feeds(r.text) == []
    assert client.get(path).status_code == 404
    entries = [(e.who, e.action, e.target) for e in reversed(ctx.store.audit_entries())]
    assert ("vera", "subscription-add", "Rhucin") in entries
    assert ("vera", "subscription-remove", "Rhucin") in entries
    assert path.split("/")[-1][:-4] not in client.get("/audit.csv").text


def test_own_feeds_combine_filters_and_end_with_their_user(
    site: tuple[Context, TestClient],
) -> None:
    ctx, client = site
    token = _as(client, "ed")
    both = {"company": "pharming-group-n-v", "agency": "FDA", "label": "Pharming <US>"}
    page = client.post("/subscribe/mine", data={"csrf": token, **both}).text
    assert "Pharming &lt;US&gt;" in page
    (url,) = _my_feeds(page)
    path = url.split("8080", 1)[1]
    feed = client.get(path).text
    assert "Rhucin" in feed and "Ruconest" in feed
    # Refused with the reason: nothing chosen, something not tracked.
    for form, reason in (
        ({}, "choose a company, a product or an authority"),
        ({"product": "nothing-like-it"}, "is not tracked"),
        ({"agency": "MARS"}, "is not tracked"),
    ):
        r = client.post("/subscribe/mine", data={"csrf": token, **form})
        assert r.status_code == 400 and reason in r.text, form
    assert len(Users(ctx.store).subscriptions("ed")) == 1
    assert client.get("/my/not-a-token.ics").status_code == 404
    # The user removed: every feed of theirs stops.
    admin = _as(client, "ada")
    client.post("/users/remove", data={"csrf": admin, "name": "ed"})
    assert client.get(path).status_code == 404
    assert Users(ctx.store).subscriptions("ed") == []


def test_the_upcoming_filters_save_as_an_own_feed(site: tuple[Context, TestClient]) -> None:
    ctx, client = site
    token = _as(client, "vera")
    assert 'id="save-mine"' not in client.get("/upcoming").text  # nothing chosen
    page = client.get("/upcoming?product=ruconest&agency=fda&basis=rule").text
    form = page[page.index('id="save-mine"') : page.index("</form>", page.index('id="save-mine"'))]
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    assert fields == {"csrf": token, "company": "", "product": "ruconest", "agency": "FDA"}
    saved = client.post("/subscribe/mine", data=fields)
    assert saved.status_code == 200
    (sub,) = Users(ctx.store).subscriptions("vera")
    assert (sub.label, sub.product, sub.agency) == ("Ruconest · FDA", "ruconest", "FDA")
    # An agency's region is what is kept (EMA is the EU's).
    r = client.post("/subscribe/mine", data={"csrf": token, "agency": "EMA"})
    assert r.status_code == 400 and "&#39;EU&#39; is not tracked" in r.text  # none is EU's


def test_rotate_and_retry_on_the_command_line_are_audited(ctx: Context) -> None:
    home = str(ctx.settings.home)
    run = CliRunner().invoke
    assert run(cli, ["--home", home, "feeds"]).exit_code == 0  # the token exists
    r = run(cli, ["--home", home, "--as", "root", "feeds", "rotate"])
    assert r.exit_code == 0, r.output
    inbox = Path(home) / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "acme.txt").write_bytes(b"\xff\xfe\x00garbage")
    for minutes in (0, 1):  # the second poll finds it settled, and refuses it
        with time_machine.travel(NOW + timedelta(minutes=minutes), tick=False):
            run(cli, ["--home", home, "ingest", "--source", "inbox"])
    listed = run(cli, ["--home", home, "sources"]).output
    item = re.search(r"quarantined (inbox:\S+):", listed)
    assert item, listed
    r = run(cli, ["--home", home, "--as", "root", "sources", "retry", item[1]])
    assert r.exit_code == 1  # still binary: failed again
    log = run(cli, ["--home", home, "log", "--format", "csv"]).output
    rows = [line.split(",") for line in log.splitlines()[1:]]
    assert [(r[2], r[3]) for r in rows] == [("root", "feed-token-rotate"), ("root", "retry")]
    assert rows[1][5] == item[1] and rows[1][6]  # the reason it had


def test_an_own_feed_shows_a_change_at_once(site: tuple[Context, TestClient]) -> None:
    _ctx, client = site
    token = _as(client, "ed")
    page = client.post("/subscribe/mine", data={"csrf": token, "product": "rhucin"}).text
    path = _my_feeds(page)[0].split("8080", 1)[1]
    first = client.get(path)
    assert "STATUS:CANCELLED" not in first.text
    assert client.get(path).content == first.content  # unchanged data: the same calendar
    goal = f"{RHUCIN}/pdufa-goal-standard"
    r = client.post("/actions/close", data={"csrf": token, "deadline": goal, "how": "dismissed"})
    assert r.status_code == 200
    after = client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert after.status_code == 200 and "STATUS:CANCELLED" in after.text
