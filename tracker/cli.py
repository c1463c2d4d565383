"""The `tracker` command line. Imports stay lazy so `tracker extract` starts quickly."""

from __future__ import annotations

import json
import logging
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from tracker import __version__
from tracker.errors import TrackerError

log = logging.getLogger("tracker.cli")


class _Obj:
    def __init__(
        self, config: Path | None, home: str | None, debug: bool, who: str | None = None
    ) -> None:
        self.config, self.home, self.debug = config, home, debug
        self._who = who

    @property
    def who(self) -> str:
        """The person making a change: `--as USER`, else the OS user."""
        from tracker.cases import current_user

        return self._who or current_user()

    def loaded(self) -> Any:
        from tracker.settings import load_settings

        return load_settings(self.config, self.home)

    def context(self, read_only: bool = False) -> Any:
        from tracker import clock
        from tracker.pipeline import open_context

        settings = self.loaded().settings
        if read_only:  # a folder without tracker data is named, not filled with an empty one
            from tracker.cli_args import require_data

            require_data(settings.database_url, settings.home)
        return open_context(settings, clock.now())


def _iso_date(_ctx: Any, _param: Any, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise click.BadParameter(f"'{value}' is not a date (YYYY-MM-DD)") from e


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tracker")
@click.option(
    "--config",
    type=click.Path(path_type=Path),
    default=None,
    help="Settings file (default: config/tracker.toml if present).",
)
@click.option("--home", default=None, help="Data folder (default: var/, or TRACKER_HOME).")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.option(
    "--as",
    "who",
    default=None,
    metavar="USER",
    help="Who makes a change, for the audit log (default: the OS user).",
)
@click.pass_context
def cli(
    ctx: click.Context, config: Path | None, home: str | None, debug: bool, who: str | None
) -> None:
    """Regulatory deadline tracker: releases in, dated deadlines, calendars and reminders out."""
    from tracker.log import setup_logging

    setup_logging("DEBUG" if debug else "WARNING", "text")
    ctx.obj = _Obj(config, home, debug, who)


@cli.command()
@click.option("--port", type=int, default=None, help="Port of the feed server ([web] port).")
@click.pass_obj
def run(obj: _Obj, port: int | None) -> None:
    """Run the daemon: watch sources, derive deadlines, serve feeds, send reminders."""
    from tracker import daemon

    loaded = obj.loaded()
    if port is not None:
        loaded.settings.web.port = port
    daemon.run(loaded)


@cli.group(invoke_without_command=True)
@click.pass_context
def feeds(ctx: click.Context) -> None:
    """Print every calendar feed's https and webcal URL."""
    if ctx.invoked_subcommand is not None:
        return
    from tracker.web import feed_urls

    app = ctx.obj.context()
    for label, url, webcal in feed_urls(app.settings, app.store):
        click.echo(f"{label}\n  {url}\n  {webcal}")


@feeds.command("rotate")
@click.pass_obj
def feeds_rotate(obj: _Obj) -> None:
    """Replace the feed token: every old feed URL stops working, within a second, in every
    daemon on this database (the token is kept in it). In the audit log, without it."""
    from tracker import cases, clock

    cases.rotate_feed_token(obj.context(), obj.who, clock.now())
    click.echo("feed token rotated; subscribe again with the URLs `tracker feeds` prints")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "json"]),
    default="jsonl",
    show_default=True,
    help="One JSON object per line, or one JSON array.",
)
@click.option(
    "--as-of",
    callback=_iso_date,
    default=None,
    help="Today's date for deciding what is past (default: the release date).",
)
@click.option(
    "--explain",
    is_flag=True,
    help="Say for each event and deadline which lexicon row, words and anchor produced it.",
)
@click.pass_obj
def extract(
    obj: _Obj, paths: tuple[Path, ...], fmt: str, as_of: date | None, explain: bool
) -> None:
    """Print what the tracker reads in releases (CONTRACT.md), without touching the database."""
    from tracker.pipeline import contract_line, expand_paths, read_document
    from tracker.rules.loader import load_packs

    packs = load_packs(obj.loaded().settings.rules_dir)
    failed = False
    lines = []
    for path in expand_paths(list(paths)):
        try:
            line = contract_line(str(path), read_document(path), packs, as_of, explain=explain)
        except TrackerError as e:
            failed = True
            line = contract_line(str(path), None, packs, error=str(e))
        except Exception as e:  # one unreadable document never stops the others
            failed = True
            log.exception("%s: could not be read", path)
            line = contract_line(str(path), None, packs, error=f"{path}: {type(e).__name__}: {e}")
        if fmt == "jsonl":
            click.echo(json.dumps(line, ensure_ascii=False))
        else:
            lines.append(line)
    if fmt == "json":
        click.echo(json.dumps(lines, ensure_ascii=False, indent=2))
    if failed:
        sys.exit(1)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--source", "source_id", default=None, help="Run one configured source now.")
