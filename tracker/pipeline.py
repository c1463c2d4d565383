"""The orchestration the daemon's jobs and the CLI share; each step returns a small report."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from time import monotonic
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from tracker.domain import (
    Deadline,
    Derivation,
    Event,
    Extraction,
    Procedure,
    ProcedureState,
    RawItem,
    Sourced,
    Timeline,
)
from tracker.errors import ConfigError, ExtractError, SourceError, TrackerError
from tracker.identity import AliasGroup, Naming, region_of
from tracker.rules.engine import derive
from tracker.rules.schema import INTERNAL_EVENT_TYPES, Pack
from tracker.settings import Settings
from tracker.sources.folder import SUFFIXES

if TYPE_CHECKING:
    from tracker.sources.base import Source
    from tracker.store import Store
    from tracker.store.messages import MessageResult
    from tracker.store.releases import Reading

logger = logging.getLogger(__name__)


@dataclass
class Context:
    """What every pipeline step needs: settings, the store and the loaded rule packs."""

    settings: Settings
    store: Store
    packs: list[Pack]

    def folder(self, name: str) -> Path:
        """A folder under the data home, created on demand."""
        path = self.settings.home / name
        path.mkdir(parents=True, exist_ok=True)
        return path


@dataclass
class IngestReport:
    """What one ingest run did."""

    new: int = 0
    duplicate: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    skipped: bool = False
    left: int = 0  # items left for the next start (a stop was asked for)
    errors: list[str] = field(default_factory=list)

    def record(self, outcome: str, error: str | None = None) -> None:
        """Count one item's outcome."""
        setattr(self, outcome, getattr(self, outcome) + 1)
        if error:
            self.errors.append(error)

    def summary(self) -> str:
        """One log line."""
        if self.skipped:
            return "skipped (backing off, or polled by another daemon)"
        return (
            f"new={self.new} changed={self.changed} duplicate={self.duplicate} "
            f"unchanged={self.unchanged} failed={self.failed}"
        ) + (f" left={self.left} (stopping)" if self.left else "")


# --- reading ------------------------------------------------------------------------------------


def group_by_procedure(
    x: Extraction, naming: Naming | None = None
) -> dict[Procedure, tuple[list[Event], list[Timeline]]]:
    """Attach a release's events and timelines to procedures (product x agency region); the
    company and product are the names they stand for (`naming`: known and configured
    aliases, merges; without it, the release's own aliases only)."""
    regions = Counter(region_of(e.agency) for e in x.events)
    regions.update(region_of(t.agency) for t in x.timelines if t.agency)
    if not regions and not x.timelines:
        return {}
    # A release that names no agency keeps its stated timelines, under an unknown agency.
    primary = regions.most_common(1)[0][0] if regions else region_of("OTHER")
    groups: dict[str, tuple[list[Event], list[Timeline]]] = {}
    for e in x.events:
        groups.setdefault(region_of(e.agency), ([], []))[0].append(e)
    for t in x.timelines:
        groups.setdefault(region_of(t.agency) if t.agency else primary, ([], []))[1].append(t)
    naming = naming or Naming()
    names = naming.resolve(x.release.company, x.release.product, x.aliases)
    out = {}
    for region, content in groups.items():
        agency = "EMA" if region == "EU" else region
        out[naming.procedure(names.company, names.product, agency)] = content
    return out


def alias_groups(settings: Settings) -> tuple[AliasGroup, ...]:
    """The configured `[[aliases]]`."""
    return tuple(AliasGroup(a.company, a.product, tuple(a.names)) for a in settings.aliases)


def naming_for(ctx: Context, x: Extraction, session: Any = None) -> Naming:
    """What a release's names stand for: the configured aliases, and what the store knows of
    the names it gives (a few indexed look-ups, whatever the history)."""
    configured = alias_groups(ctx.settings)
    companies, products = Naming(configured).wanted(x.release.company, x.release.product, x.aliases)
    return Naming(configured, ctx.store.known_names(companies, products, session=session))


