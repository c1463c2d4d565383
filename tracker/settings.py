"""Typed settings, loaded in layers: defaults < TOML file < TRACKER_* environment < CLI flags."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tracker.errors import ConfigError

PROJECT_DIR = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = PROJECT_DIR / "config" / "tracker.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TrackerSection(_Section):
    """General settings."""

    home: str = Field("var", description="Data folder: database, inbox, calendars, outbox, failed.")
    timezone: str = Field("America/New_York", description="Time zone for reminder send times.")
    rules_dir: str = Field(
        "", description="Folder of rule packs; empty means the shipped config/rules."
    )
    templates_dir: str = Field(
        "", description="Folder whose templates override the shipped ones, by name."
    )
    log_level: str = Field("INFO", description="Logging level: DEBUG, INFO, WARNING or ERROR.")
    log_format: Literal["text", "journal"] = Field(
        "text", description="text (timestamps) or journal (systemd)."
    )


class StoreSection(_Section):
    """Where deadlines are kept."""

    url: str = Field(
        "", description="SQLAlchemy database URL; empty means SQLite at <home>/tracker.db."
    )


class InboxSection(_Section):
    """The inbox folder every installation has."""

    poll_seconds: int = Field(30, ge=1, description="How often the inbox is scanned, in seconds.")


class MailSection(_Section):
    """How reminders are delivered (every key also as TRACKER_MAIL__<KEY>)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    backend: Literal["outbox", "smtp", "log"] = Field(
        "outbox",
        description="outbox writes .eml files to <home>/outbox; smtp sends; log only logs.",
    )
    sender: str = Field(
        "tracker@localhost", alias="from", description="From address of reminder e-mails."
    )
    to: list[str] = Field(
        default_factory=lambda: ["deadlines@localhost"],
        description="Recipients of every reminder when no [[recipients]] are configured.",
    )
    host: str = Field("127.0.0.1", description="SMTP server host.")
    port: int = Field(25, description="SMTP server port.")
    security: Literal["none", "starttls", "tls"] = Field(
        "none", description="none, starttls or tls (implicit TLS, usually port 465)."
    )
    username: str = Field("", description="SMTP user name; empty for no login.")
    password: str = Field("", description="SMTP password: set TRACKER_MAIL__PASSWORD, not here.")
    timeout_seconds: float = Field(30.0, gt=0, description="SMTP connection timeout.")
    verify_tls: bool = Field(True, description="Check the server's TLS certificate.")
    list_unsubscribe_url: str = Field("", description="URL for the List-Unsubscribe header.")
    feed_url: str = Field("", description="Calendar feed link shown in e-mails (default: none).")


class RecipientSettings(BaseModel):
    """One `[[recipients]]` table: who gets which reminders, when and how."""

    model_config = ConfigDict(extra="forbid")

    address: str = Field(description="E-mail address.")
    name: str = Field("", description="Display name.")
    companies: list[str] = Field(default_factory=list, description="Only these companies.")
    products: list[str] = Field(default_factory=list, description="Only these products.")
    authorities: list[str] = Field(default_factory=list, description="Only these: EU, FDA, ...")
    kinds: list[str] = Field(default_factory=list, description="Only these rule or milestone ids.")
    days_before: list[int] | None = Field(None, description="Lead times (default [reminders]).")
    send_at: str | None = Field(None, description="Local time of day (default [reminders]).")
    timezone: str | None = Field(None, description="Time zone (default [tracker] timezone).")
    mode: Literal["each", "daily", "weekly"] = Field(
        "each", description="each: one e-mail per reminder; daily or weekly: a digest."
    )


class AliasSettings(BaseModel):
    """One `[[aliases]]` table: names that stand for one product (of a company, or of any),
    or, without a product, for one company."""

    model_config = ConfigDict(extra="forbid")

    company: str | None = Field(None, description="The company (its name in releases).")
    product: str | None = Field(None, description="The product's name (the current brand).")
    names: list[str] = Field(
        min_length=1, description="Its other names: former names, code names, short names."
    )

    @model_validator(mode="after")
    def _names_something(self) -> AliasSettings:
        if not self.company and not self.product:
            raise ValueError("an alias needs a company or a product")
        return self


class RemindersSection(_Section):
    """When reminders are sent."""

    days_before: list[int] = Field(
        default_factory=lambda: [30, 7, 1], description="Lead times in days before each deadline."
    )
    send_at: str = Field(
        "08:00", description="Local time of day (tracker.timezone) reminders become due."
    )
    check_seconds: int = Field(
        300, ge=1, description="How often owed reminders are looked for, in seconds."
    )
    claim_lease_seconds: int = Field(
        600, ge=1, description="After this long, a claim whose sender died is sent again."
    )