@click.pass_obj
def ingest(obj: _Obj, paths: tuple[Path, ...], source_id: str | None) -> None:
    """Ingest files or folders once (as the inbox does), or one source with --source."""
    import sys as _sys

    from tracker import clock
    from tracker.pipeline import expand_paths, ingest_paths, ingest_source, publish_calendar

    if not paths and not source_id:
        raise click.UsageError("give PATH... or --source ID")
    ctx = obj.context()
    now = clock.now()
    if source_id:
        from tracker.errors import NotFoundError
        from tracker.sources import configured_sources

        found = [s for s, _ in configured_sources(ctx.settings) if s.id == source_id]
        if not found:
            raise NotFoundError(f"no source '{source_id}' (see `tracker sources`)")
        report = ingest_source(ctx, found[0], now, force=True)
    else:
        files = expand_paths(list(paths))
        if _sys.stderr.isatty():
            with click.progressbar(length=len(files), label="ingesting", file=_sys.stderr) as bar:
                report = ingest_paths(ctx, files, now, progress=lambda _p: bar.update(1))
        else:
            done = [0]

            def plain(_path: Path) -> None:
                done[0] += 1
                if done[0] % 500 == 0 or done[0] == len(files):
                    click.echo(f"ingested {done[0]}/{len(files)}", err=True)

            report = ingest_paths(ctx, files, now, progress=plain)
    publish_calendar(ctx, now)
    for err in report.errors:
        click.echo(f"failed: {err}", err=True)
    click.echo(report.summary())
    if report.failed:
        sys.exit(1)


@cli.group(invoke_without_command=True)
@click.pass_obj
def sources(obj: _Obj) -> None:
    """List each source: last run, items seen, new, failed, next run, last error."""
    from tracker.sources import configured_sources

    if click.get_current_context().invoked_subcommand is not None:
        return
    ctx = obj.context(read_only=True)
    for source, seconds in configured_sources(ctx.settings):
        st = ctx.store.source_state(source.id)
        last = f"{st.last_run:%Y-%m-%d %H:%M}" if st.last_run else "never"
        nxt = f"{st.next_run:%Y-%m-%d %H:%M}" if st.next_run else f"every {seconds}s"
        click.echo(
            f"{source.id:<20} {type(source).__name__:<12} last {last}  seen {st.seen} "
            f"new {st.new} failed {st.failed}  next {nxt}"
        )
        if st.last_error:
            click.echo(f"{'':<20} last error: {st.last_error}")
    for q in ctx.store.quarantined()[:20]:
        click.echo(f"quarantined {q.source_id}:{q.external_id}: {q.reason}")
    from tracker.store.agency import unmatched

    with ctx.store.session() as session:
        waiting = unmatched(session)
    for u in waiting[:50]:  # agency items no tracked procedure took (issue 16)
        what = u.type.replace("_", " ") + (f" {u.outcome}" if u.outcome else "")
        names = ", ".join(x for x in (u.substance, u.applicant) if x)
        click.echo(
            f"unmatched {u.source_id}: {u.product}"
            + (f" ({names})" if names else "")
            + f", {what}, {u.title}: {u.reason}"
        )
    from tracker.store.unread import unread

    with ctx.store.session() as session:
        for r in unread(session, 20):  # stored, but in a language the reader does not read
            click.echo(
                f"unread {r.source_id}:{r.external_id}: language '{r.language}' is not read; "
                "only the release date was taken"
            )


@sources.command("retry")
@click.argument("item_id", metavar="SOURCE:ITEM")
@click.pass_obj
def sources_retry(obj: _Obj, item_id: str) -> None:
    """Give a quarantined item (as `tracker sources` lists it) back to its source, run now."""
    from tracker import cases, clock

    report = cases.retry_item(obj.context(read_only=True), item_id, obj.who, clock.now())
    for err in report.errors:
        click.echo(f"failed: {err}", err=True)
    click.echo(report.summary())
    if report.failed:
        sys.exit(1)


