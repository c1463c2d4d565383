"""The signed-in dashboard in-process: who may see and do what on every route, sign-in,
sessions, CSRF, the pages' content, the timeline picture, the users command."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from click.testing import CliRunner
from fastapi.testclient import TestClient

from tracker.cli import cli
from tracker.pipeline import Context, ingest_paths
from tracker.store.users import Users
from tracker.web import feed_token, make_app
from tracker.web.auth import LoginLimiter, hash_password

from .conftest import FIXTURES

STORY = sorted((FIXTURES / "releases" / "eu-story").glob("*.txt"))
NOW = datetime(2008, 6, 1, 12, tzinfo=UTC)
PASSWORD = "correct horse battery"

# Every page a stranger must not see, and what a viewer sees there.
PAGES = [
    "/upcoming",
    "/timeline",
    "/procedures",
    "/procedures/norvane-therapeutics-inc/velocor/eu",
    "/releases/1",
    "/subscribe",
    "/sources",
    "/audit",
    "/audit.csv",
    "/docs",
    "/docs/assets/swagger-ui-bundle.js",
]
API = ["/api/deadlines", "/api/procedures", "/api/events", "/api/releases"]


@pytest.fixture
def app_ctx(ctx: Context) -> Context:
    ingest_paths(ctx, STORY[:3], NOW)
    users = Users(ctx.store)
    for name, role in (("vera", "viewer"), ("ed", "editor"), ("ada", "admin")):
        users.add(name, role, hash_password(PASSWORD), NOW)
    return ctx


@pytest.fixture
def client(app_ctx: Context) -> TestClient:
    return TestClient(make_app(app_ctx.store, app_ctx.settings, app_ctx))


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> TestClient:
    form = client.get("/login")
    r = client.post(
        "/login",
        data={"name": name, "password": password, "csrf": _csrf(form.text), "next": "/upcoming"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return client


def test_strangers_see_only_the_login_form(client: TestClient) -> None:
    home = client.get("/")
    assert home.status_code == 200 and 'action="/login"' in home.text
    assert "velocor" not in home.text.lower()
    for path in PAGES:
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/login?next="), path
        page = client.get(path)  # followed: the login form, and nothing tracked
        # (the address the stranger typed comes back as the form's `next`, nothing else)
        text = re.sub(r'name="next" value="[^"]*"', "", page.text)
        assert 'action="/login"' in text and "velocor" not in text.lower(), path
    for path in API:
        r = client.get(path)
        assert r.status_code == 401 and "velocor" not in r.text.lower(), path
    for path in ("/actions/close", "/actions/fact-set", "/users/add", "/logout"):
        r = client.post(path, data={"deadline": "x"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), path


def test_health_stays_open_and_says_nothing_tracked_the_api_shape_needs_sign_in(
    client: TestClient, app_ctx: Context
) -> None:
    health = client.get("/healthz")
    assert health.status_code == 200 and "velocor" not in health.text.lower()
    assert client.get("/assets/app.css").status_code == 200
    # The API's shape, like /docs, is for those who may use the API.
    assert client.get("/openapi.json").status_code == 401
    assert client.get("/openapi.json?token=nope").status_code == 404
    token = feed_token(app_ctx.store, app_ctx.settings.home)
    shape = client.get("/openapi.json", headers={"Authorization": f"Bearer {token}"})
    assert shape.status_code == 200 and "/api/deadlines" in shape.json()["paths"]
    sign_in(client, "vera")
    assert "/api/deadlines" in client.get("/openapi.json").json()["paths"]


def test_api_takes_the_token_or_a_session(client: TestClient, app_ctx: Context) -> None:
    token = feed_token(app_ctx.store, app_ctx.settings.home)
    assert client.get(f"/api/procedures?token={token}").json()[0]["product"] == "Velocor"
    bearer = client.get("/api/procedures", headers={"Authorization": f"Bearer {token}"})
    assert bearer.status_code == 200
    assert client.get("/api/procedures?token=nope").status_code == 404
    sign_in(client, "vera")
    assert client.get("/api/procedures").json()[0]["product"] == "Velocor"


def test_sign_in_sets_a_hardened_cookie_and_sign_out_ends_the_session(
    client: TestClient,
) -> None:
    form = client.get("/login")
    r = client.post(
        "/login",
        data={"name": "vera", "password": PASSWORD, "csrf": _csrf(form.text)},
        follow_redirects=False,
    )
    cookie = r.headers["set-cookie"]
    assert "tracker-session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # the public URL is http here
    page = client.get("/upcoming")
    assert page.status_code == 200 and "vera (viewer)" in page.text
    stolen = client.cookies.get("tracker-session")
    client.post("/logout", data={"csrf": _csrf(page.text)})
    other = TestClient(client.app)
    other.cookies.set("tracker-session", stolen or "")
    assert other.get("/upcoming", follow_redirects=False).status_code == 303  # ended for good


def test_secure_cookie_on_https(app_ctx: Context) -> None:
    app_ctx.settings.web.public_url = "https://tracker.example.org"
    client = TestClient(make_app(app_ctx.store, app_ctx.settings, app_ctx))
    form = client.get("/login")
    assert "__Host-tracker-login" in form.headers["set-cookie"]
    assert "Secure" in form.headers["set-cookie"]


def test_wrong_password_forged_cookie_and_login_csrf(client: TestClient) -> None:
    form = client.get("/login")
    bad = client.post(
        "/login", data={"name": "vera", "password": "wrong password!", "csrf": _csrf(form.text)}
    )
    assert bad.status_code == 401 and "Unknown name or wrong password" in bad.text
    unknown = client.post(
        "/login", data={"name": "nobody", "password": PASSWORD, "csrf": _csrf(form.text)}
    )
    assert unknown.status_code == 401 and "Unknown name or wrong password" in unknown.text
    no_token = client.post("/login", data={"name": "vera", "password": PASSWORD, "csrf": "x"})
    assert no_token.status_code == 400
    client.cookies.set("tracker-session", "made-up.signature")
    assert client.get("/upcoming", follow_redirects=False).status_code == 303


def test_sign_ins_are_rate_limited(client: TestClient) -> None:
    token = _csrf(client.get("/login").text)
    codes = [
        client.post("/login", data={"name": "ed", "password": "not it at all", "csrf": token})
        for _ in range(6)
    ]
    assert [c.status_code for c in codes] == [401] * 5 + [429]
    assert int(codes[-1].headers["retry-after"]) > 0
    # Even the right password waits now.
    right = client.post("/login", data={"name": "ed", "password": PASSWORD, "csrf": token})
    assert right.status_code == 429


def test_limiter_window_and_success_reset() -> None:
    limiter = LoginLimiter(window=900, per_name=2, per_address=3)
    limiter.failed("a", "1.2.3.4")
    assert limiter.wait("a", "1.2.3.4") == 0
    limiter.failed("a", "1.2.3.4")
    assert limiter.wait("a", "1.2.3.4") > 0 and limiter.wait("b", "5.6.7.8") == 0
    limiter.succeeded("a")
    assert limiter.wait("a", "9.9.9.9") == 0
    limiter.failed("c", "1.2.3.4")
    assert limiter.wait("z", "1.2.3.4") > 0  # the address's limit


def test_idle_sessions_expire(client: TestClient) -> None:
    with time_machine.travel(NOW, tick=False):
        sign_in(client, "vera")
        assert client.get("/upcoming").status_code == 200
    with time_machine.travel(NOW + timedelta(minutes=59), tick=False):
        assert client.get("/upcoming", follow_redirects=False).status_code == 200
    with time_machine.travel(NOW + timedelta(minutes=59 + 61), tick=False):
        assert client.get("/upcoming", follow_redirects=False).status_code == 303


def test_upcoming_lists_deadlines_with_evidence_filters_and_search(client: TestClient) -> None:
    sign_in(client, "vera")
    with time_machine.travel(NOW, tick=False):
        page = client.get("/upcoming").text
        assert "Re-examination opinion" in page or "re-examination" in page.lower()
        assert "<details" in page and "evidence" in page
        assert "in 43 days" in page  # 2008-07-14 from 2008-06-01
        assert client.get("/upcoming?q=nothing-like-this").text.count("<tr class=") == 0
        assert client.get("/upcoming?agency=FDA").text.count("<tr class=") == 0
        est = client.get("/upcoming?precision=estimate").text
        assert "Commission decision" in est or "estimate" in est
        assert client.get("/upcoming?status=bogus").status_code == 400


def test_templates_are_autoescaped(client: TestClient, app_ctx: Context) -> None:
    from tracker.domain import RawItem
    from tracker.pipeline import ingest_item

    body = (
        b"BOSTON, Mass. - (May 2, 2008) - Evil Pharma, Inc. <script>alert(1)</script> today said"
        b' the CHMP adopted a negative opinion on Xolo" onerror="alert(2) on April 24, 2008.\n'
    )
    ingest_item(app_ctx, RawItem("cli", "evil", "evil.txt", body, NOW), NOW)
    sign_in(client, "vera")
    for path in ["/procedures", "/upcoming?status=all", "/releases/4", "/timeline"]:
        text = client.get(path).text
        assert "<script>alert" not in text and '" onerror="' not in text, path
    release = client.get("/releases/4").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in release and "&#34; onerror=&#34;" in release


def test_procedure_page_tells_the_story(client: TestClient) -> None:
    sign_in(client, "vera")
    with time_machine.travel(NOW, tick=False):
        page = client.get("/procedures/norvane-therapeutics-inc/velocor/eu").text
    assert "The story, release by release" in page
    assert "How the date was computed" in page and "trigger" in page
    assert page.index("NORVANE REPORTS CHMP OPINION") < page.index("NORVANE FILES GROUNDS")
    assert "<svg" in page and 'class="today"' in page
    assert "Correct this deadline" not in page  # a viewer gets no forms
    assert client.get("/procedures/nope").status_code == 404


def test_timeline_svg_has_marks_bars_hatching_and_today(client: TestClient) -> None:
    sign_in(client, "vera")
    with time_machine.travel(NOW, tick=False):
        page = client.get("/timeline?from=2008-03&months=9&status=all").text
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'class="bar ' in svg  # the stated window (the third quarter)
    assert 'class="mark ' in svg and 'class="event"' in svg
    assert 'class="today"' in svg and 'id="hatch"' in svg
    assert "Jul" in svg and ">today<" in svg


def test_release_page_highlights_what_was_read(client: TestClient) -> None:
    sign_in(client, "vera")
    page = client.get("/releases/2").text
    assert '<mark class="deadline">the third quarter of 2008</mark>' in page
    assert "seen by source" in page and "/procedures/norvane-therapeutics-inc/velocor/eu" in page
    assert client.get("/releases/999").status_code == 404


def test_release_page_shows_the_whole_text_with_the_read_sentences_marked(
    client: TestClient,
) -> None:
    sign_in(client, "vera")
    page = client.get("/releases/1").text
    body = page.split('class="fulltext"', 1)[1].split("</div>", 1)[0]
    # Lines the reader found nothing in are there too, escaped, in the document's order.
    assert "Investor relations:" in body and "We will make our case to the committee" in body
    assert body.index("Investor relations:") < body.index("We will make our case")
    assert "&#34;We will make our case" in body or "&quot;We will make our case" in body
    # Each sentence read is wrapped, linked to its item below, with its marks inside.
    spans = re.findall(r'<span class="read" id="t-(\d+)">(.*?)</span>', body, re.S)
    assert spans, body[:500]
    assert any(
        '<mark class="deadline">the third quarter of this year</mark>' in s for _i, s in spans
    )
    for index, _s in spans:
        assert f'id="s-{index}"' in page and f'href="#s-{index}"' in body
    assert "only the sentences it read are shown" not in page


def test_subscribe_and_sources(client: TestClient, app_ctx: Context) -> None:
    sign_in(client, "vera")
    token = feed_token(app_ctx.store, app_ctx.settings.home)
    sub = client.get("/subscribe").text
    assert f"webcal://127.0.0.1:8080/{token}/calendar.ics" in sub and 'class="copy"' in sub
    assert "product/velocor.ics" in sub
    assert "inbox" in client.get("/sources").text


def test_docs_served_offline_for_signed_in_users(client: TestClient) -> None:
    sign_in(client, "vera")
    docs = client.get("/docs").text
    assert "/docs/assets/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    js = client.get("/docs/assets/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 100_000
    assert client.get("/docs/assets/../../etc/passwd").status_code == 404


def test_security_headers(client: TestClient) -> None:
    r = client.get("/login")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY" and r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["cache-control"] == "no-store"


def test_viewers_cannot_correct_and_forms_need_the_csrf_token(client: TestClient) -> None:
    key = "norvane-therapeutics-inc/velocor/eu/reexamination-opinion"
    sign_in(client, "vera")
    page = client.get("/upcoming").text
    r = client.post("/actions/close", data={"csrf": _csrf(page), "deadline": key, "how": "done"})
    assert r.status_code == 403 and "viewer" in r.text
    client.post("/logout", data={"csrf": _csrf(page)})
    sign_in(client, "ed")
    r = client.post("/actions/close", data={"csrf": "forged", "deadline": key, "how": "done"})
    assert r.status_code == 403 and "security token" in r.text
    r = client.post("/actions/close", data={"deadline": key, "how": "done"})
    assert r.status_code == 403


def test_admins_manage_users_others_cannot(client: TestClient, app_ctx: Context) -> None:
    sign_in(client, "ed")
    assert client.get("/users").status_code == 403
    client.cookies.clear()
    sign_in(client, "ada")
    page = client.get("/users").text
    r = client.post(
        "/users/add",
        data={"csrf": _csrf(page), "name": "new.person", "role": "editor", "password": "short"},
    )
    assert r.status_code == 400 and "at least 10 characters" in r.text
    r = client.post(
        "/users/add",
        data={"csrf": _csrf(page), "name": "new.person", "role": "editor", "password": PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303
    users = Users(app_ctx.store)
    assert users.get("new.person").role == "editor"  # type: ignore[union-attr]
    client.post("/users/remove", data={"csrf": _csrf(page), "name": "new.person"})
    assert users.get("new.person") is None
    r = client.post("/users/remove", data={"csrf": _csrf(page), "name": "ada"})
    assert r.status_code == 400  # not yourself


def test_trusted_user_header(app_ctx: Context) -> None:
    app_ctx.settings.web.trusted_user_header = "X-Remote-User"
    client = TestClient(make_app(app_ctx.store, app_ctx.settings, app_ctx))
    assert client.get("/upcoming", headers={"X-Remote-User": "vera"}).status_code == 200
    unknown = client.get("/upcoming", headers={"X-Remote-User": "mallory"}, follow_redirects=False)
    assert unknown.status_code == 303
    # Off by default: the header means nothing.
    app_ctx.settings.web.trusted_user_header = ""
    plain = TestClient(make_app(app_ctx.store, app_ctx.settings, app_ctx))
    r = plain.get("/upcoming", headers={"X-Remote-User": "ada"}, follow_redirects=False)
    assert r.status_code == 303


def test_users_command(ctx: Context) -> None:
    home = str(ctx.settings.home)
    run = CliRunner().invoke
    r = run(cli, ["--home", home, "users", "add", "kim", "--role", "editor"], input=PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    assert "kim" in run(cli, ["--home", home, "users", "list"]).output
    short = run(cli, ["--home", home, "users", "passwd", "kim"], input="short\n")
    assert short.exit_code != 0
    assert (
        run(cli, ["--home", home, "users", "passwd", "kim"], input="another long one\n").exit_code
        == 0
    )
    assert run(cli, ["--home", home, "users", "role", "kim", "admin"]).exit_code == 0
    assert "admin" in run(cli, ["--home", home, "users", "list"]).output
    assert run(cli, ["--home", home, "users", "remove", "kim"]).exit_code == 0
    assert run(cli, ["--home", home, "users", "remove", "kim"]).exit_code != 0
    bad = run(cli, ["--home", home, "users", "add", "no spaces"], input=PASSWORD + "\n")
    assert bad.exit_code != 0


def test_users_sessions_and_secret_on_postgres(pg_url: str) -> None:
    from tracker.store import Store

    store = Store(pg_url)
    store.migrate(NOW)
    users = Users(store)
    users.add("pat", "editor", hash_password(PASSWORD), NOW)
    assert users.secret("session-signing") == Users(store).secret("session-signing")
    users.start_session("h" * 64, "pat", "c" * 32, NOW)
    found = users.session("h" * 64)
    assert found is not None and found.user.role == "editor"
    assert users.end_idle_sessions(NOW + timedelta(hours=1), NOW) == 1
    users.remove("pat", NOW, by="admin")
    assert users.all() == []
    store.close()