def extraction_derivations(x: Extraction, packs: list[Pack], today: date) -> list[Derivation]:
    """The deadlines one release implies on its own (what `tracker extract` shows)."""
    out: list[Derivation] = []
    ref = x.release.date or x.reference or today
    for proc, (events, timelines) in group_by_procedure(x).items():
        state = ProcedureState(
            proc,
            [Sourced(e, ref, x.source) for e in events],
            [Sourced(t, ref, x.source) for t in timelines],
        )
        out.extend(derive(state, packs, today))
    return sorted(out, key=lambda d: (d.end, d.key))


def contract_line(
    source: str,
    x: Extraction | None,
    packs: list[Pack],
    as_of: date | None = None,
    error: str | None = None,
    explain: bool = False,
) -> dict[str, Any]:
    """One line of `tracker extract --format jsonl` (see CONTRACT.md); with `explain`, each
    event and deadline also says what read it (`explain`: lexicon row, words, steps)."""
    if x is None:
        return {
            "source": source,
            "error": error or "unreadable",
            "release": {"date": None, "company": None, "ticker": None, "title": None},
            "events": [],
            "deadlines": [],
        }
    r = x.release
    line: dict[str, Any] = {
        "source": source,
        "release": {
            "date": _iso(r.date),
            "company": r.company,
            "ticker": r.ticker,
            "title": r.title,
        },
        "events": [
            {
                "type": e.type,
                "agency": e.agency,
                "outcome": e.outcome,
                "product": e.product,
                "date": _iso(e.date),
                "evidence": e.evidence,
                "detail": e.detail,
                **({"explain": e.why} if explain else {}),
            }
            for e in x.events
            if e.type not in INTERNAL_EVENT_TYPES
        ],
        "deadlines": [],
    }
    read_as_of = r.date or x.reference
    if read_as_of is not None:
        today = as_of or read_as_of
        line["deadlines"] = [
            {
                **derivation_json(d),
                **({"explain": [f"{st.label}: {st.text}" for st in d.steps]} if explain else {}),
            }
            for d in extraction_derivations(x, packs, today)
        ]
    if x.warnings:
        line["warnings"] = list(x.warnings)
    return line


def derivation_json(d: Derivation | Deadline) -> dict[str, Any]:
    """A deadline as CONTRACT.md's deadline object (what `tracker extract` prints)."""
    return {
        "key": d.key,
        "title": d.title,
        "start": d.start.isoformat(),
        "end": d.end.isoformat(),
        "basis": d.basis,
        "rule": d.rule,
        "evidence": d.evidence,
        "status": d.status,
        "assumptions": list(d.assumptions),
        "estimate": d.estimate,
    }


def deadline_json(d: Deadline) -> dict[str, Any]:
    """A stored deadline as CONTRACT.md's "Stored deadlines" object."""
    p = d.procedure
    return {
        **derivation_json(d),
        "procedure": {"key": p.key, "company": p.company, "product": p.product, "agency": p.agency},
        "revision": d.revision,
        "notes": list(d.notes),
    }


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


# --- ingesting ------------------------------------------------------------------------------


def read_item(item: RawItem) -> Extraction:
    """Extract one item, raising ExtractError naming it and the problem if it is unusable."""

    where = item.url or item.name
    x = _extract_checked(where, item.name, item.body)
    if x.release.date is None:
        raise ExtractError(f"{where}: no dateline: the release date could not be found")
    return x


def read_document(path: Path) -> Extraction:
    """Read and extract one file (no dateline needed: `tracker extract` reports what it can)."""

    return _extract_checked(str(path), path.name, _read_file(path))