@cli.command()
@click.option("--all", "show_all", is_flag=True, help="Every deadline, not only open ones ahead.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option("--today", callback=_iso_date, default=None, help="Statuses as of this date.")
@click.option(
    "--as-of",
    "as_of",
    callback=_iso_date,
    default=None,
    help="What the tracker knew and owed on this date (releases issued by then only).",
)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many.")
@click.option("--company", default=None, help="Only this company's (words of its name).")
@click.option("--product", default=None, help="Only this product's (words of its name).")
@click.option("--agency", default=None, help="Only this authority's (EU, FDA, PMDA, ...).")
@click.option("--status", default=None, help="Only these statuses, comma-separated (any date).")
@click.pass_obj
def deadlines(
    obj: _Obj,
    show_all: bool,
    fmt: str,
    today: date | None,
    as_of: date | None,
    limit: int | None,
    company: str | None,
    product: str | None,
    agency: str | None,
    status: str | None,
) -> None:
    """List deadlines by date (open ones from today on, unless --all or --status)."""
    import itertools

    from tracker import clock
    from tracker.pipeline import deadline_json, local_today
    from tracker.vocabulary import LIVE

    ctx = obj.context(read_only=True)
    today = as_of or today or local_today(ctx.settings, clock.now())
    pages: Any
    if as_of is not None:
        from tracker.asof import deadlines_as_of

        every = deadlines_as_of(ctx, as_of)
        pages = every if show_all else (d for d in every if d.status in LIVE and d.end >= today)
    elif show_all or status:
        pages = ctx.store.deadline_pages(today, statuses=None)
    else:
        pages = ctx.store.deadline_pages(today, start=today)
    from tracker.cli_args import deadline_filter

    keep = deadline_filter(company, product, agency, status)
    rows = list(itertools.islice((d for d in pages if keep(d)), limit))
    if fmt == "json":
        click.echo(json.dumps([deadline_json(d) for d in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no deadlines")
        return
    for d in rows:
        when = d.end.isoformat() if d.start == d.end else f"{d.start}..{d.end}"
        est = " (estimate)" if d.estimate else ""
        est += " (set by hand)" if d.hand_set else ""
        click.echo(
            f"{when:<22} {d.status:<10} {d.basis:<6} {d.title}{est}\n"
            f"{'':<22} key {d.key}  rule {d.rule or '-'}"
        )


@cli.command()
@click.argument("key")
@click.option(
    "--as-of", "as_of", callback=_iso_date, default=None, help="As it stood on this date."
)
@click.pass_obj
def explain(obj: _Obj, key: str, as_of: date | None) -> None:
    """Show how a deadline's date was computed, and its history."""
    from tracker.errors import NotFoundError

    ctx = obj.context(read_only=True)
    d = ctx.store.deadline(key)
    if d is not None and as_of is not None:
        from tracker.asof import deadlines_as_of

        then = deadlines_as_of(ctx, as_of, [d.procedure.key])
        d = next((x for x in then if x.key == key), None)
        if d is None:
            raise NotFoundError(f"deadline '{key}' did not exist yet on {as_of}")
    if d is None:
        raise NotFoundError(f"no deadline with key '{key}' (see `tracker deadlines --all`)")
    click.echo(
        f"{d.title}\nkey      {d.key}\ndate     "
        + (d.end.isoformat() if d.start == d.end else f"{d.start} .. {d.end}")
        + f"\nstatus   {d.status} (revision {d.revision})\nbasis    {d.basis}"
        + (f", rule {d.rule}" if d.rule else "")
        + ("  [estimate]" if d.estimate else "")
    )
    for step in d.steps:
        click.echo(f"{step.label:<8} {step.text}")
    for a in d.assumptions:
        click.echo(f"assumed  {a}")
    for n in d.notes:
        click.echo(f"note     {n}")
    if d.hand_set:
        click.echo(f"by hand  {d.hand_set}")
    if d.closed_by:
        click.echo(f"closed   {d.closed_by}")
    kind = {"agency": "agency document", "hand-set": "set by hand"}.get(d.evidence_kind)
    click.echo(f'evidence "{d.evidence}" ({kind or "company release"})')
    for h in ctx.store.history(key):
        if as_of is not None and h.changed_at.date() > as_of:
            continue
        when = h.end.isoformat() if h.start == h.end else f"{h.start}..{h.end}"
        click.echo(
            f"history  r{h.revision} {when} {h.status} ({h.reason}, "
            f"{h.changed_at:%Y-%m-%d %H:%M} UTC)"
        )


@cli.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=None,
    help="Write here (default: <home>/calendars/all.ics).",
)
@click.option(
    "--as-of",
    "as_of",
    callback=_iso_date,
    default=None,
    help="The calendar as it stood on this date (needs --output).",
)
@click.pass_obj
def calendar(obj: _Obj, output: Path | None, as_of: date | None) -> None:
    """Write the iCalendar file of every deadline."""
    from tracker import clock
    from tracker.ical import iter_calendar
    from tracker.pipeline import local_today, publish_calendar
    from tracker.remind.send import atomic_write_chunks

    ctx = obj.context()
    now = clock.now()
    if as_of is not None:
        from tracker.asof import deadlines_as_of

        if output is None:
            raise click.UsageError("--as-of writes a view, not the published calendar: add -o FILE")
        then = deadlines_as_of(ctx, as_of)
        atomic_write_chunks(output, (piece.encode("utf-8") for piece in iter_calendar(then)))
        click.echo(output)
        return
    if output is None:
        click.echo(publish_calendar(ctx, now))
        return
    rows = ctx.store.deadline_pages(local_today(ctx.settings, now), statuses=None)
    atomic_write_chunks(output, (piece.encode("utf-8") for piece in iter_calendar(rows)))
    click.echo(output)


@cli.command()
@click.option("--at", "at", default=None, help="Run as if it were this moment (ISO 8601).")
@click.option(
    "--preview",
    "preview",
    default=None,
    metavar="ADDRESS",
    help="Print what would be sent now to ADDRESS, without sending.",
)
@click.option(
    "--test",
    "test_to",
    default=None,
    metavar="ADDRESS",
    help="Send a test message to ADDRESS through the configured backend.",
)
@click.option(
    "--as-of",
    "as_of",
    callback=_iso_date,
    default=None,
    help="With --preview: what was owed on this date, from what was known then.",
)
@click.pass_obj
def remind(
    obj: _Obj, at: str | None, preview: str | None, test_to: str | None, as_of: date | None
) -> None:
    """Send the reminders, notices and digests owed now (or at --at)."""
    from tracker import clock
    from tracker.pipeline import owed_messages, send_due_reminders

    ctx = obj.context()
    now = clock.now() if at is None else _aware(at)
    view = None
    if as_of is not None:
        from zoneinfo import ZoneInfo

        from tracker.asof import deadlines_as_of

        if not preview:
            raise click.UsageError("--as-of only previews (add --preview ADDRESS): nothing is sent")
        tz = ZoneInfo(ctx.settings.tracker.timezone)
        now = datetime.combine(as_of, datetime.max.time(), tzinfo=tz).replace(microsecond=0)
        view = deadlines_as_of(ctx, as_of)
    if test_to:
        _send_test(ctx, test_to, now)
        return
    if preview:
        from tracker.remind.preview import plain_text
        from tracker.remind.render import render_message

        owed = [d for d in owed_messages(ctx, now, view) if d.recipient.address == preview]
        for due in owed:
            msg = render_message(due, ctx.settings.mail, now)
            click.echo(
                f"To: {msg['To']}\nSubject: {msg['Subject']}\n\n{plain_text(msg)}\n{'-' * 60}"
            )
        click.echo(f"{len(owed)} message(s) owed to {preview}")
        return
    report = send_due_reminders(ctx, now)
    for row in ctx.store.rejected_messages()[:10]:
        click.echo(f"rejected: {row.recipient}: {row.error}", err=True)
    click.echo(report.summary())


def _send_test(ctx: Any, to: str, now: datetime) -> None:
    from email.message import EmailMessage
    from email.utils import format_datetime, make_msgid

    from tracker.remind.render import address
    from tracker.remind.send import Mailer

    msg = EmailMessage()
    msg["Subject"] = "Regulatory deadline tracker: test message"
    msg["From"] = address(ctx.settings.mail.sender)
    msg["To"] = address(to)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain="deadline-tracker")
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content("If you can read this, reminders can reach you.\n")
    with Mailer(ctx.settings) as mailer:
        mailer.send(msg)
    click.echo(f"test message sent to {to} ({ctx.settings.mail.backend})")


def _aware(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as e:
        raise click.BadParameter(f"'{text}' is not an ISO 8601 moment") from e
    if moment.tzinfo is None:
        raise click.BadParameter(f"'{text}' needs a time zone offset, e.g. +00:00")
    return moment


@cli.command()
@click.pass_obj
def check(obj: _Obj) -> None:
    """Validate settings, rule packs (with their examples) and templates; exit 0 or 2."""
    from tracker.rules.loader import load_packs

    loaded = obj.loaded()
    packs = load_packs(loaded.settings.rules_dir)
    problems = _example_failures(packs)
    _check_templates()
    for warning in _calendar_gaps(packs):
        click.echo(f"warning: {warning}", err=True)
    for p in problems:
        click.echo(p, err=True)
    if problems:
        sys.exit(2)
    click.echo(
        f"ok: {len(packs)} rule packs, {sum(len(p.rules) for p in packs)} rules, "
        f"settings from {', '.join(loaded.sources)}"
    )


@cli.group()
def db() -> None:
    """The database schema: what is applied, and upgrades."""


def _on_store(obj: _Obj, call: Any) -> Any:
    """Run `call(store)`; a database that cannot be reached is one clear line."""
    from sqlalchemy.exc import SQLAlchemyError

    from tracker.store import Store

    url = obj.loaded().settings.database_url
    try:
        return call(Store(url))
    except SQLAlchemyError as e:
        raise TrackerError(f"database {url}: {getattr(e, 'orig', None) or e}") from e


@db.command("status")
@click.pass_obj
def db_status(obj: _Obj) -> None:
    """List the migrations the database has not had; exit 1 when there are some."""
    from tracker.store.migrations import MIGRATIONS

    waiting = _on_store(obj, lambda store: store.pending_migrations())
    for m in MIGRATIONS:
        click.echo(f"{'pending' if m.name in waiting else 'applied'}  {m.name}  {m.summary}")
    if waiting:
        sys.exit(1)


@db.command("upgrade")
@click.pass_obj
def db_upgrade(obj: _Obj) -> None:
    """Apply the migrations the database has not had (the daemon also does this at start)."""
    from tracker import clock

    applied = _on_store(obj, lambda store: store.migrate(clock.now()))
    click.echo(f"applied {', '.join(applied)}" if applied else "the database is up to date")


def _example_failures(packs: list[Any]) -> list[str]:
    from tracker.rules.engine import evaluate_example

    out = []
    for pack in packs:
        for rule in pack.rules:
            for ex in rule.examples:
                got = evaluate_example(pack, rule, ex.trigger_on, ex.receipt_on)
                if got != ex.expect:
                    out.append(
                        f"{pack.id}/{rule.id}: example from {ex.trigger_on} expects "
                        f"{ex.expect}, computed {got}"
                    )
    return out


def _calendar_gaps(packs: list[Any]) -> list[str]:
    """Closure calendars without a table for this year or the next two: dates rolled over
    those years are provisional."""
    from tracker import clock
    from tracker.rules.calendars import get_calendar

    year = clock.now().year
    out = []
    for name in sorted({p.pack.calendar for p in packs}):
        cal = get_calendar(name)
        gaps = cal.table_gaps(date(year, 1, 1), date(year + 2, 12, 31))
        if gaps:
            out.append(
                f"calendar '{name}' has no closure table for {', '.join(map(str, gaps))}: "
                "dates rolled over those years are provisional (only the seat's public holidays)"
            )
    return out


def _check_templates() -> None:
    from tracker.remind.render import check_templates

    check_templates()


@cli.group()
def rules() -> None:
    """Inspect rule packs."""


@rules.command("check")
@click.pass_obj
def rules_check(obj: _Obj) -> None:
    """Load every pack and run every example."""
    from tracker.rules.loader import load_packs

    packs = load_packs(obj.loaded().settings.rules_dir)
    problems = _example_failures(packs)
    for p in problems:
        click.echo(p, err=True)
    n = sum(len(r.examples) for p in packs for r in p.rules)
    if problems:
        sys.exit(2)
    click.echo(f"ok: {len(packs)} packs, {sum(len(p.rules) for p in packs)} rules, {n} examples")


@rules.command("explain")
@click.argument("rule_id")
@click.option("--trigger-date", callback=_iso_date, required=True, help="YYYY-MM-DD")
@click.pass_obj
def rules_explain(obj: _Obj, rule_id: str, trigger_date: date) -> None:
    """Show a rule's computation for a trigger date (RULE is pack/rule or rule)."""
    from tracker.errors import NotFoundError
    from tracker.rules.engine import explain_rule
    from tracker.rules.loader import load_packs

    for pack in load_packs(obj.loaded().settings.rules_dir):
        for rule in pack.rules:
            if rule_id in (rule.id, f"{pack.id}/{rule.id}"):
                click.echo(f"{pack.id}/{rule.id}: {rule.title}")
                for step in explain_rule(pack, rule, trigger_date):
                    click.echo(f"{step.label:<8} {step.text}")
                return
    raise NotFoundError(f"no rule '{rule_id}'")


@cli.group()
def fact() -> None:
    """Record facts the releases lack (a receipt date)."""


_FACT_NAMES = click.Choice(["receipt", "filing_date", "submission"])


@fact.command("set")
@click.argument("procedure")
@click.argument("name", type=_FACT_NAMES)
@click.argument("value", callback=_iso_date)
@click.pass_obj
def fact_set(obj: _Obj, procedure: str, name: str, value: date) -> None:
    """Record PROCEDURE's NAME as VALUE and re-derive its deadlines."""
    from tracker import cases, clock

    ctx = obj.context()
    cases.set_fact(ctx, procedure, name, value, obj.who, clock.now())
    click.echo(f"{procedure}: {name} = {value} (recorded by {obj.who})")


@fact.command("unset")
@click.argument("procedure")
@click.argument("name", type=_FACT_NAMES)
@click.pass_obj
def fact_unset(obj: _Obj, procedure: str, name: str) -> None:
    """Forget PROCEDURE's recorded NAME; what counted from it is assumed again."""
    from tracker import cases, clock

    cases.unset_fact(obj.context(), procedure, name, obj.who, clock.now())
    click.echo(f"{procedure}: {name} forgotten")


@cli.group()
def deadline() -> None:
    """Correct one deadline by hand: a date, done, not applicable, and undo."""


_NOTE = click.option("--note", default=None, help="Why (kept with the change and in the log).")


@deadline.command("set")
@click.argument("key")
@click.argument("start", callback=_iso_date)
@click.argument("end", callback=_iso_date, required=False)
@_NOTE
@click.pass_obj
def deadline_set(obj: _Obj, key: str, start: date, end: date | None, note: str | None) -> None:
    """Set KEY's date (or START..END window) by hand: it is owed until then, and
    recalculations never overwrite it."""
    from tracker import cases, clock

    cases.set_date(obj.context(), key, start, end or start, obj.who, clock.now(), note)
    when = f"{start}" + (f"..{end}" if end and end != start else "")
    click.echo(f"{key}: {when} (set by hand by {obj.who})")


@deadline.command("unset")
@click.argument("key")
@click.pass_obj
def deadline_unset(obj: _Obj, key: str) -> None:
    """Remove KEY's hand-set date: the computed date applies again."""
    from tracker import cases, clock

    cases.unset_date(obj.context(), key, obj.who, clock.now())
    click.echo(f"{key}: hand-set date removed")


def _close(obj: _Obj, key: str, how: str, note: str | None) -> None:
    from tracker import cases, clock

    cases.close(obj.context(), key, how, obj.who, clock.now(), note)
    click.echo(f"{key}: {how} (by {obj.who})")


@deadline.command("done")
@click.argument("key")
@_NOTE
@click.pass_obj
def deadline_done(obj: _Obj, key: str, note: str | None) -> None:
    """Mark KEY done (met), whatever the releases say."""
    _close(obj, key, "done", note)


@deadline.command("dismiss")
@click.argument("key")
@_NOTE
@click.pass_obj
def deadline_dismiss(obj: _Obj, key: str, note: str | None) -> None:
    """Mark KEY not applicable (cancelled)."""
    _close(obj, key, "dismissed", note)


@deadline.command("reopen")
@click.argument("key")
@click.pass_obj
def deadline_reopen(obj: _Obj, key: str) -> None:
    """Undo a done or dismiss mark on KEY."""
    from tracker import cases, clock

    cases.reopen(obj.context(), key, obj.who, clock.now())
    click.echo(f"{key}: reopened")


@cli.command()
@click.argument("procedure")
@click.argument("text")
@click.pass_obj
def note(obj: _Obj, procedure: str, text: str) -> None:
    """Leave a note on PROCEDURE (shown on its page and in the log)."""
    from tracker import cases, clock

    cases.add_note(obj.context(), procedure, text, obj.who, clock.now())
    click.echo(f"{procedure}: note added")


@cli.command("log")
@click.option("--procedure", default=None, help="Only this procedure's changes.")
@click.option("--user", "who", default=None, help="Only this person's changes.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
@click.option("--limit", type=click.IntRange(min=1, max=100_000), default=1000)
@click.pass_obj
def log_cmd(obj: _Obj, procedure: str | None, who: str | None, fmt: str, limit: int) -> None:
    """The audit log: who changed what, when, before and after (oldest first)."""
    from tracker.store.audit import entries_csv, iter_json

    entries = obj.context(read_only=True).store.audit_entries(procedure, who, limit)
    if fmt == "csv":
        click.echo(entries_csv(entries), nl=False)
        return
    if fmt == "json":
        for line in iter_json(entries):
            click.echo(line)
        return
    if not entries:
        click.echo("no changes recorded")
    for e in reversed(entries):
        change = f"{e.before or '-'} -> {e.after or '-'}"
        click.echo(
            f"{e.at:%Y-%m-%d %H:%M} {e.who:<12} {e.action:<10} {e.target or e.procedure_key or ''}"
            f"  {change}" + (f"  ({e.note})" if e.note else "")
        )


@cli.group(invoke_without_command=True)
@click.pass_context
def procedures(ctx: click.Context) -> None:
    """List the procedures (product x agency) the tracker follows with their company and
    product, then those merged into another ("B -> A")."""
    if ctx.invoked_subcommand is not None:
        return
    app = ctx.obj.context()
    for p in app.store.procedures():
        names = f"{p.company or 'unknown company'} / {p.product or 'unnamed product'}"
        click.echo(f"{p.key}  {names} / {p.agency}")
    for m in app.store.merges():
        click.echo(f"{m.key} -> {m.into} (merged by {m.who} on {m.at:%Y-%m-%d})")


@procedures.command("merge")
@click.argument("a")
@click.argument("b")
@click.pass_obj
def procedures_merge(obj: _Obj, a: str, b: str) -> None:
    """Merge procedure B into A: B's events, timelines, facts, deadlines (with their history),
    notes and audit entries join A, and later releases of B go to A."""
    from tracker import cases, clock

    moved = cases.merge_procedures(obj.context(), a, b, obj.who, clock.now())
    counts = ", ".join(f"{n} {table}" for table, n in moved.items() if n) or "nothing"
    click.echo(f"{b} merged into {a} by {obj.who}: {counts} moved")


@procedures.command("split")
@click.argument("key")
@click.pass_obj
def procedures_split(obj: _Obj, key: str) -> None:
    """Undo the merge of procedure KEY: what came from it is its own again."""
    from tracker import cases, clock

    into = cases.split_procedure(obj.context(), key, obj.who, clock.now())
    click.echo(f"{key} split from {into} by {obj.who}")


@cli.command("example-config")
def example_config() -> None:
    """Print every setting, commented out at its default."""
    from tracker.settings import example_toml

    click.echo(example_toml(), nl=False)


from tracker.users_cli import users  # noqa: E402 - the group lives in its own module

cli.add_command(users)


def main(argv: list[str] | None = None) -> None:
    """Entry point: one clear line and a non-zero exit on errors; tracebacks with --debug."""
    from tracker.cli_args import hoist_global_options

    args = hoist_global_options(sys.argv[1:] if argv is None else argv)
    try:
        cli.main(args=args, prog_name="tracker", standalone_mode=False)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except TrackerError as e:
        if "--debug" in args:
            raise
        click.echo(f"error: {e}", err=True)
        sys.exit(e.exit_code)
    except Exception as e:
        if "--debug" in args:
            raise
        click.echo(f"error: {type(e).__name__}: {e} (run with --debug for details)", err=True)
        sys.exit(1)
