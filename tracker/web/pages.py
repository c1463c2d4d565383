"""The dashboard's pages, for signed-in users: Upcoming, Timeline, Procedures, a procedure's
story, a release, Subscribe, Sources, the audit log. Every page reads through the store;
nothing here writes (editors' changes are in `actions.py`)."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup, escape

from tracker.domain import Deadline, Procedure
from tracker.errors import TrackerError
from tracker.rules.engine import region_of, slug
from tracker.store.dashboard import DeadlineQuery
from tracker.web.auth import Principal
from tracker.web.deps import principal, render, state, today, viewer
from tracker.web.feeds import STATUSES, _cursor, feed_urls
from tracker.web.timeline import Strip, add_months, render_svg

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
# A search that matches little stops after reading this many deadlines (and says so).
SCAN_LIMIT = 20_000
BASES = {"stated": "stated in a release", "rule": "computed by a rule", "hand": "set by hand"}
FACTS = ("receipt", "filing_date", "submission")


def hand_set(d: Deadline) -> bool:
    """True for a deadline whose date a person set."""
    return bool(getattr(d, "hand_set", None)) or d.basis in ("manual", "hand")


def hand_set_text(d: Deadline) -> str:
    """'set by hand by NAME on DATE: note', or '' when the date is computed."""
    return str(getattr(d, "hand_set", None) or "")


def closed_text(d: Deadline) -> str:
    """'done by NAME on DATE: note' (or dismissed), or '' when nobody closed it."""
    return str(getattr(d, "closed_by", None) or "")


def basis_of(d: Deadline) -> str:
    """stated, rule or hand."""
    return "hand" if hand_set(d) else d.basis


def when(d: Any) -> str:
    """'Mon 19 May 2008' or '1 Jul 2008 – 30 Sep 2008'."""
    if d.start == d.end:
        return _day(d.end)
    return f"{_day(d.start)} – {_day(d.end)}"


def _day(d: date) -> str:
    return d.strftime("%a %d %b %Y").replace(" 0", " ")


def days_left(d: Deadline, now: date) -> str:
    """'in 12 days', 'today', '3 days ago', or for a window 'opens in 5 days'."""
    if d.start > now and d.start != d.end:
        return f"opens in {_days((d.start - now).days)}, closes in {_days((d.end - now).days)}"
    n = (d.end - now).days
    if n == 0:
        return "today"
    return f"in {_days(n)}" if n > 0 else f"{_days(-n)} ago"


def _days(n: int) -> str:
    return f"{n} day" + ("" if n == 1 else "s")


def overdue(d: Deadline, now: date) -> bool:
    """Past its date and nobody said it was met, done or dismissed."""
    return d.end < now and d.status in ("open", "passed")


@dataclass(frozen=True)
class Filters:
    """The Upcoming and Timeline filters, as given in the query."""

    company: str = ""
    product: str = ""
    agency: str = ""
    status: str = ""
    basis: str = ""
    precision: str = ""
    q: str = ""

    def statuses(self) -> list[str] | None:
        """Statuses to read (open by default; 'all' for every one)."""
        if self.status == "all":
            return None
        return [self.status] if self.status in STATUSES else ["open"]

    def region(self) -> str | None:
        """The authority's region, when one is chosen."""
        return region_of(self.agency.upper()) if self.agency else None

    def mismatch(self, name: str, have: str) -> bool:
        """True when the filter `name` is set, to something other than `have`."""
        want: str = getattr(self, name)
        return bool(want) and want != have

    def takes(self, p: Procedure) -> bool:
        """True when the procedure's company and product pass the filters."""
        return not (
            self.mismatch("company", slug(p.company or ""))
            or self.mismatch("product", slug(p.product or ""))
        )

    def keeps(self, d: Deadline) -> bool:
        """True when `d` passes every filter (the ones the query does not apply)."""
        if (
            not self.takes(d.procedure)
            or self.mismatch("basis", basis_of(d))
            or self.mismatch("precision", "estimate" if d.estimate else "exact")
        ):
            return False
        if self.q:
            p = d.procedure
            hay = " ".join(
                [d.title, d.evidence, p.company or "", p.product or "", p.key, d.rule or ""]
            )
            return self.q.casefold() in hay.casefold()
        return True

    def query(self) -> dict[str, str]:
        """The filters as query parameters (empty ones left out by `link`)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


# The values each filter with a fixed set of choices takes ("" is always taken: any).
CHOICES = {
    "status": (*STATUSES, "all"),
    "basis": tuple(BASES),
    "precision": ("exact", "estimate"),
}


def _one_of(name: str, value: str) -> str:
    """`value` when the filter `name` takes it; else a 400 naming both."""
    if value and value not in CHOICES[name]:
        raise HTTPException(400, f"unknown {name} {value}")
    return value


def _filters(
    company: str = "",
    product: str = "",
    agency: str = "",
    status: str = "",
    basis: str = "",
    precision: str = "",
    q: str = "",
) -> Filters:
    return Filters(
        company,
        product,
        agency.upper(),
        _one_of("status", status),
        _one_of("basis", basis),
        _one_of("precision", precision),
        q.strip()[:200],
    )


def _choices(request: Request) -> dict[str, list[tuple[str, str]]]:
    procs = state(request).store.procedures()
    return {
        "companies": sorted({(slug(p.company), p.company) for p in procs if p.company}),
        "products": sorted({(slug(p.product), p.product) for p in procs if p.product}),
        "agencies": sorted({(p.agency, p.agency) for p in procs}),
        "statuses": [(s, s) for s in STATUSES] + [("all", "any status")],
        "bases": list(BASES.items()),
    }


@router.get("/")
def home(request: Request) -> Response:
    """Strangers get the sign-in form; signed-in users the upcoming deadlines."""
    if principal(request) is None:
        from tracker.web.login import login_page

        return login_page(request, "/upcoming")
    return RedirectResponse("/upcoming", status_code=303)


def _query(request: Request, f: Filters, start: date) -> DeadlineQuery:
    """The filters as a query the database answers (a company or product is the keys of its
    procedures)."""
    keys = None
    if f.company or f.product:
        keys = [p.key for p in state(request).store.procedures() if f.takes(p)]
    return DeadlineQuery(
        statuses=f.statuses(),
        start=start,
        region=f.region(),
        procedure_keys=keys,
        basis=f.basis,
        estimate={"estimate": True, "exact": False}.get(f.precision),
        text=f.q,
    )


@router.get("/upcoming")
def upcoming(
    request: Request,
    who: Principal = Depends(viewer),
    f: Filters = Depends(_filters),
    after: str | None = None,
) -> Response:
    """Deadlines from today on, filtered, searched, a page at a time; overdue ones on top."""
    st = state(request)
    now = today(st)
    picked = st.dashboard.find_deadlines(
        _query(request, f, now), now, _cursor(after), PAGE_SIZE + 1
    )
    more = len(picked) > PAGE_SIZE
    picked = picked[:PAGE_SIZE]
    capped = False
    late: list[Deadline] = []
    if after is None and f.status in ("", "open", "passed", "all"):
        past = replace(
            _query(request, f, now - timedelta(days=366)),
            statuses=("open", "passed"),
            end_before=now,
        )
        late = st.dashboard.find_deadlines(past, None, None, 200)
    nxt = None
    if more and picked:
        last = picked[-1]
        nxt = f"{last.end.isoformat()}~{last.key}"
    return render(
        request,
        "web/upcoming.html",
        who,
        rows=picked,
        late=late,
        f=f,
        choices=_choices(request),
        next_after=nxt,
        first_page=after is not None,
        capped=capped,
        today=now,
        when=when,
        days_left=days_left,
        basis_of=basis_of,
        overdue=overdue,
    )


@router.get("/procedures")
def procedures(request: Request, who: Principal = Depends(viewer), q: str = "") -> Response:
    """Every procedure, with a search."""
    procs = state(request).store.procedures()
    if q:
        needle = q.casefold()
        procs = [
            p
            for p in procs
            if needle in " ".join([p.key, p.company or "", p.product or "", p.agency]).casefold()
        ]
    return render(request, "web/procedures.html", who, procs=procs, q=q)


def _release_ref(r: Any) -> str:
    return str(r.url or r.name)


@router.get("/procedures/{key:path}")
def procedure(
    request: Request, key: str, who: Principal = Depends(viewer), saved: str = ""
) -> Response:
    """A procedure's story: releases in order with their events and deadlines, each
    deadline's computation and history, facts, notes, and editors' forms."""
    return procedure_page(request, key, who, saved=saved)


def procedure_page(
    request: Request,
    key: str,
    who: Principal,
    error: str = "",
    status_code: int = 200,
    saved: str = "",
) -> Response:
    """The procedure page, also shown again with an error when an editor's change fails."""
    st = state(request)
    proc = st.store.procedure(key)
    if proc is None:
        merge = st.store.merge_of(key)
        if merge is not None:  # an old link to a merged procedure: the one it joined
            return RedirectResponse(f"/procedures/{merge.into}", status_code=303)
        raise HTTPException(404)
    now = today(st)
    deadlines = st.store.deadlines(include_all=True, procedure_key=key)
    releases = st.dashboard.procedure_releases(key)
    events = st.dashboard.events(procedure_key=key)
    timelines = st.dashboard.timelines(procedure_key=key)
    by_release: dict[int, dict[str, list[Any]]] = defaultdict(
        lambda: {"events": [], "timelines": [], "deadlines": []}
    )
    for e in events:
        by_release[e.release_id]["events"].append(e)
    for t in timelines:
        by_release[t.release_id]["timelines"].append(t)
    ref_to_id = {_release_ref(r): r.id for r in releases}
    for d in deadlines:
        rid = ref_to_id.get(d.release_ref or "")
        if rid is not None:
            by_release[rid]["deadlines"].append(d)
    histories = {d.key: st.store.history(d.key) for d in deadlines}
    notes_of = getattr(st.store, "procedure_notes", None)
    notes = notes_of(key) if notes_of else []
    dated = [e.date for e in events if e.date] + [d.start for d in deadlines]
    dated += [d.end for d in deadlines]
    svg = None
    if dated:
        start = add_months(min(dated), -1)
        end = add_months(max(dated), 2) - timedelta(days=1)
        strip = Strip(
            _label(proc),
            f"/procedures/{key}",
            tuple((e.date, _event_text(e)) for e in events if e.date),
            tuple(deadlines),
        )
        svg = render_svg([strip], start, end, now)
    return render(
        request,
        "web/procedure.html",
        who,
        status_code=status_code,
        proc=proc,
        deadlines=deadlines,
        releases=releases,
        by_release=by_release,
        histories=histories,
        facts=st.dashboard.facts(key),
        fact_names=FACTS,
        notes=notes,
        svg=svg,
        today=now,
        when=when,
        days_left=days_left,
        basis_of=basis_of,
        overdue=overdue,
        error=error,
        saved=saved,
        editor=who.user.may("editor"),
        names=st.dashboard.product_names(proc),
        merge_choices=[
            p for p in st.store.procedures() if p.agency == proc.agency and p.key != proc.key
        ],
        hand_set_text=hand_set_text,
        closed_text=closed_text,
    )


