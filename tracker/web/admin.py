"""Admins' pages and changes: the dashboard's users (add, change role, set a password,
remove), retrying a quarantined item, replacing the feed token. Each change is in the audit
log with the signed-in admin."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from tracker import cases, clock
from tracker.errors import NotFoundError, TrackerError
from tracker.store.users import ROLES, Users
from tracker.web.auth import Principal, check_name, check_role, hash_password, read_form
from tracker.web.deps import WebState, link, render, require, state

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)


def users_page(
    request: Request, who: Principal, error: str = "", saved: str = "", code: int = 200
) -> Response:
    """The list of users with the admin forms."""
    return render(
        request,
        "web/users.html",
        who,
        status_code=code,
        users=state(request).auth.users.all(),
        roles=ROLES,
        error=error,
        saved=saved,
    )


@router.get("/users")
def users(request: Request, saved: str = "") -> Response:
    """Admins only."""
    return users_page(request, require(request, "admin"), saved=saved)


def _change(users: Users, action: str, form: dict[str, str], who: Principal) -> str:
    now, by = clock.now(), who.user.name
    name = check_name(form.get("name", "").strip())
    if action == "add":
        role = check_role(form.get("role", ""))
        users.add(name, role, hash_password(form.get("password", "")), now, by=by)
    elif action == "passwd":
        users.set_password(name, hash_password(form.get("password", "")), now, by=by)
    elif action in ("role", "remove"):
        if name == who.user.name:
            raise TrackerError("you cannot change your own role or remove yourself here")
        if users.get(name) is None:
            raise NotFoundError(f"no user '{name}'")
        if action == "role":
            users.set_role(name, check_role(form.get("role", "")), now, by=by)
        else:
            users.remove(name, now, by=by)
    else:
        raise NotFoundError(f"no such change: {action}")
    logger.info("user %s: %s by %s", name, action, who.user.name)
    return name


@router.post("/users/{action}")
async def change_user(request: Request, action: str) -> Response:
    """Add a user, change a role, set a password or remove a user (admin, CSRF)."""
    who = require(request, "admin")
    form = await read_form(request)
    st = state(request)
    st.auth.check_csrf(who, form.get("csrf"))
    try:
        await run_in_threadpool(_change, st.auth.users, action, form, who)
    except TrackerError as e:
        return users_page(
            request, who, error=str(e), code=404 if isinstance(e, NotFoundError) else 400
        )
    return RedirectResponse(f"/users?saved={action}", status_code=303)


# Sources and the feed token


def _retry(st: WebState, item: str, who: str) -> None:
    """`tracker sources retry` (the same function), in a thread: it reads the item now."""
    cases.retry_item(st.context(), item, who, clock.now())


@router.post("/sources/retry")
async def retry(request: Request) -> Response:
    """Give a quarantined item back to its source and read it now (admin, CSRF)."""
    from tracker.web.pages import sources_page

    who = require(request, "admin")
    form = await read_form(request)
    st = state(request)
    st.auth.check_csrf(who, form.get("csrf"))
    item = form.get("item", "").strip()[:400]
    try:
        await run_in_threadpool(_retry, st, item, who.user.name)
    except TrackerError as e:
        code = 404 if isinstance(e, NotFoundError) else 400
        return sources_page(request, who, error=str(e), status_code=code)
    st.feeds.invalidate()  # what it brought shows in the feeds at once
    return RedirectResponse(link("/sources", retried=item), status_code=303)


def _rotate(st: WebState, who: str) -> None:
    """`tracker feeds rotate` (the same function); this server refuses the old token now."""
    cases.rotate_feed_token(st.context(), who, clock.now())
    st.token.refresh()


@router.post("/subscribe/rotate")
async def rotate(request: Request) -> Response:
    """Replace the feed (and API) token: every old link stops working (admin, CSRF)."""
    who = require(request, "admin")
    form = await read_form(request)
    st = state(request)
    st.auth.check_csrf(who, form.get("csrf"))
    await run_in_threadpool(_rotate, st, who.user.name)
    return RedirectResponse("/subscribe?saved=rotate", status_code=303)