def _read_file(path: Path) -> bytes:
    """A regular file's bytes (a link given by name is followed); a FIFO, a folder, a
    dangling link or a device is refused, never opened (opening a FIFO would wait)."""
    from tracker.sources.folder import printable

    where = printable(str(path))
    try:
        st = path.stat()
    except FileNotFoundError as e:
        dangling = os.path.islink(path)
        what = "a dangling symbolic link" if dangling else "no such file"
        raise ExtractError(f"{where}: {what}") from e
    except OSError as e:
        raise ExtractError(f"{where}: cannot read: {e.strerror}") from e
    if not stat.S_ISREG(st.st_mode):
        from tracker.sources.folder import _kind

        raise ExtractError(f"{where}: {_kind(st.st_mode)}: only regular files are read")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise ExtractError(f"{where}: not a regular file any more")
            return f.read()
    except OSError as e:
        raise ExtractError(f"{where}: cannot read: {e.strerror}") from e


def _extract_checked(where: str, name: str, data: bytes) -> Extraction:
    """Refuse empty and binary input with a clear reason, then extract."""
    from tracker.extract import extract
    from tracker.extract.text import UTF16_BOMS

    where = _printable(where)
    if not data.strip():
        raise ExtractError(f"{where}: the file is empty")
    if (
        b"\x00" in data[:4096]
        and not name.lower().endswith((".eml", ".pdf"))
        and not data.startswith(UTF16_BOMS)
    ):
        raise ExtractError(f"{where}: not a text document (binary content)")
    try:
        return extract(name, data)
    except ExtractError as e:
        raise ExtractError(f"{where}: {e}") from e
    except (LookupError, UnicodeError, ValueError) as e:
        # An unknown charset, an undecodable part: this document cannot be read.
        raise ExtractError(f"{where}: cannot be decoded: {type(e).__name__}: {e}") from e


def _printable(where: str) -> str:
    from tracker.sources.folder import printable

    return printable(where)


def ingest_item(ctx: Context, item: RawItem, now: datetime, session: Any = None) -> str:
    """Store one item with its deadlines in one transaction: new, duplicate, unchanged, changed.

    Every value is bounded and cleaned first (`tracker.store.clean`): whatever the release
    holds, it fits the database."""
    from tracker.store import clean
    from tracker.store.releases import Reading

    x = clean.extraction(read_item(item))
    with ctx.store.transaction(session) as s:  # one transaction: names, release, rematch
        naming = naming_for(ctx, x, s)
        groups = group_by_procedure(x, naming)
        names = naming.resolve(x.release.company, x.release.product, x.aliases).learned
        reading = Reading(x, *clean.sighting(item), groups, tuple(names))
        outcome = _store_extraction(ctx, s, reading, now)
        if outcome in ("new", "changed"):
            from tracker.agency import rematch

            # Agency items read before this release's EU procedure existed find it now.
            rematch(ctx, [p.key for p in groups], now, s)
            from tracker.extract import READ_LANGUAGES

            if x.release.language not in READ_LANGUAGES:  # stored unread: say so (issue 14)
                from tracker.store.unread import record_unread

                record_unread(ctx.store, item, x.release.language, now, s)
    return outcome


def ingest_extraction(ctx: Context, r: Reading, now: datetime, session: Any = None) -> str:
    """Store a read release and reconcile the deadlines of the procedures it touched, in one
    transaction (a savepoint of `session`, when given); returns the store's outcome.

    The store hands back each procedure's state (kept between releases, so a release costs
    what its own items cost, however long the history); the rules derive from it here, and
    what moved is recorded in the audit log as the release that moved it."""
    with ctx.store.transaction(session) as s:
        return _store_extraction(ctx, s, r, now)


def _store_extraction(ctx: Context, s: Any, r: Reading, now: datetime) -> str:
    """`ingest_extraction`'s work inside the caller's transaction `s`."""
    today = local_today(ctx.settings, now)
    saved = ctx.store.save_release(s, r, now)
    for key, state in saved.states.items():
        derived = derive(state, ctx.packs, today)
        counts = ctx.store.reconcile(state.procedure, derived, now, s, fresh=key in saved.created)
        moved = {k: v for k, v in counts.items() if k != "unchanged" and v}
        if moved:
            who = f"release {saved.ref}"[:200]
            ctx.store.record(who, "recompute", now, key, None, None, moved, session=s)
    return saved.outcome