def _label(p: Any) -> str:
    return " · ".join(x for x in (p.product, p.company, p.agency) if x)


def _event_text(e: Any) -> str:
    return " ".join(x for x in (e.agency, e.type.replace("_", " "), e.outcome or "") if x)


@router.get("/timeline")
def timeline(
    request: Request,
    who: Principal = Depends(viewer),
    f: Filters = Depends(_filters),
    start: str = Query("", alias="from"),
    months: int = Query(12, ge=1, le=36),
    page: int = Query(1, ge=1),
) -> Response:
    """Per procedure, a strip of its events and deadlines across the months shown."""
    st = state(request)
    now = today(st)
    try:
        first = date.fromisoformat(start + "-01") if start else add_months(now, -2)
    except ValueError:
        raise HTTPException(400, f"'from' is a month (YYYY-MM): {start}") from None
    last = add_months(first, months) - timedelta(days=1)
    rows = st.store.deadline_pages(
        None, statuses=f.statuses(), start=first, end=last, region=f.region(), batch=1000
    )
    per: dict[str, list[Deadline]] = defaultdict(list)
    for d in itertools.islice(rows, SCAN_LIMIT):
        if f.keeps(d):
            per[d.procedure.key].append(d)
    keys = sorted(per, key=lambda k: (min(d.end for d in per[k]), k))
    size = 25
    shown = keys[(page - 1) * size : page * size]
    strips = []
    for k in shown:
        proc = per[k][0].procedure
        evs = st.dashboard.events(procedure_key=k)
        strips.append(
            Strip(
                _label(proc),
                f"/procedures/{k}",
                tuple((e.date, _event_text(e)) for e in evs if e.date),
                tuple(per[k]),
            )
        )
    return render(
        request,
        "web/timeline.html",
        who,
        svg=render_svg(strips, first, last, now) if strips else None,
        f=f,
        choices=_choices(request),
        start=first.strftime("%Y-%m"),
        months=months,
        earlier=add_months(first, -months).strftime("%Y-%m"),
        later=add_months(first, months).strftime("%Y-%m"),
        page=page,
        pages=max(1, -(-len(keys) // size)),
        count=len(keys),
    )


def highlight(text: str, marks: list[tuple[str, str]]) -> Markup:
    """`text` escaped, with each (phrase, kind) found in it wrapped in <mark class=kind>."""
    spans: list[tuple[int, int, str]] = []
    low = text.casefold()
    for phrase, kind in marks:
        if not phrase.strip():
            continue
        at = low.find(phrase.casefold())
        while at >= 0:
            end = at + len(phrase)
            if all(end <= s or at >= e for s, e, _k in spans):
                spans.append((at, end, kind))
            at = low.find(phrase.casefold(), end)
    out, pos = [], 0
    for s, e, kind in sorted(spans):
        out.append(str(escape(text[pos:s])))
        out.append(f'<mark class="{escape(kind)}">{escape(text[s:e])}</mark>')
        pos = e
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def whole_text(body: str, sentences: list[dict[str, Any]]) -> Markup:
    """The release's whole text, escaped, each sentence the tracker read in it wrapped in a
    <span class=read> (linked to its item in the list) with its own marks highlighted.

    A sentence is found from where the previous one ended (whitespace may differ: evidence
    is normalised), then anywhere; one not found is only in the list below the text."""
    out, pos = [], 0
    found: list[tuple[int, int, dict[str, Any]]] = []
    for s in sentences:
        words = s["text"].split()
        if not words:
            continue
        pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
        hit = pattern.search(body, pos) or pattern.search(body)
        if hit and all(hit.end() <= a or hit.start() >= b for a, b, _s in found):
            found.append((hit.start(), hit.end(), s))
            pos = hit.end()
    pos = 0
    for a, b, s in sorted(found, key=lambda f: f[0]):
        out.append(str(escape(body[pos:a])))
        out.append(
            f'<span class="read" id="t-{s["index"]}">{highlight(body[a:b], s["marks"])}'
            f'<a class="to-item" href="#s-{s["index"]}" aria-label="what was read in sentence '
            f'{s["index"]}">[{s["index"]}]</a></span>'
        )
        pos = b
    out.append(str(escape(body[pos:])))
    return Markup("".join(out))


_MONTHS = "January February March April May June July August September October November December"


def date_phrases(d: date) -> list[str]:
    """How a release may write a date: 'March 20, 2008', '20 March 2008', '2008-03-20'."""
    month = _MONTHS.split()[d.month - 1]
    return [f"{month} {d.day}, {d.year}", f"{d.day} {month} {d.year}", d.isoformat()]


@router.get("/releases/{release_id}")
def release(request: Request, release_id: int, who: Principal = Depends(viewer)) -> Response:
    """What the tracker read in one release: its sentences with the dates, events and
    deadlines highlighted, where it was seen and when it was read."""
    st = state(request)
    r = st.dashboard.release(release_id)
    if r is None:
        raise HTTPException(404)
    events = st.dashboard.events(release_id=release_id)
    timelines = st.dashboard.timelines(release_id=release_id)
    sentences: dict[int, dict[str, Any]] = {}
    for e in events:
        s = sentences.setdefault(e.sentence, {"text": e.evidence, "marks": [], "items": []})
        if e.date:
            s["marks"] += [(p, "date") for p in date_phrases(e.date)]
        if e.product:
            s["marks"].append((e.product, "product"))
        s["items"].append(("event", _event_text(e) + (f" on {e.date}" if e.date else "")))
    for t in timelines:
        s = sentences.setdefault(t.sentence, {"text": t.evidence, "marks": [], "items": []})
        s["marks"].insert(0, (t.expression, "deadline"))
        span = t.end.isoformat() if t.start == t.end else f"{t.start} to {t.end}"
        s["items"].append(("deadline", f"{t.milestone.replace('-', ' ')}: {span}"))
    shown = [
        {**s, "html": highlight(s["text"], s["marks"]), "index": i}
        for i, s in sorted(sentences.items())
    ]
    body = st.dashboard.release_text(release_id)
    keys = st.dashboard.release_procedures(release_id)
    ref = _release_ref(r)
    made = [
        d
        for k in keys
        for d in st.store.deadlines(include_all=True, procedure_key=k)
        if d.release_ref == ref
    ]
    return render(
        request,
        "web/release.html",
        who,
        r=r,
        sentences=shown,
        body=whole_text(body, shown) if body else None,
        sightings=st.dashboard.sightings(release_id),
        procedures=[st.store.procedure(k) for k in keys],
        made=made,
        when=when,
    )


@router.get("/subscribe")
def subscribe(request: Request, who: Principal = Depends(viewer), saved: str = "") -> Response:
    """webcal and https links for the whole calendar and for each filter, the user's own
    feeds (and, for admins, the button that replaces the token)."""
    return subscribe_page(request, who, saved=saved)


def subscribe_page(
    request: Request, who: Principal, error: str = "", status_code: int = 200, saved: str = ""
) -> Response:
    """The Subscribe page, also shown again with the reason when a change is refused."""
    from tracker.web.subscriptions import address

    st = state(request)
    mine = [(sub, *address(st, sub)) for sub in st.auth.users.subscriptions(who.user.name)]
    return render(
        request,
        "web/subscribe.html",
        who,
        status_code=status_code,
        feeds=feed_urls(st.settings, st.store),
        mine=mine,
        choices=_choices(request),
        admin=who.user.may("admin"),
        saved=saved,
        error=error,
    )


@router.get("/sources")
def sources(request: Request, who: Principal = Depends(viewer), retried: str = "") -> Response:
    """Each source's last run and counters, and the quarantined items with their reasons
    (with a retry button for admins)."""
    return sources_page(request, who, retried=retried[:400])


def sources_page(
    request: Request, who: Principal, error: str = "", status_code: int = 200, retried: str = ""
) -> Response:
    """The sources page, also shown again with the reason when a retry is refused."""
    from tracker.sources import configured_sources

    st = state(request)
    rows, problem = [], ""
    try:
        for source, seconds in configured_sources(st.settings):
            rows.append((source, seconds, st.store.source_state(source.id)))
    except TrackerError as e:
        problem = str(e)
    quarantined = st.store.quarantined()
    # After a retry: did the item fail again? (Said from the data, not from the link.)
    again = [q for q in quarantined if f"{q.source_id}:{q.external_id}" == retried]
    return render(
        request,
        "web/sources.html",
        who,
        status_code=status_code,
        rows=rows,
        problem=problem,
        error=error,
        retried=retried,
        failed_again=again[0].reason if again else "",
        quarantined=quarantined[:200],
        unmatched=_unmatched(st.store),
        unread=_unread(st.store),
        admin=who.user.may("admin"),
    )


def _unmatched(store: Any) -> list[Any]:
    """Agency items (CHMP highlights) no tracked procedure took, with the reason."""
    from tracker.store.agency import unmatched

    with store.session() as session:
        return unmatched(session)[:200]


def _unread(store: Any) -> list[Any]:
    """Releases stored unread (a language the reader does not read), newest first."""
    from tracker.store.unread import unread

    with store.session() as session:
        return unread(session, 200)


# The audit log


def _audit_rows(
    request: Request, procedure: str, who_name: str, limit: int, before: int | None
) -> list[Any] | None:
    reader = getattr(state(request).store, "audit_entries", None)
    if reader is None:
        return None
    return list(
        reader(procedure_key=procedure or None, who=who_name or None, limit=limit, before_id=before)
    )


@router.get("/audit")
def audit(
    request: Request,
    who: Principal = Depends(viewer),
    procedure: str = "",
    by: str = "",
    before: int | None = None,
) -> Response:
    """Who changed what, newest first, filterable, a page at a time."""
    rows = _audit_rows(request, procedure, by, PAGE_SIZE + 1, before)
    more = rows is not None and len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE] if rows else rows
    return render(
        request,
        "web/audit.html",
        who,
        rows=rows,
        procedure=procedure,
        by=by,
        next_before=rows[-1].id if more and rows else None,
        first_page=before is not None,
    )


_FORMULA = re.compile(r"^[=+\-@\t\r]")


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if _FORMULA.match(text) else text


@router.get("/audit.csv")
def audit_csv(
    request: Request, who: Principal = Depends(viewer), procedure: str = "", by: str = ""
) -> Response:
    """The audit log (with the same filters) as CSV, newest first, at most 10,000 rows."""
    import csv
    import io

    rows = _audit_rows(request, procedure, by, 10_000, None)
    if rows is None:
        raise HTTPException(404)
    out = io.StringIO()
    fields = ("id", "at", "who", "action", "procedure_key", "target", "before", "after", "note")
    writer = csv.writer(out)
    writer.writerow(fields)
    for r in rows:
        writer.writerow([_cell(getattr(r, name, None)) for name in fields])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )
