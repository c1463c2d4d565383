"""Who is asking: passwords, sessions in signed cookies, CSRF tokens, the login wall.

- Passwords are hashed with Argon2id (argon2-cffi's defaults); an unknown name costs a
  verification too, so timing does not tell which names exist.
- A session is a random id in a signed, HttpOnly, SameSite=Lax cookie (Secure, and named
  `__Host-...`, when the public URL is https). The database keeps only the id's SHA-256, its
  user, its CSRF token and when it was last used: signing out, a new password, a new role or
  a removed user ends it at once, and it ends by itself when idle or old.
- Every form carries the session's CSRF token, compared in constant time; the login form,
  before any session, carries one tied to a signed cookie of its own.
- Failed logins are counted per name and per client address, in memory, over a sliding
  window; past the limit the form answers 429 without checking the password.
- `[web] trusted_user_header`, when set, takes the user from a header a single sign-on proxy
  sets; the name must be a tracker user (that gives the role).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from fastapi import Request

from tracker import clock
from tracker.errors import TrackerError
from tracker.settings import Settings
from tracker.store import Store
from tracker.store.users import ROLES, User, Users

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
MAX_FORM_BYTES = 64 * 1024

_hasher = PasswordHasher()
# Checked against when a name is unknown, so that case costs the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """An Argon2id hash of a password that meets the policy."""
    check_password_policy(password)
    return _hasher.hash(password)


def check_password_policy(password: str) -> None:
    """Raise TrackerError naming what is wrong with a new password."""
    if len(password) < MIN_PASSWORD:
        raise TrackerError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise TrackerError(f"a password has at most {MAX_PASSWORD} characters")


def check_name(name: str) -> str:
    """The user name if it is acceptable (letters, digits, . _ @ -), else TrackerError."""
    if not NAME.match(name):
        raise TrackerError(
            f"'{name}' is not a user name: 1 to 100 letters, digits, '.', '_', '@' or '-'"
        )
    return name


def check_role(role: str) -> str:
    """The role if known, else TrackerError."""
    if role not in ROLES:
        raise TrackerError(f"unknown role '{role}' (one of {', '.join(ROLES)})")
    return role


def verify_password(stored: str | None, password: str) -> bool:
    """True when `password` matches `stored` (a missing user checks a dummy hash)."""
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


class LoginLimiter:
    """Failed sign-ins per name and per client address over a sliding window."""

    def __init__(self, window: float = 900.0, per_name: int = 5, per_address: int = 20) -> None:
        self.window, self.per_name, self.per_address = window, per_name, per_address
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._fails.setdefault(key, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def wait(self, name: str, address: str) -> int:
        """Seconds until a sign-in may be tried again (0: now)."""
        now = time.monotonic()
        with self._lock:
            waits = [0.0]
            for key, limit in (
                (f"n:{name.lower()}", self.per_name),
                (f"a:{address}", self.per_address),
            ):
                q = self._recent(key, now)
                if len(q) >= limit:
                    waits.append(q[-limit] + self.window - now)
            return int(max(waits)) + (1 if max(waits) > 0 else 0)

    def failed(self, name: str, address: str) -> None:
        """Count a failed attempt."""
        now = time.monotonic()
        with self._lock:
            for key in (f"n:{name.lower()}", f"a:{address}"):
                self._recent(key, now).append(now)
            if len(self._fails) > 10_000:  # forget the quiet ones; memory stays bounded
                for key in [k for k, q in self._fails.items() if not self._recent(k, now)]:
                    del self._fails[key]

    def succeeded(self, name: str) -> None:
        """A good password clears the name's count (not the address's)."""
        with self._lock:
            self._fails.pop(f"n:{name.lower()}", None)


@dataclass(frozen=True, slots=True)
class Principal:
    """A signed-in user for one request: who, their CSRF token, and their session."""

    user: User
    csrf: str
    session: str | None  # the session id's hash; None for a user named by the proxy header


class LoginRequired(Exception):
    """Raised by a dependency when nobody is signed in."""


class Forbidden(Exception):
    """Raised when the signed-in user's role does not allow the action."""

    def __init__(self, user: User, needed: str) -> None:
        super().__init__(f"{user.name} is a {user.role}; this needs the {needed} role")


class CsrfFailed(Exception):
    """Raised when a form's CSRF token is missing or wrong."""