class WebSection(_Section):
    """The calendar feed server."""

    enabled: bool = Field(True, description="Serve calendar feeds and the JSON API.")
    host: str = Field("127.0.0.1", description="Address to bind; 127.0.0.1 keeps it local.")
    port: int = Field(8080, ge=0, le=65535, description="Port to bind.")
    public_url: str = Field(
        "", description="Base URL people subscribe to (default http://host:port)."
    )
    retention_days: int = Field(
        30, ge=0, description="Days a cancelled, moved or met deadline stays in default feeds."
    )
    refresh_minutes: int = Field(60, ge=5, description="How often clients should refresh.")
    session_idle_minutes: int = Field(
        60, ge=1, description="A dashboard session unused this long signs out."
    )
    session_max_hours: int = Field(
        12, ge=1, description="A dashboard session ends this long after sign-in, used or not."
    )
    trusted_user_header: str = Field(
        "",
        description="Header naming the signed-in user, set by a single sign-on proxy"
        " (empty: off; see the README before using it).",
    )
    feed_cache_mb: int = Field(
        64, ge=1, description="Memory kept for built feeds; the least recently used go first."
    )
    header_timeout_seconds: float = Field(
        10.0, gt=0, description="A request must arrive whole (headers and body) within this."
    )
    idle_timeout_seconds: float = Field(
        5.0, gt=0, description="A connection with no request in progress closes after this."
    )
    max_connections: int = Field(
        256, ge=1, description="Connections served at once; more are closed on arrival."
    )
    write_timeout_seconds: float = Field(
        30.0, gt=0, description="A client that takes in none of a response this long is cut off."
    )


class HttpSection(_Section):
    """How the tracker fetches feeds and pages."""

    user_agent: str = Field(
        "regulatory-deadline-tracker/0.1", description="User-Agent sent with every request."
    )
    contact: str = Field(
        "", description="Contact e-mail added to the User-Agent (SEC EDGAR requires one)."
    )
    timeout_seconds: float = Field(20.0, gt=0, description="Timeout of one HTTP request.")
    max_bytes: int = Field(5_000_000, ge=1024, description="Largest response read, in bytes.")
    max_redirects: int = Field(5, ge=0, description="Redirects followed per request.")
    max_items: int = Field(500, ge=1, description="Items taken from one feed or page per run.")
    requests_per_second: float = Field(
        5.0, gt=0, description="Politeness limit per source (SEC allows at most 10)."
    )


class SourceSettings(BaseModel):
    """One `[[sources]]` table."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(description="Stable identifier of the source.")
    type: str = Field(
        description="folder, feed, page, mail, sec, ema-chmp, federal-register, fda-adcomm "
        "or package.module:Class."
    )
    url: str | None = Field(None, description="Feed, page or EDGAR URL.")
    path: str | None = Field(None, description="Folder, mbox or maildir path.")
    every: str = Field("15m", description="Polling interval: 30s, 15m, 2h, 1d.")


class Settings(_Section):
    """All settings."""

    tracker: TrackerSection = Field(default_factory=TrackerSection)
    store: StoreSection = Field(default_factory=StoreSection)
    inbox: InboxSection = Field(default_factory=InboxSection)
    mail: MailSection = Field(default_factory=MailSection)
    reminders: RemindersSection = Field(default_factory=RemindersSection)
    web: WebSection = Field(default_factory=WebSection)
    http: HttpSection = Field(default_factory=HttpSection)
    sources: list[SourceSettings] = Field(default_factory=list)
    recipients: list[RecipientSettings] = Field(default_factory=list)
    aliases: list[AliasSettings] = Field(default_factory=list)

    def effective_recipients(self) -> list[RecipientSettings]:
        """The configured recipients, or everyone in `[mail] to` with the defaults."""
        return self.recipients or [RecipientSettings(address=a) for a in self.mail.to]

    @property
    def home(self) -> Path:
        """The data folder, absolute."""
        return Path(self.tracker.home).expanduser().resolve()

    @property
    def base_url(self) -> str:
        """The feed server's public base URL."""
        return (self.web.public_url or f"http://{self.web.host}:{self.web.port}").rstrip("/")

    @property
    def rules_dir(self) -> Path:
        """The rule-pack folder."""
        return (
            Path(self.tracker.rules_dir)
            if self.tracker.rules_dir
            else PROJECT_DIR / "config" / "rules"
        )

    @property
    def database_url(self) -> str:
        """The database URL in use."""
        return self.store.url or f"sqlite:///{self.home / 'tracker.db'}"


