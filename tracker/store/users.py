"""Dashboard users, their sessions and the server secret: the queries, nothing else.

Hashing and checking passwords, signing cookies and deciding who may do what belong to
`tracker.web.auth`; this module only keeps rows. Every change to a user (added, new role,
new password, removed) writes its audit entry in the same transaction: who made it
(`by`: the signed-in admin, `tracker --as`, else the OS user), when, and the user's name
and role; never a password or its hash.
"""

from __future__ import annotations

import getpass
import os
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlmodel import Session, col, select

from tracker.errors import NotFoundError, TrackerError
from tracker.store.repo import Store
from tracker.store.tables import WebSecretRow, WebSessionRow, WebSubscriptionRow, WebUserRow

ROLES = ("viewer", "editor", "admin")
MAX_SUBSCRIPTIONS = 20  # a user's own feeds


@dataclass(frozen=True, slots=True)
class User:
    """A dashboard user as the web and the CLI see it (no hash)."""

    name: str
    role: str
    created_at: datetime | None = None

    def may(self, role: str) -> bool:
        """True when this user's role includes `role` (admin > editor > viewer)."""
        return ROLES.index(self.role) >= ROLES.index(role)


@dataclass(frozen=True, slots=True)
class Subscription:
    """A user's own feed: the filter saved (slugs of a company and a product, an authority;
    "" for any) and the token its address carries."""

    id: int
    user_name: str
    token: str
    label: str
    company: str
    product: str
    agency: str
    created_at: datetime

    def describe(self) -> str:
        """'company=x product=y agency=z', the parts chosen (for the audit log)."""
        parts = (("company", self.company), ("product", self.product), ("agency", self.agency))
        return " ".join(f"{k}={v}" for k, v in parts if v)


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A stored session: whose it is, its CSRF token and when it was last used."""

    id_hash: str
    user: User
    csrf: str
    created_at: datetime
    last_seen: datetime


class Users:
    """Users, sessions and the signing secret in the tracker's database."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine

    def _audit(
        self,
        s: Session,
        by: str | None,
        action: str,
        now: datetime,
        name: str,
        before: str | None = None,
        after: str | None = None,
    ) -> None:
        self.store.record(by or _os_user(), action, now, None, name, before, after, session=s)

    # users

    def add(
        self, name: str, role: str, password_hash: str, now: datetime, by: str | None = None
    ) -> User:
        """Create a user; a name already taken is an error."""
        if role not in ROLES:
            raise TrackerError(f"unknown role '{role}' (one of {', '.join(ROLES)})")
        with Session(self.engine) as s:
            if s.exec(select(WebUserRow.id).where(WebUserRow.name == name)).first() is not None:
                raise TrackerError(f"user '{name}' exists already (use `tracker users passwd`)")
            s.add(
                WebUserRow(
                    name=name,
                    role=role,
                    password_hash=password_hash,
                    created_at=now,
                    changed_at=now,
                )
            )
            self._audit(s, by, "user-add", now, name, after=role)
            s.commit()
        return User(name, role, now)

    def all(self) -> list[User]:
        """Every user, by name."""
        with Session(self.engine) as s:
            rows = s.exec(select(WebUserRow).order_by(WebUserRow.name)).all()
            return [User(r.name, r.role, r.created_at) for r in rows]

    def get(self, name: str) -> User | None:
        """A user by name, or None."""
        with Session(self.engine) as s:
            r = s.exec(select(WebUserRow).where(WebUserRow.name == name)).first()
            return User(r.name, r.role, r.created_at) if r else None

    def password_hash(self, name: str) -> str | None:
        """The stored hash of a user's password (None for an unknown user)."""
        with Session(self.engine) as s:
            return s.exec(select(WebUserRow.password_hash).where(WebUserRow.name == name)).first()

    def _row(self, s: Session, name: str) -> WebUserRow:
        row = s.exec(select(WebUserRow).where(WebUserRow.name == name)).first()
        if row is None:
            raise NotFoundError(f"no user '{name}' (see `tracker users list`)")
        return row

    def set_password(
        self, name: str, password_hash: str, now: datetime, by: str | None = None
    ) -> None:
        """Replace a user's password; every session of theirs ends."""
        with Session(self.engine) as s:
            row = self._row(s, name)
            row.password_hash, row.changed_at = password_hash, now
            s.add(row)
            s.execute(delete(WebSessionRow).where(col(WebSessionRow.user_name) == name))
            self._audit(s, by, "user-passwd", now, name)
            s.commit()

    def rehash(self, name: str, password_hash: str) -> None:
        """Store a stronger hash of the same password (sessions stay)."""
        with Session(self.engine) as s:
            row = self._row(s, name)
            row.password_hash = password_hash
            s.add(row)
            s.commit()

    def set_role(self, name: str, role: str, now: datetime, by: str | None = None) -> None:
        """Change a user's role; their sessions end, so the new rights apply at once."""
        if role not in ROLES:
            raise TrackerError(f"unknown role '{role}' (one of {', '.join(ROLES)})")
        with Session(self.engine) as s:
            row = self._row(s, name)
            before = row.role
            row.role, row.changed_at = role, now
            s.add(row)
            s.execute(delete(WebSessionRow).where(col(WebSessionRow.user_name) == name))
            self._audit(s, by, "user-role", now, name, before, role)
            s.commit()

    def remove(self, name: str, now: datetime, by: str | None = None) -> None:
        """Delete a user, every session of theirs and their own feeds."""
        with Session(self.engine) as s:
            row = self._row(s, name)
            role = row.role
            s.delete(row)
            s.execute(delete(WebSessionRow).where(col(WebSessionRow.user_name) == name))
            s.execute(delete(WebSubscriptionRow).where(col(WebSubscriptionRow.user_name) == name))
            self._audit(s, by, "user-remove", now, name, before=role)
            s.commit()

    # a user's own feeds

    def subscriptions(self, name: str) -> list[Subscription]:
        """A user's own feeds, oldest first."""
        with Session(self.engine) as s:
            rows = s.exec(
                select(WebSubscriptionRow)
                .where(WebSubscriptionRow.user_name == name)
                .order_by(col(WebSubscriptionRow.id))
            ).all()
            return [_subscription(r) for r in rows]

    def subscription(self, token: str) -> Subscription | None:
        """The feed a token opens (None for an unknown token, or a user no longer there)."""
        with Session(self.engine) as s:
            row = s.exec(
                select(WebSubscriptionRow)
                .join(WebUserRow, col(WebUserRow.name) == col(WebSubscriptionRow.user_name))
                .where(WebSubscriptionRow.token == token)
            ).first()
            return _subscription(row) if row else None

    def add_subscription(
        self, name: str, label: str, company: str, product: str, agency: str, now: datetime
    ) -> Subscription:
        """Save a filter as `name`'s own feed under a new random token (audited)."""
        with Session(self.engine) as s:
            self._row(s, name)
            have = s.exec(
                select(WebSubscriptionRow.id).where(WebSubscriptionRow.user_name == name)
            ).all()
            if len(have) >= MAX_SUBSCRIPTIONS:
                raise TrackerError(
                    f"you have {MAX_SUBSCRIPTIONS} feeds of your own already: remove one first"
                )
            row = WebSubscriptionRow(
                user_name=name,
                token=secrets.token_urlsafe(24),
                label=label[:200],
                company=company,
                product=product,
                agency=agency,
                created_at=now,
            )
            s.add(row)
            s.flush()
            made = _subscription(row)
            self._audit(s, name, "subscription-add", now, made.label, after=made.describe())
            s.commit()
            return made

    def remove_subscription(self, name: str, subscription_id: int, now: datetime) -> None:
        """Delete one of `name`'s own feeds: its address stops working (audited)."""
        with Session(self.engine) as s:
            row = s.get(WebSubscriptionRow, subscription_id)
            if row is None or row.user_name != name:
                raise NotFoundError(f"you have no feed {subscription_id}")
            gone = _subscription(row)
            s.delete(row)
            self._audit(s, name, "subscription-remove", now, gone.label, before=gone.describe())
            s.commit()

    # sessions

    def start_session(self, id_hash: str, name: str, csrf: str, now: datetime) -> None:
        """Record a new signed-in session."""
        with Session(self.engine) as s:
            s.add(
                WebSessionRow(
                    id_hash=id_hash, user_name=name, csrf=csrf, created_at=now, last_seen=now
                )
            )
            s.commit()

    def session(self, id_hash: str) -> SessionInfo | None:
        """A session with its user (None when either is gone)."""
        with Session(self.engine) as s:
            hit = s.exec(
                select(WebSessionRow, WebUserRow)
                .join(WebUserRow, col(WebUserRow.name) == col(WebSessionRow.user_name))
                .where(WebSessionRow.id_hash == id_hash)
            ).first()
            if hit is None:
                return None
            row, user = hit
            return SessionInfo(
                row.id_hash,
                User(user.name, user.role, user.created_at),
                row.csrf,
                row.created_at,
                row.last_seen,
            )

    def touch_session(self, id_hash: str, now: datetime) -> None:
        """Note that a session was used now."""
        with Session(self.engine) as s:
            row = s.get(WebSessionRow, id_hash)
            if row is not None:
                row.last_seen = now
                s.add(row)
                s.commit()

    def end_session(self, id_hash: str) -> None:
        """Forget a session (sign out)."""
        with Session(self.engine) as s:
            s.execute(delete(WebSessionRow).where(col(WebSessionRow.id_hash) == id_hash))
            s.commit()

    def end_idle_sessions(self, idle_since: datetime, started_before: datetime) -> int:
        """Delete sessions unused since `idle_since` or older than `started_before`."""
        with Session(self.engine) as s:
            result = s.execute(
                delete(WebSessionRow).where(
                    (col(WebSessionRow.last_seen) < idle_since)
                    | (col(WebSessionRow.created_at) < started_before)
                )
            )
            s.commit()
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # the secret

    def secret(self, name: str) -> str:
        """A random secret made once and shared through the database by every daemon."""
        with Session(self.engine) as s:
            found = s.get(WebSecretRow, name)
            if found is not None:
                return found.value
            conn = s.connection()
            module = pg_dialect if conn.dialect.name == "postgresql" else sqlite_dialect
            conn.execute(
                module.insert(WebSecretRow.__table__)  # type: ignore[attr-defined]
                .values(name=name, value=secrets.token_urlsafe(48))
                .on_conflict_do_nothing(index_elements=["name"])
            )
            s.commit()
            found = s.get(WebSecretRow, name)
            assert found is not None
            return found.value


def _os_user() -> str:
    """Who changed a user when nobody is named: the OS user running the tracker."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or f"uid-{os.getuid()}"


def _subscription(r: WebSubscriptionRow) -> Subscription:
    return Subscription(
        r.id or 0, r.user_name, r.token, r.label, r.company, r.product, r.agency, r.created_at
    )