class Auth:
    """Sessions, cookies and CSRF for one app."""

    TOUCH_EVERY = timedelta(seconds=60)

    def __init__(self, store: Store, settings: Settings) -> None:
        self.users = Users(store)
        self.settings = settings
        self.secure = settings.base_url.startswith("https://")
        prefix = "__Host-" if self.secure else ""
        self.cookie = f"{prefix}tracker-session"
        self.login_cookie = f"{prefix}tracker-login"
        self.limiter = LoginLimiter()
        self.header = settings.web.trusted_user_header.strip()
        self.idle = timedelta(minutes=settings.web.session_idle_minutes)
        self.max_age = timedelta(hours=settings.web.session_max_hours)
        self._key: bytes | None = None

    @property
    def key(self) -> bytes:
        """The signing key, read from (or made once in) the database on first use."""
        if self._key is None:
            self._key = self.users.secret("session-signing").encode()
        return self._key

    def _mac(self, purpose: str, value: str) -> str:
        digest = hmac.new(self.key, f"{purpose}|{value}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def sign(self, purpose: str, value: str) -> str:
        """`value.signature`, for a cookie."""
        return f"{value}.{self._mac(purpose, value)}"

    def unsign(self, purpose: str, signed: str | None) -> str | None:
        """The value of a signed cookie, or None when it is missing or forged."""
        if not signed or "." not in signed:
            return None
        value, mac = signed.rsplit(".", 1)
        return value if hmac.compare_digest(mac, self._mac(purpose, value)) else None

    # sessions

    def sign_in(self, user: User, now: datetime) -> str:
        """Start a session for `user`; returns the cookie value."""
        sid = secrets.token_urlsafe(32)
        self.users.start_session(_hash(sid), user.name, secrets.token_urlsafe(32), now)
        return self.sign("session", sid)

    def sign_out(self, principal: Principal) -> None:
        """End the principal's session."""
        if principal.session:
            self.users.end_session(principal.session)

    def principal(self, request: Request) -> Principal | None:
        """Who is asking (cached on the request), or None."""
        if "principal" in request.scope.get("state", {}):
            return request.state.principal  # type: ignore[no-any-return]
        found = self._resolve(request, clock.now())
        request.state.principal = found
        return found

    def _resolve(self, request: Request, now: datetime) -> Principal | None:
        if self.header:
            name = request.headers.get(self.header, "").strip()
            if name:
                user = self.users.get(name)
                return Principal(user, self._mac("csrf-header", user.name), None) if user else None
        sid = self.unsign("session", request.cookies.get(self.cookie))
        if sid is None:
            return None
        found = self.users.session(_hash(sid))
        if found is None:
            return None
        if now - found.last_seen > self.idle or now - found.created_at > self.max_age:
            self.users.end_session(found.id_hash)
            return None
        if now - found.last_seen > self.TOUCH_EVERY:
            self.users.touch_session(found.id_hash, now)
        return Principal(found.user, found.csrf, found.id_hash)

    def check_csrf(self, principal: Principal, given: str | None) -> None:
        """CsrfFailed unless `given` is the principal's token."""
        if not given or not hmac.compare_digest(given.encode(), principal.csrf.encode()):
            raise CsrfFailed()

    # the login form's own CSRF pair

    def login_token(self, request: Request) -> tuple[str, str | None]:
        """(token for the form, cookie value to set or None if the browser has one)."""
        have = self.unsign("login", request.cookies.get(self.login_cookie))
        if have:
            return have, None
        token = secrets.token_urlsafe(24)
        return token, self.sign("login", token)

    def check_login_token(self, request: Request, given: str | None) -> None:
        """CsrfFailed unless the form's token matches the login cookie."""
        have = self.unsign("login", request.cookies.get(self.login_cookie))
        if not have or not given or not hmac.compare_digest(have.encode(), given.encode()):
            raise CsrfFailed()

    def set_cookie(self, response: object, name: str, value: str, max_age: int | None) -> None:
        """Set a cookie with this app's flags (HttpOnly, SameSite=Lax, Secure on https)."""
        response.set_cookie(  # type: ignore[attr-defined]
            name,
            value,
            max_age=max_age,
            httponly=True,
            samesite="lax",
            secure=self.secure,
            path="/",
        )


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def client_address(request: Request) -> str:
    """The peer's address (behind a proxy, the proxy's: limits then apply per proxy)."""
    return request.client.host if request.client else "?"


async def read_form(request: Request) -> dict[str, str]:
    """An urlencoded form body (the only kind our forms send), at most 64 KB."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return {}
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise TrackerError("the form is too large")
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


def safe_next(target: str | None) -> str:
    """A local path to go to after sign-in (anything else goes to the start page)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
