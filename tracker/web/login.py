"""Signing in and out: the login form strangers see, the session cookie, the limits."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from tracker import clock
from tracker.web.auth import (
    CsrfFailed,
    client_address,
    read_form,
    safe_next,
    verify_password,
)
from tracker.web.deps import principal, render, state

router = APIRouter(include_in_schema=False)


def login_page(
    request: Request, target: str = "/", message: str = "", status_code: int = 200, name: str = ""
) -> Response:
    """The sign-in form (with its CSRF pair); what a stranger gets instead of any page."""
    auth = state(request).auth
    token, cookie = auth.login_token(request)
    response = render(
        request,
        "web/login.html",
        None,
        status_code=status_code,
        token=token,
        target=safe_next(target),
        message=message,
        name=name,
        header_mode=bool(auth.header),
    )
    if cookie is not None:
        auth.set_cookie(response, auth.login_cookie, cookie, max_age=3600)
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    """The sign-in form (signed-in users go on to where they were going)."""
    if principal(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return login_page(request, next)


@router.post("/login")
async def login(request: Request) -> Response:
    """Check the name and password; start a session or say no (the same way for both)."""
    st = state(request)
    auth = st.auth
    form = await read_form(request)
    target = safe_next(form.get("next"))
    name = form.get("name", "").strip()[:100]
    try:
        auth.check_login_token(request, form.get("csrf"))
    except CsrfFailed:
        return login_page(
            request, target, "The form expired; please sign in again.", 400, name=name
        )
    address = client_address(request)
    wait = auth.limiter.wait(name, address)
    if wait:
        response = login_page(
            request, target, f"Too many failed sign-ins; try again in {wait} s.", 429, name=name
        )
        response.headers["Retry-After"] = str(wait)
        return response
    stored = await run_in_threadpool(auth.users.password_hash, name) if name else None
    ok = await run_in_threadpool(verify_password, stored, form.get("password", ""))
    user = auth.users.get(name) if ok else None
    if user is None:
        auth.limiter.failed(name, address)
        return login_page(request, target, "Unknown name or wrong password.", 401, name=name)
    auth.limiter.succeeded(name)
    cookie = await run_in_threadpool(auth.sign_in, user, clock.now())
    response = RedirectResponse(target, status_code=303)
    auth.set_cookie(
        response, auth.cookie, cookie, max_age=auth.settings.web.session_max_hours * 3600
    )
    response.delete_cookie(auth.login_cookie, path="/")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the session (the form's CSRF token must match)."""
    st = state(request)
    who = principal(request)
    form = await read_form(request)
    if who is not None:
        st.auth.check_csrf(who, form.get("csrf"))
        await run_in_threadpool(st.auth.sign_out, who)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(st.auth.cookie, path="/")
    return response