def file_item(path: Path, source_id: str, now: datetime) -> RawItem:
    """A file given on the command line as an item (keyed by name and content)."""
    data = _read_file(path)
    digest = hashlib.sha256(data).hexdigest()[:16]
    return RawItem(source_id, f"{path.name}:{digest}", path.name, data, now, url=str(path))


def ingest_paths(
    ctx: Context,
    paths: list[Path],
    now: datetime,
    source_id: str = "cli",
    progress: Callable[[Path], None] | None = None,
) -> IngestReport:
    """Ingest files and folders once, as the inbox would (without moving them)."""
    report = IngestReport()
    for path in expand_paths(paths):
        try:
            outcome = ingest_item(ctx, file_item(path, source_id, now), now)
        except Exception as e:  # one file failing in any way never stops the others
            report.record("failed", _failure(_printable(str(path)), e))
            logger.warning("ingest failed: %s", e, exc_info=not isinstance(e, TrackerError))
        else:
            report.record(outcome)
        if progress:
            progress(path)
    return report


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given, folders walked in sorted order for release files. An entry with a
    release suffix that is no regular file (a FIFO, a folder, a dangling link) is kept, so
    that reading it reports why it was refused; dot files and `*.part` are the writer's."""
    from tracker.sources.folder import in_progress

    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.suffix.lower() in SUFFIXES
                    and not any(in_progress(part) for part in f.relative_to(p).parts)
                )
            )
        else:
            out.append(p)
    return out


def _failure(where: str, e: BaseException) -> str:
    """One line saying why an item failed: our own errors name it already."""
    if isinstance(e, TrackerError):
        return str(e)
    return f"{where}: {type(e).__name__}: {e}"


def ingest_source(
    ctx: Context,
    source: Source,
    now: datetime,
    force: bool = False,
    lease_seconds: float | None = None,
) -> IngestReport:
    """Fetch a source and store what is new; its cursor moves only after the items are stored.

    A failing source backs off (doubling its wait up to six hours) and reports why; one bad
    item is quarantined with its reason and the rest go on.
    """
    report = IngestReport()
    if lease_seconds and not ctx.store.take_source(source.id, now, lease_seconds):
        report.skipped = True  # another daemon polls it this interval
        return report
    state = ctx.store.source_state(source.id)
    if not force and state.next_run is not None and now < state.next_run:
        report.skipped = True
        return report
    state.last_run = now
    try:
        batch = source.fetch(json.loads(state.cursor), now, ctx.store.seen)
    except Exception as e:  # a source failing in any way backs off; the daemon goes on
        if not isinstance(e, (SourceError, ConfigError)):
            logger.exception("source %s: fetch failed", source.id)
            e = SourceError(source.id, f"{type(e).__name__}: {e}")
        state.failures += 1
        state.last_error = str(e)
        state.next_run = now + timedelta(seconds=min(60 * 2**state.failures, 6 * 3600))
        ctx.store.save_source_state(state)
        report.record("failed", str(e))
        logger.warning("source %s failed: %s", source.id, e)
        return report
    for rejected in batch.rejected:
        _quarantine(ctx, source.id, rejected.external_id, rejected.reason, now)
        report.record("failed", rejected.reason)
    from tracker import stopping

    for i, item in enumerate(batch.items):
        if stopping.requested():
            # The rest waits for the next start; the cursor stays where it was, so nothing
            # delivered in this batch is skipped.
            report.left = len(batch.items) - i
            logger.info(
                "source %s: stopping, %d items left for the next start", source.id, report.left
            )
            break
        try:
            # A source of agency documents stores its items itself (`tracker.agency`).
            outcome = getattr(source, "ingest", ingest_item)(ctx, item, now)
        except Exception as e:  # one item failing in any way is quarantined; the rest go on
            reason = _failure(_printable(item.url or item.name), e)
            if not isinstance(e, TrackerError):
                logger.exception("source %s: item %s failed", source.id, item.external_id)
            _quarantine(ctx, source.id, item.external_id, reason, now)
            _done(source, item, "failed", reason)
            report.record("failed", reason)
            continue
        _done(source, item, outcome, None)
        report.record(outcome)
    if not report.left:
        state.cursor = json.dumps(batch.cursor, sort_keys=True)
    state.failures = 0 if not batch.retry_after else state.failures + 1
    state.last_ok = now
    state.last_error = batch.rejected[-1].reason if batch.rejected else None
    state.next_run = now + timedelta(seconds=batch.retry_after) if batch.retry_after else None
    state.seen += len(batch.items) - report.left
    state.new += report.new
    state.failed += report.failed
    ctx.store.save_source_state(state)
    return report


