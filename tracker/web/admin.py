"""Admins' page: the dashboard's users (add, change role, set a password, remove)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from tracker import clock
from tracker.errors import NotFoundError, TrackerError
from tracker.store.users import ROLES, Users
from tracker.web.auth import Principal, check_name, check_role, hash_password, read_form
from tracker.web.deps import render, require, state

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
    now = clock.now()
    name = check_name(form.get("name", "").strip())
    if action == "add":
        users.add(
            name, check_role(form.get("role", "")), hash_password(form.get("password", "")), now
        )
    elif action == "passwd":
        users.set_password(name, hash_password(form.get("password", "")), now)
    elif action in ("role", "remove"):
        if name == who.user.name:
            raise TrackerError("you cannot change your own role or remove yourself here")
        if users.get(name) is None:
            raise NotFoundError(f"no user '{name}'")
        if action == "role":
            users.set_role(name, check_role(form.get("role", "")), now)
        else:
            users.remove(name)
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
