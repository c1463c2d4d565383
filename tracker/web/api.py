"""The JSON API under /api/: the feed token (`?token=` or `Authorization: Bearer`) or a
signed-in session, nothing else. A wrong token is a 404, as for feeds; no credentials at all
is a 401."""

from __future__ import annotations

import hmac
import itertools
import json
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from tracker.rules.engine import region_of
from tracker.web.deps import principal, state
from tracker.web.feeds import STATUSES, _cursor, _matches, _today


def token_or_session(request: Request, token: str | None = Query(None)) -> None:
    """Dependency: the feed token, or anyone signed in."""
    given = token
    bearer = request.headers.get("authorization", "")
    if given is None and bearer.lower().startswith("bearer "):
        given = bearer[7:].strip()
    if given is not None:
        expected: str = state(request).token
        if not hmac.compare_digest(given.encode(), expected.encode()):
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
    """Deadlines by date with filters (status list, company/product slug, authority, date
    range), `limit` at a time; a `Link: <...>; rel="next"` header points at the next page."""
    from tracker.pipeline import deadline_json

    st = state(request)
    wanted = set(status.split(",")) if status else None
    if wanted and wanted - set(STATUSES):
        raise HTTPException(400, f"unknown status {', '.join(sorted(wanted - set(STATUSES)))}")
    rows = st.store.deadline_pages(
        _today(st.settings),
        statuses=wanted,
        start=start,
        end=end,
        region=region_of(agency.upper()) if agency else None,
        after=_cursor(after),
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
        nxt = request.url.include_query_params(after=f"{last.end.isoformat()}~{last.key}")
        headers["Link"] = f'<{nxt}>; rel="next"'
    body = json.dumps([deadline_json(d) for d in picked], ensure_ascii=False)
    return Response(body, media_type="application/json", headers=headers)


@router.get("/procedures")
def api_procedures(request: Request) -> list[dict[str, Any]]:
    """Every procedure (company x product x authority)."""
    return [
        {"key": p.key, "company": p.company, "product": p.product, "agency": p.agency}
        for p in state(request).store.procedures()
    ]


@router.get("/events")
def api_events(
    request: Request, procedure: str | None = None, limit: int = Query(500, le=5000)
) -> list[dict[str, Any]]:
    """Regulatory events read from releases, newest first."""
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
def api_releases(request: Request, limit: int = Query(100, le=1000)) -> list[dict[str, Any]]:
    """The latest releases."""
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