def _quarantine(ctx: Context, source_id: str, external_id: str, reason: str, now: datetime) -> None:
    """Record a quarantined item with bounded, clean values."""
    from tracker.store import clean

    ctx.store.quarantine(
        clean.source_id(source_id), clean.external_id(external_id), clean.reason(reason), now
    )
    logger.warning("source %s: quarantined %s", source_id, clean.reason(reason))


def _done(source: Source, item: RawItem, outcome: str, error: str | None) -> None:
    """Tell the source an item's outcome; a source failing to move a file is logged (the
    item is recorded already) and never stops the rest."""
    try:
        source.done(item, outcome, error)
    except Exception:
        logger.exception("source %s: could not finish item %s", source.id, item.external_id)


def ingest_inbox(ctx: Context, now: datetime) -> IngestReport:
    """Ingest every settled release in the inbox, moving each to processed/ or failed/."""
    from tracker.sources.folder import FolderSource

    return ingest_source(ctx, FolderSource("inbox", ctx.folder("inbox")), now, force=True)


# --- deriving, publishing, reminding --------------------------------------------------------


def derive_deadlines(ctx: Context, procedure_keys: list[str] | None, now: datetime) -> Counter[str]:
    """Re-derive and reconcile the deadlines of some (or all) procedures."""
    totals: Counter[str] = Counter()
    today = local_today(ctx.settings, now)
    for key in procedure_keys if procedure_keys is not None else ctx.store.procedure_keys():
        state = ctx.store.procedure_state(key)
        totals.update(ctx.store.reconcile(state.procedure, derive(state, ctx.packs, today), now))
    return totals


def local_today(settings: Settings, now: datetime) -> date:
    """Today's date in the tracker's time zone."""
    return now.astimezone(ZoneInfo(settings.tracker.timezone)).date()


def publish_calendar(ctx: Context, now: datetime) -> Path:
    """Rewrite `calendars/all.ics`: open deadlines and those closed within the retention
    period (the same as the default feed). Streamed from the database to a temporary file
    and moved into place only if it changed: memory stays flat however large it is.

    Built once per change of the data (or of the day): the folder's identity and the data
    version are claimed in the database first, so daemons sharing a calendars folder build
    it once between them, and a daemon with nothing new builds nothing."""
    from tracker import __version__
    from tracker.ical import iter_calendar
    from tracker.remind.send import atomic_write_chunks

    today = local_today(ctx.settings, now)
    folder = ctx.folder("calendars")
    path = folder / "all.ics"
    key = f"calendar:{_folder_id(folder)}"
    parts = (ctx.store.version(), today, __version__)
    version = "|".join(map(str, (*parts, ctx.settings.web.retention_days)))
    # A file that went missing is rebuilt even if nothing changed.
    wanted = version if path.exists() else f"{version}|missing"
    if not ctx.store.take_publication(key, wanted, now, _PUBLISH_LEASE_SECONDS):
        return path
    deadlines = ctx.store.iter_current_deadlines(
        today, now - timedelta(days=ctx.settings.web.retention_days)
    )
    atomic_write_chunks(path, (piece.encode("utf-8") for piece in iter_calendar(deadlines)))
    ctx.store.publication_done(key, version, now)
    return path


