"""A signed-in user's own feeds: a filter saved on the Subscribe page (a company, a product,
an authority, or several of them together) gets a calendar address of its own, under a token
only that feed has. Removing the feed, or the user, stops the address at once; replacing the
shared feed token does not touch it. Saving and removing are in the audit log (never the
token). The calendar is built again only when the data changed (the shared feeds' version),
with an ETag so an unchanged one costs a 304."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from tracker import clock
from tracker.errors import NotFoundError, TrackerError
from tracker.identity import region_of, slug
from tracker.store.users import Subscription
from tracker.web.auth import Principal, read_form
from tracker.web.deps import WebState, require, state, today

router = APIRouter(include_in_schema=False)

PATH = "/my/{token}.ics"


def address(st: WebState, sub: Subscription) -> tuple[str, str]:
    """(https-or-http URL, webcal URL) of a user's own feed."""
    from tracker.web.feeds import base_url

    url = base_url(st.settings) + PATH.format(token=sub.token)
    return url, "webcal://" + url.split("://", 1)[1]


def _choose(st: WebState, form: dict[str, str]) -> tuple[str, str, str, str]:
    """(label, company, product, authority) from the form, each one a tracked value."""
    procs = st.store.procedures()
    names = {
        "company": {slug(p.company): p.company for p in procs if p.company},
        "product": {slug(p.product): p.product for p in procs if p.product},
        "agency": {p.agency: p.agency for p in procs},
    }
    picked: dict[str, str] = {}
    for part, known in names.items():
        value = form.get(part, "").strip()
        if part == "agency" and value:
            value = region_of(value.upper())  # EMA is the EU's
        if value and value not in known:
            raise TrackerError(f"{part}: '{value[:100]}' is not tracked")
        picked[part] = value
    if not any(picked.values()):
        raise TrackerError("choose a company, a product or an authority (or several)")
    label = " ".join(form.get("label", "").split())[:200] or " · ".join(
        str(names[part][v]) for part, v in picked.items() if v
    )
    return label, picked["company"], picked["product"], picked["agency"]


def _add(st: WebState, name: str, form: dict[str, str]) -> None:
    label, company, product, agency = _choose(st, form)
    st.auth.users.add_subscription(name, label, company, product, agency, clock.now())


def _page_with_error(request: Request, who: Principal, error: str, code: int) -> Response:
    from tracker.web.pages import subscribe_page

    return subscribe_page(request, who, error=error, status_code=code)


@router.post("/subscribe/mine")
async def add_mine(request: Request) -> Response:
    """Save a filter as the signed-in user's own feed (any role; CSRF)."""
    who = require(request)
    form = await read_form(request)
    st = state(request)
    st.auth.check_csrf(who, form.get("csrf"))
    try:
        await run_in_threadpool(_add, st, who.user.name, form)
    except TrackerError as e:
        return _page_with_error(request, who, str(e), 400)
    return RedirectResponse("/subscribe?saved=mine#mine", status_code=303)


@router.post("/subscribe/mine/remove")
async def remove_mine(request: Request) -> Response:
    """Remove one of the signed-in user's own feeds (CSRF); its address stops working."""
    who = require(request)
    form = await read_form(request)
    st = state(request)
    st.auth.check_csrf(who, form.get("csrf"))
    try:
        number = int(form.get("id", ""))
    except ValueError:
        return _page_with_error(request, who, "which feed? (no number given)", 400)
    try:
        await run_in_threadpool(
            st.auth.users.remove_subscription, who.user.name, number, clock.now()
        )
    except NotFoundError as e:
        return _page_with_error(request, who, str(e), 404)
    return RedirectResponse("/subscribe?saved=removed#mine", status_code=303)


def calendar(st: WebState, sub: Subscription) -> bytes:
    """The feed's calendar: what the shared feeds show (open deadlines, and those closed
    lately, marked), of the company, product and authority saved."""
    from tracker.ical import iter_calendar

    region = region_of(sub.agency) if sub.agency else None
    keep_since = clock.now() - timedelta(days=st.settings.web.retention_days)
    chosen = (
        d
        for d in st.store.iter_current_deadlines(today(st), keep_since)
        if (not sub.company or slug(d.procedure.company) == sub.company)
        and (not sub.product or slug(d.procedure.product) == sub.product)
        and (region is None or d.procedure.agency == region)
    )
    pieces = iter_calendar(
        chosen,
        name=f"Regulatory deadlines: {sub.label}",
        alarms=st.settings.reminders.days_before,
        refresh_minutes=st.settings.web.refresh_minutes,
    )
    return "".join(pieces).encode("utf-8")


# The last calendar built per feed, with the data's version it was built from: an unchanged
# feed (the usual poll) is not built again. Bounded; the oldest entries go first.
_BUILT: OrderedDict[tuple[int, str], tuple[tuple[Any, ...], bytes]] = OrderedDict()
_BUILT_MAX = 256
_built_lock = threading.Lock()


def _answer(st: WebState, token: str) -> bytes:
    """The feed's calendar (looked up by its token on every request, so a removed feed
    stops at once), built again only when the data changed."""
    sub = st.auth.users.subscription(token)
    if sub is None:
        raise HTTPException(404)
    key, version = (sub.id, token), st.feeds.version()
    with _built_lock:
        hit = _BUILT.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]
    body = calendar(st, sub)
    with _built_lock:
        _BUILT[key] = (version, body)
        _BUILT.move_to_end(key)
        while len(_BUILT) > _BUILT_MAX:
            _BUILT.popitem(last=False)
    return body


@router.api_route(PATH, methods=["GET", "HEAD"])
async def my_feed(request: Request, token: str) -> Response:
    """A user's own feed, for a calendar program (its token is the key; no session)."""
    if len(token) > 64:
        raise HTTPException(404)
    st = state(request)
    body = await run_in_threadpool(_answer, st, token)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=300"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)
