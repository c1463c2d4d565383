"""The dashboard in a real browser: Debian's chromium driven by chromedriver (Selenium),
against the daemon's own server (uvicorn) on 127.0.0.1 at a free port.

One browser for the module, a few steps each: a stranger gets the login form; a viewer signs
in, filters the upcoming list, opens an evidence sentence and a procedure, sees no forms and
is refused a correction; an editor's forged CSRF token is refused, a receipt fact moves the
dependent dates on the page; the timeline's SVG is drawn with bars and a today line; a
release carrying script payloads renders inert. TRACKER_SCREENSHOTS=DIR saves screenshots.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine

from tracker.domain import RawItem
from tracker.pipeline import Context, ingest_item, ingest_paths
from tracker.store.users import Users
from tracker.web import Server, make_app
from tracker.web.auth import hash_password

from .conftest import FIXTURES

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

STORY = sorted((FIXTURES / "releases" / "eu-story").glob("*.txt"))
NOW = datetime(2008, 3, 28, 12, tzinfo=UTC)
PASSWORD = "correct horse battery"
PROC = "norvane-therapeutics-inc/velocor/eu"
EVIL = (
    b"BOSTON, Mass. - (March 27, 2008) - Evil Pharma, Inc. <script>window.__xss=1</script>"
    b" today said the CHMP adopted a negative opinion on <img src=x onerror=window.__xss=2>"
    b' Xolo" onerror="window.__xss=3 on March 20, 2008.\n'
)


def _binaries() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.skip(
            "chromium or chromedriver is not installed "
            "(apt-get install chromium chromium-driver; .ci/run installs them)"
        )
    return chromium, driver


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any, Context]]:
    """(base URL, browser, context): the server with the story's first release, a viewer and
    an editor; time runs from NOW."""
    chromium, driver_path = _binaries()
    from tracker.rules.loader import load_packs
    from tracker.settings import load_settings
    from tracker.store import Store

    home = tmp_path_factory.mktemp("browser")
    traveller = time_machine.travel(NOW, tick=True)
    traveller.start()
    settings = load_settings(config=None, home=str(home / "home"), environ={}).settings
    store = Store(f"sqlite:///{home / 'tracker.db'}")
    store.migrate(NOW)
    ctx = Context(settings, store, load_packs())
    ingest_paths(ctx, STORY[:1], NOW)
    users = Users(store)
    users.add("vera", "viewer", hash_password(PASSWORD), NOW)
    users.add("ed", "editor", hash_password(PASSWORD), NOW)
    server = Server(make_app(store, settings, ctx), "127.0.0.1", 0)
    server.start()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000"):
        options.add_argument(arg)
    service = webdriver.ChromeService(executable_path=driver_path)
    browser = webdriver.Chrome(options=options, service=service)
    browser.implicitly_wait(0)  # pages are whole when they load: nothing to wait for
    try:
        yield f"http://127.0.0.1:{server.port}", browser, ctx
    finally:
        browser.quit()
        server.stop()
        store.close()
        traveller.stop()


def _shot(browser: Any, name: str) -> None:
    folder = os.environ.get("TRACKER_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(Path(folder) / f"{name}.png"))


def _sign_in(base: str, browser: Any, name: str) -> None:
    browser.delete_all_cookies()
    browser.get(base + "/login")
    browser.find_element(By.ID, "name").send_keys(name)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.login button").click()
    # A click does not wait for the page it posts to: wait for the signed-in page.
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".who"))
    assert browser.find_element(By.CSS_SELECTOR, ".who").text.startswith(name)


def test_stranger_gets_the_login_form(site: tuple[str, Any, Context]) -> None:
    base, browser, _ctx = site
    browser.delete_all_cookies()
    for path in ("/", "/upcoming", f"/procedures/{PROC}"):
        browser.get(base + path)
        assert browser.find_element(By.CSS_SELECTOR, "form.login")
        assert "Velocor" not in browser.find_element(By.TAG_NAME, "main").text


def test_viewer_reads_filters_and_is_refused_corrections(site: tuple[str, Any, Context]) -> None:
    base, browser, _ctx = site
    _sign_in(base, browser, "vera")
    rows = browser.find_elements(By.CSS_SELECTOR, "#upcoming tbody tr")
    assert len(rows) >= 3
    evidence = rows[0].find_element(By.CSS_SELECTOR, "details.evidence")
    assert not evidence.find_element(By.TAG_NAME, "blockquote").is_displayed()
    evidence.find_element(By.TAG_NAME, "summary").click()
    assert "re-examination" in evidence.find_element(By.TAG_NAME, "blockquote").text
    _shot(browser, "upcoming")
    Select(browser.find_element(By.ID, "f-product")).select_by_visible_text("Velocor")
    browser.find_element(By.ID, "f-q").send_keys("grounds")
    browser.find_element(By.CSS_SELECTOR, "form.filters button").click()
    WebDriverWait(browser, 10).until(lambda b: "grounds" in b.current_url)
    shown = browser.find_elements(By.CSS_SELECTOR, "#upcoming tbody tr")
    assert 1 <= len(shown) < len(rows) and all("Velocor" in r.text for r in shown)
    (hit,) = [r for r in shown if "Detailed grounds" in r.text]
    hit.find_element(By.CSS_SELECTOR, "td.what a").click()
    WebDriverWait(browser, 10).until(lambda b: "The story, release by release" in b.page_source)
    assert not browser.find_elements(By.CSS_SELECTOR, "form[action='/actions/fact-set']")
    # A hand-made post with the viewer's own valid token is still refused.
    status = browser.execute_async_script(
        """const done = arguments[arguments.length - 1];
        const csrf = document.querySelector("form.signout input[name=csrf]").value;
        fetch("/actions/fact-set", {method: "POST",
          headers: {"Content-Type": "application/x-www-form-urlencoded"},
          body: new URLSearchParams({csrf, procedure: arguments[0], name: "receipt",
                                     value: "2008-03-25"})}).then(r => done(r.status));""",
        PROC,
    )
    assert status == 403


def test_editor_csrf_and_a_fact_moving_dates(site: tuple[str, Any, Context]) -> None:
    pytest.importorskip("tracker.cases", reason="tracker.cases (the correction service) is absent")
    base, browser, _ctx = site
    _sign_in(base, browser, "ed")
    browser.get(f"{base}/procedures/{PROC}")
    before = [t.get_attribute("datetime") for t in browser.find_elements(By.TAG_NAME, "time")]
    assert "2008-05-19" in before
    # A forged token: refused, nothing changes.
    browser.execute_script(
        "document.querySelector('#fact-form input[name=csrf]').value = 'forged';"
    )
    browser.execute_script("document.getElementById('fact-value').value = '2008-03-25';")
    browser.find_element(By.CSS_SELECTOR, "#fact-form button").click()
    # A click does not wait for the page it posts to: wait for the answer to arrive.
    WebDriverWait(browser, 10).until(lambda b: "The form has expired" in b.page_source)
    browser.get(f"{base}/procedures/{PROC}")
    browser.execute_script("document.getElementById('fact-value').value = '2008-03-25';")
    browser.find_element(By.CSS_SELECTOR, "#fact-form button").click()
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".ok"))
    assert "Saved" in browser.find_element(By.CSS_SELECTOR, ".ok").text
    after = [t.get_attribute("datetime") for t in browser.find_elements(By.TAG_NAME, "time")]
    assert "2008-05-27" in after and "2008-05-19" not in after
    _shot(browser, "procedure")


def test_timeline_svg_is_drawn(site: tuple[str, Any, Context]) -> None:
    base, browser, _ctx = site
    _sign_in(base, browser, "vera")
    browser.get(f"{base}/timeline?from=2008-02&months=10&status=all")
    svg = browser.find_element(By.CSS_SELECTOR, "svg.timeline")
    assert svg.size["width"] > 700
    today = svg.find_element(By.CSS_SELECTOR, "line.today")
    assert today.size["height"] > 20
    marks = svg.find_elements(By.CSS_SELECTOR, ".mark, .bar")
    assert len(marks) >= 3 and all(m.size["width"] > 0 for m in marks)
    assert svg.find_elements(By.CSS_SELECTOR, "circle.event")
    _shot(browser, "timeline")


def test_release_with_script_payloads_renders_inert(site: tuple[str, Any, Context]) -> None:
    base, browser, ctx = site
    ingest_item(ctx, RawItem("cli", "evil", "evil.txt", EVIL, NOW), NOW)
    _sign_in(base, browser, "vera")
    (evil,) = [r for r in ctx.store.releases() if r.name == "evil.txt"]
    for path in (f"/releases/{evil.id}", "/upcoming?status=all", "/procedures"):
        browser.get(base + path)
        assert browser.execute_script("return window.__xss === undefined")
        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert.text  # noqa: B018
    browser.get(f"{base}/releases/{evil.id}")
    assert "<script>window.__xss=1</script>" in browser.find_element(By.TAG_NAME, "main").text


def test_editor_merges_two_procedures_and_names_the_product(
    site: tuple[str, Any, Context],
) -> None:
    pytest.importorskip("tracker.cases", reason="tracker.cases (the correction service) is absent")
    base, browser, ctx = site
    rhucin, ruconest = "pharming-group-n-v/rhucin/fda", "pharming-group-n-v/ruconest/fda"
    for path in sorted((FIXTURES / "releases" / "two-names-fda").glob("*.txt")):
        ingest_paths(ctx, [path], NOW)
    assert {rhucin, ruconest} <= set(ctx.store.procedure_keys())
    _sign_in(base, browser, "ed")
    browser.get(f"{base}/procedures/{rhucin}")
    Select(browser.find_element(By.ID, "merge-other")).select_by_value(ruconest)
    browser.find_element(By.CSS_SELECTOR, "#merge-form button").click()
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".ok"))
    assert "joined this one" in browser.find_element(By.CSS_SELECTOR, ".ok").text
    # The merged procedure's own deadline is on this page now; its old page leads here.
    assert browser.find_elements(By.ID, f"d-{ruconest}/advisory-committee-notice")
    browser.get(f"{base}/procedures/{ruconest}")
    assert browser.current_url.endswith(f"/procedures/{rhucin}")
    assert not [
        o
        for o in browser.find_elements(By.CSS_SELECTOR, "#merge-other option")
        if o.get_attribute("value") == ruconest
    ]
    browser.find_element(By.ID, "alias-name").send_keys("Ruconix")
    browser.find_element(By.CSS_SELECTOR, "#alias-form button").click()
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".names"))
    assert "Ruconix" in browser.find_element(By.CSS_SELECTOR, ".names").text
    _shot(browser, "merge")
    browser.get(f"{base}/audit?by=ed")
    cells = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "table.audit td")]
    assert "merge" in cells and "alias" in cells and "Ruconix" in cells