_PUBLISH_LEASE_SECONDS = 300


def _folder_id(folder: Path) -> str:
    """A random name the folder keeps (in `.folder-id`): the same for every daemon that
    writes into this very folder (a shared mount), different for each local one."""
    marker = folder / ".folder-id"
    if not marker.exists():
        # Written aside, then linked into place: whoever links first wins, and no reader
        # ever sees the file empty.
        tmp = folder / f".folder-id.{uuid.uuid4().hex}"
        tmp.write_text(uuid.uuid4().hex, encoding="ascii")
        try:
            os.link(tmp, marker)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return marker.read_text(encoding="ascii").strip()


@dataclass
class ReminderReport:
    """What one reminder run did."""

    sent: int = 0
    deferred: int = 0
    rejected: int = 0

    @property
    def failed(self) -> int:
        """Messages not delivered in this run."""
        return self.deferred + self.rejected

    def summary(self) -> str:
        """One log line."""
        return f"sent={self.sent} deferred={self.deferred} rejected={self.rejected}"


def reminder_policy(settings: Settings) -> Any:
    """The defaults recipients inherit."""
    from tracker.remind.plan import Policy

    r = settings.reminders
    return Policy(
        tuple(r.days_before),
        time.fromisoformat(r.send_at),
        settings.tracker.timezone,
        timedelta(seconds=r.claim_lease_seconds),
    )


def owed_messages(ctx: Context, now: datetime, view: list[Deadline] | None = None) -> list[Any]:
    """Every message owed now (reminders, notices, digests), to every recipient; from `view`
    (an `--as-of` picture) instead of the stored deadlines when given."""
    from tracker.remind.plan import plan

    people = ctx.settings.effective_recipients()
    horizon = max(
        (d for r in people for d in (r.days_before or ctx.settings.reminders.days_before)),
        default=30,
    )
    deadlines = (
        view
        if view is not None
        else ctx.store.reminder_deadlines(local_today(ctx.settings, now), horizon + 1)
    )
    return plan(
        deadlines,
        ctx.store.reminder_log(d.key for d in deadlines),
        people,
        now,
        reminder_policy(ctx.settings),
    )


_CLAIM_BATCH = 200


def _log_keys(due: Any) -> tuple[str, str, str, str]:
    return (due.deadline_key, due.kind, due.tag, due.recipient.address)


