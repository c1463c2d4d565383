"""Editors' changes from the browser: facts, hand-set dates, done/dismissed, notes, another
name (alias) for a procedure's product, and merging two procedures.

Each form posts here with its CSRF token; the change goes through `tracker.cases` (the one
service layer the CLI uses too: it validates, re-derives the deadlines and writes the audit
entry with the signed-in user). A refused change shows the procedure page again with the
reason (400, or 404 for something that does not exist).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from tracker import clock
from tracker.errors import NotFoundError, TrackerError
from tracker.web.auth import read_form
from tracker.web.deps import require, state

router = APIRouter(include_in_schema=False)


def _date(form: dict[str, str], name: str) -> date:
    """A required date field."""
    value = _maybe_date(form, name, required=True)
    assert value is not None
    return value


def _maybe_date(form: dict[str, str], name: str, required: bool = False) -> date | None:
    raw = form.get(name, "").strip()
    if not raw:
        if required:
            raise TrackerError(f"{name.replace('_', ' ')}: a date is needed (YYYY-MM-DD)")
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise TrackerError(
            f"{name.replace('_', ' ')}: '{raw}' is not a date (YYYY-MM-DD)"
        ) from None


def _text(form: dict[str, str], name: str) -> str:
    value = form.get(name, "").strip()
    if not value:
        raise TrackerError(f"{name}: this field is needed")
    return value


def _note(form: dict[str, str]) -> str | None:
    return form.get("note", "").strip()[:2000] or None


def _apply(ctx: Any, action: str, form: dict[str, str], who: str) -> str:
    """Run one change through `tracker.cases`; returns the procedure key to go back to."""
    from tracker import cases

    now = clock.now()
    if action in ("fact-set", "fact-unset", "note", "alias", "merge"):
        proc = _text(form, "procedure")
        if action == "fact-set":
            cases.set_fact(ctx, proc, _text(form, "name"), _date(form, "value"), who, now)
        elif action == "fact-unset":
            cases.unset_fact(ctx, proc, _text(form, "name"), who, now)
        elif action == "alias":
            cases.add_alias(ctx, proc, _text(form, "alias"), who, now)
        elif action == "merge":
            # The other procedure joins this one (the page the form is on).
            cases.merge_procedures(ctx, proc, _text(form, "other"), who, now)
        else:
            cases.add_note(ctx, proc, _text(form, "text")[:4000], who, now)
        return proc
    key = _text(form, "deadline")
    found = ctx.store.deadline(key)
    if found is None:
        raise NotFoundError(f"no deadline with key '{key}'")
    if action == "date-set":
        start = _date(form, "start")
        end = _maybe_date(form, "end") or start
        cases.set_date(ctx, key, start, end, who, now, note=_note(form))
    elif action == "date-unset":
        cases.unset_date(ctx, key, who, now)
    elif action == "close":
        how = form.get("how", "")
        if how not in ("done", "dismissed"):
            raise TrackerError("close: choose done or dismissed")
        cases.close(ctx, key, how, who, now, note=_note(form))
    elif action == "reopen":
        cases.reopen(ctx, key, who, now)
    return str(found.procedure.key)


ACTIONS = (
    "fact-set",
    "fact-unset",
    "date-set",
    "date-unset",
    "close",
    "reopen",
    "note",
    "alias",
    "merge",
)


@router.post("/actions/{action}")
async def act(request: Request, action: str) -> Response:
    """One editor's change (editor role and CSRF token required)."""
    from tracker.web.pages import procedure_page

    who = require(request, "editor")
    form = await read_form(request)
    st = state(request)
    st.auth.check_csrf(who, form.get("csrf"))
    if action not in ACTIONS:
        return Response("not found", status_code=404, media_type="text/plain")
    try:
        ctx = st.context()
        proc = await run_in_threadpool(_apply, ctx, action, form, who.user.name)
    except TrackerError as e:
        back = form.get("procedure") or _procedure_of(st, form.get("deadline", ""))
        code = 404 if isinstance(e, NotFoundError) else 400
        if back and st.store.procedure(back) is not None:
            return procedure_page(request, back, who, error=str(e), status_code=code)
        return Response(str(e), status_code=code, media_type="text/plain")
    st.feeds.invalidate()  # feeds show the change at once
    return RedirectResponse(f"/procedures/{proc}?saved={action}", status_code=303)


def _procedure_of(st: Any, deadline_key: str) -> str:
    d = st.store.deadline(deadline_key) if deadline_key else None
    return str(d.procedure.key) if d else ""