class Loaded(BaseModel):
    """Settings with the list of sources they came from."""

    settings: Settings
    sources: list[str]


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = (
            _deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
        )
    return out


def parse_every(text: str) -> int:
    """Seconds in an interval such as "30s", "15m", "2h" or "1d"."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    text = text.strip().lower()
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit() or int(text[:-1]) < 1:
        raise ConfigError(f"'{text}' is not an interval (30s, 15m, 2h, 1d)")
    return int(text[:-1]) * units[text[-1]]


def _env_layer(environ: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    layer: dict[str, Any] = {}
    names = []
    for name, raw in sorted(environ.items()):
        if not name.startswith("TRACKER_") or "__" not in name:
            continue
        section, _, key = name[len("TRACKER_") :].lower().partition("__")
        value: Any = raw
        if raw[:1] in "[{" or raw in ("true", "false") or raw.lstrip("-").isdigit():
            try:
                value = json.loads(raw)
            except json.JSONDecodeError:
                value = raw
        layer.setdefault(section, {})[key] = value
        names.append(name)
    return layer, names


def load_settings(
    config: Path | None = None, home: str | None = None, environ: dict[str, str] | None = None
) -> Loaded:
    """Load settings: defaults, then the TOML file, then environment, then `home`."""
    environ = dict(os.environ if environ is None else environ)
    data: dict[str, Any] = {}
    sources = ["defaults"]
    path = config or (Path(environ["TRACKER_CONFIG"]) if environ.get("TRACKER_CONFIG") else None)
    if path is None and DEFAULT_CONFIG.exists():
        path = DEFAULT_CONFIG
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as e:
            raise ConfigError(f"{path}: cannot read: {e.strerror}") from e
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{path}: invalid TOML: {e}") from e
        sources.append(str(path))
    env, names = _env_layer(environ)
    if names:
        data = _deep_merge(data, env)
        sources.append("environment (" + ", ".join(names) + ")")
    if home:
        sources.append("--home")
    elif environ.get("TRACKER_HOME"):
        home = environ["TRACKER_HOME"]
        sources.append("TRACKER_HOME")
    if home:
        data = _deep_merge(data, {"tracker": {"home": home}})
    try:
        settings = Settings.model_validate(data)
    except ValidationError as e:
        from tracker.settings_hint import describe

        raise ConfigError(describe(dict(e.errors()[0]), Settings, path)) from e
    return Loaded(settings=settings, sources=sources)


def example_toml() -> str:
    """Every setting, commented out at its default, with its description."""
    lines = [
        "# Tracker settings. Copy to config/tracker.toml and uncomment what you change.",
        "# Environment variables TRACKER_<SECTION>__<KEY> override this file.",
        "",
    ]
    for name, field in Settings.model_fields.items():
        if name in ("sources", "recipients", "aliases"):
            continue
        section = field.default_factory() if field.default_factory else field.default  # type: ignore[call-arg]
        lines.append(f"[{name}]")
        for key, f in type(section).model_fields.items():
            lines.append(f"# {f.description}")
            lines.append(f"# {f.alias or key} = {_toml_value(getattr(section, key))}")
        lines.append("")
    lines += [
        "# Sources beyond the inbox, each polled on its own schedule (`every`).",
        "# [[sources]]",
        '# id = "agency-press"',
        '# type = "feed"  # folder | feed | page | mail | sec | ema-chmp | package.module:Class',
        '# url = "https://example.org/press.rss"',
        '# every = "15m"',
        "",
        "# Who gets reminders; without any, everyone in [mail] to gets each reminder.",
        "# [[recipients]]",
        '# address = "ra@example.org"',
        '# name = "Regulatory affairs"',
        "# companies = []          # only these companies (empty: all)",
        "# products = []",
        "# authorities = []        # EU, FDA, HC, MHRA, PMDA ...",
        "# kinds = []              # rule or milestone ids, e.g. reexamination-grounds",
        "# days_before = [30, 7, 1]",
        '# send_at = "08:00"',
        '# timezone = "Europe/Amsterdam"',
        '# mode = "each"           # each | daily | weekly (a digest)',
        "",
        "# Names that stand for one product (or, without a product, one company): releases",
        "# naming any of them go to the same procedure.",
        "# [[aliases]]",
        '# company = "Pharming Group N.V."',
        '# product = "Ruconest"',
        '# names = ["Rhucin", "rhC1INH"]',
        "",
    ]
    return "\n".join(lines)


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return str(v)