def send_due_reminders(ctx: Context, now: datetime) -> ReminderReport:
    """Send what is owed. Each message is claimed first (so none goes out twice), marked sent
    when the server accepts it; a temporary failure defers it with a growing wait, a
    permanent one is recorded and never retried. A server that is down ends the run: the
    rest is deferred with it. Claims are taken a batch at a time; a claim older than half its
    lease is confirmed just before its message goes out (another daemon may have taken over
    an expired lease), in the transaction that records the result of the message before it;
    a younger one cannot have been taken, and that result is recorded alone (a batch's last
    result is recorded when the batch ends): a daemon killed mid-run resends at most the
    message in flight, and two daemons never send the same one."""
    from tracker.remind.render import message_id, render
    from tracker.remind.send import Mailer, PermanentFailure, TemporaryFailure
    from tracker.templating import fresh_environment

    report = ReminderReport()
    templates = ctx.settings.tracker.templates_dir or None
    fresh_environment()  # templates edited since the last run are read again
    owed = owed_messages(ctx, now)
    log = ctx.store.reminder_log(d.deadline_key for d in owed)
    lease = timedelta(seconds=ctx.settings.reminders.claim_lease_seconds)
    from tracker.claims import run_token

    token = run_token()  # host and process in it: a restart here releases it at once
    started = monotonic()

    def current() -> datetime:  # `now` moving on with the run, for leases
        return now + timedelta(seconds=monotonic() - started)

    sent: list[MessageResult] = []
    # The next message is rendered on a worker thread while this one's SMTP conversation
    # waits on the server (the socket wait releases the interpreter lock): the templates
    # overlap the round trips instead of adding to them. Rendering is pure, so nothing
    # about claims, confirmation or recording changes; a message whose confirmation fails
    # is rendered for nothing.
    from concurrent.futures import Future, ThreadPoolExecutor

    def rendering(due: Any) -> Future[Any]:
        return pool.submit(render, due, ctx.settings.mail, now, templates)

    with Mailer(ctx.settings) as mailer, ThreadPoolExecutor(1, "render") as pool:
        # Claimed a batch at a time, so other daemons can share a long run; each message is
        # confirmed as still ours right before it goes out, and recorded right after.
        for first in range(0, len(owed), _CLAIM_BATCH):
            batch = owed[first : first + _CLAIM_BATCH]
            claimed = ctx.store.claim_messages(
                [
                    (
                        _log_keys(d),
                        message_id(d),
                        d.deadlines[0].end if d.kind != "digest" else None,
                    )
                    for d in batch
                ],
                current(),
                lease,
                token,
            )
            mine = [d for d in batch if _log_keys(d) in claimed]
            claimed_at = current()
            ahead: Future[Any] | None = None
            for i, due in enumerate(mine):
                message, ahead = ahead or rendering(due), None
                keys = _log_keys(due)
                # The message sent just before is recorded before this one goes out (none
                # sent unrecorded but the one in flight), in the transaction that confirms
                # this one when that is due: one commit per message. No other run can take
                # a claim over before its lease runs out, so one claimed less than half a
                # lease ago (a margin for clocks that differ between hosts) is still ours;
                # an older one is confirmed, its lease renewed, and skipped if it was taken.
                done, sent = sent, []
                if current() - claimed_at >= lease / 2:
                    if not ctx.store.confirm_message(keys, token, current(), done):
                        continue  # taken over by another daemon after our lease ran out
                elif done:
                    ctx.store.finish_messages(done, now)
                try:
                    if i + 1 < len(mine):  # rendered while this one is on the wire
                        ahead = rendering(mine[i + 1])
                    mailer.send(message.result())
                except PermanentFailure as e:
                    ctx.store.finish_messages([(keys, "rejected", str(e), None)], now)
                    report.rejected += 1
                    logger.warning("message to %s refused for good: %s", due.recipient.address, e)
                except TemporaryFailure as e:
                    attempts = (log[keys].attempts if keys in log else 0) + 1
                    wait = timedelta(minutes=min(2**attempts, 360))
                    ctx.store.finish_messages([(keys, "deferred", str(e), now + wait)], now)
                    report.deferred += 1
                    logger.warning("message to %s deferred %s: %s", due.recipient.address, wait, e)
                    if mailer.smtp is None and ctx.settings.mail.backend == "smtp":
                        # The server is unreachable: the rest of this batch waits with it
                        # (deferred alike); later batches are not claimed at all.
                        rest = [_log_keys(d) for d in mine[i + 1 :]]
                        ctx.store.finish_messages(
                            [(k, "deferred", str(e), now + wait) for k in rest], now
                        )
                        report.deferred += len(rest)
                        return report
                else:
                    # Recorded with the next message's confirmation, or at the end of the batch.
                    sent = [(keys, "sent", None, None)]
                    report.sent += 1
            ctx.store.finish_messages(sent, now)
            sent = []
    return report


def open_context(settings: Settings, now: datetime, migrate: bool = True) -> Context:
    """Open the store (migrating it) and load the rule packs."""
    from tracker.rules.loader import load_packs

    packs = load_packs(settings.rules_dir)
    home = settings.home
    home.mkdir(parents=True, exist_ok=True)
    for name in ("inbox", "inbox/processed", "calendars", "outbox", "failed"):
        (home / name).mkdir(parents=True, exist_ok=True)
    from tracker.store import Store

    store = Store(settings.database_url)
    if migrate:
        try:
            store.migrate(now)
        except Exception as e:  # a database that cannot be opened is a configuration problem
            raise TrackerError(f"database {settings.database_url}: {e}") from e
    return Context(settings, store, packs)
