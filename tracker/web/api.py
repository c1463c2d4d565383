"""The JSON API under /api/: the feed token (`?token=` or `Authorization: Bearer`) or a
signed-in session, nothing else. A wrong token is a 404, as for feeds; no credentials at all
is a 401. Every parameter is checked before anything reaches the database: a value out of
bounds, of the wrong form or holding a control character is a 422 saying which and why (in
FastAPI's shape: `{"detail": [{"loc": ["query", NAME], "msg": REASON, ...}]}`)."""

from __future__ import annotations

import itertools
import json
import re
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response

from tracker.identity import region_of, slug
from tracker.rules.schema import AGENCIES
from tracker.web.deps import principal, state
from tracker.web.feeds import STATUSES, _matches, _today

# C0 and C1 controls and DEL: never part of a name, a key or a status.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _invalid(name: str, value: object, reason: str) -> RequestValidationError:
    return RequestValidationError(
        [{"type": "value_error", "loc": ("query", name), "msg": reason, "input": value}]
    )


def _text(name: str, value: str | None, longest: int) -> str | None:
    """A text parameter: at most `longest` characters, no control character."""
    if value is None:
        return None
    if len(value) > longest:
        raise _invalid(name, value[:40] + "...", f"at most {longest} characters")
    if _CONTROL.search(value):
        raise _invalid(name, value, "must not contain control characters")
    return value


def _statuses(raw: str | None) -> set[str] | None:
    raw = _text("status", raw, 200)
    if not raw:
        return None
    wanted = {s.strip().lower() for s in raw.split(",") if s.strip()}
    unknown = wanted - set(STATUSES)
    if unknown or not wanted:
        raise _invalid(
            "status",
            raw,
            f"unknown status {', '.join(sorted(unknown)) or '(none)'}"
            f" (one or more of {', '.join(STATUSES)}, comma-separated)",
        )
    return wanted


def _region(raw: str | None) -> str | None:
    raw = _text("agency", raw, 20)
    if not raw:
        return None
    known = set(AGENCIES) | {region_of(a) for a in AGENCIES}
    if raw.upper() not in known:
        raise _invalid("agency", raw, f"unknown authority (one of {', '.join(sorted(known))})")
    return region_of(raw.upper())


def _after(raw: str | None) -> tuple[date, str] | None:
    """A page position `END~KEY`, as the Link header hands out."""
    raw = _text("after", raw, 500)
    if raw is None:
        return None
    end, sep, key = raw.partition("~")
    try:
        if not sep or not key:
            raise ValueError(raw)
        return (date.fromisoformat(end), key)
    except ValueError:
        raise _invalid("after", raw, "not a page position (END~KEY, from a Link header)") from None


def token_or_session(request: Request, token: str | None = Query(None, max_length=200)) -> None:
    """Dependency: the feed token, or anyone signed in."""
    given = token
    bearer = request.headers.get("authorization", "")
    if given is None and bearer.lower().startswith("bearer "):
        given = bearer[7:].strip()
    if given is not None:
        if not state(request).token.matches(given):
            raise HTTPException(404)
        return
    if principal(request) is None:
        raise HTTPException(
            401, "sign in or pass the feed token", headers={"WWW-Authenticate": "Bearer"}
        )


router = APIRouter(prefix="/api", dependencies=[Depends(token_or_session)])


@router.get("/deadlines")
def api_deadlines(
    request: Request,
    status: str | None = None,
    company: str | None = None,
    product: str | None = None,
    agency: str | None = None,
    start: date | None = Query(None, alias="from"),
    end: date | None = Query(None, alias="to"),
    limit: int = Query(500, ge=1, le=5000),
    after: str | None = None,
) -> Response:
    """Deadlines by date with filters (status list, company/product name or slug, authority,
    date range), `limit` (1 to 5,000) at a time; a `Link: <...>; rel="next"` header points at
    the next page, on `[web] public_url` when set (else a relative link), without the token:
    send it again as you sent it."""
    from tracker.pipeline import deadline_json

    st = state(request)
    wanted = _statuses(status)
    company = _text("company", company, 300)
    product = _text("product", product, 300)
    company, product = (slug(v) if v else None for v in (company, product))
    region = _region(agency)
    position = _after(after)
    if start is not None and end is not None and start > end:
        raise _invalid("to", end.isoformat(), "before 'from'")
    rows = st.store.deadline_pages(
        _today(st.settings),
        statuses=wanted,
        start=start,
        end=end,
        region=region,
        after=position,
        batch=min(limit + 1, 1000),
    )
    kept = (
        d
        for d in rows
        if not (company and not _matches(d, "company", company))
        and not (product and not _matches(d, "product", product))
    )
    picked = list(itertools.islice(kept, limit + 1))
    headers = {}
    if len(picked) > limit:
        picked = picked[:limit]
        last = picked[-1]
        headers["Link"] = (
            f'<{_next_page(request, f"{last.end.isoformat()}~{last.key}")}>; rel="next"'
        )
    body = json.dumps([deadline_json(d) for d in picked], ensure_ascii=False)
    return Response(body, media_type="application/json", headers=headers)


def _next_page(request: Request, after: str) -> str:
    """The next page's address: the same query with the new position and without the token,
    relative, or on `[web] public_url` when set; never from the request's Host header."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k not in ("token", "after")]
    path = f"/api/deadlines?{urlencode([*query, ('after', after)])}"
    public = state(request).settings.web.public_url.rstrip("/")
    return public + path if public else path


@router.get("/procedures")
def api_procedures(request: Request) -> list[dict[str, Any]]:
    """Every procedure (company x product x authority)."""
    return [
        {"key": p.key, "company": p.company, "product": p.product, "agency": p.agency}
        for p in state(request).store.procedures()
    ]


@router.get("/events")
def api_events(
    request: Request, procedure: str | None = None, limit: int = Query(500, ge=1, le=5000)
) -> list[dict[str, Any]]:
    """Regulatory events read from releases, newest first (`limit`, 1 to 5,000), of one
    procedure (its key) or all."""
    procedure = _text("procedure", procedure, 400)
    return [
        {
            "procedure": e.procedure_key,
            "type": e.type,
            "agency": e.agency,
            "outcome": e.outcome,
            "detail": e.detail,
            "product": e.product,
            "date": e.date.isoformat() if e.date else None,
            "evidence": e.evidence,
        }
        for e in state(request).store.events(procedure, limit)
    ]


@router.get("/releases")
def api_releases(request: Request, limit: int = Query(100, ge=1, le=1000)) -> list[dict[str, Any]]:
    """The latest releases (`limit`, 1 to 1,000)."""
    return [
        {
            "id": r.id,
            "name": r.name,
            "title": r.title,
            "company": r.company,
            "ticker": r.ticker,
            "date": r.release_date.isoformat() if r.release_date else None,
        }
        for r in state(request).store.releases(limit)
    ]
