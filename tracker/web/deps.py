"""What every router shares: the app's state, the signed-in user, page rendering."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse

from tracker import __version__, clock
from tracker.settings import Settings
from tracker.store import Store
from tracker.store.dashboard import Dashboard
from tracker.templating import environment
from tracker.web.auth import Auth, Forbidden, LoginRequired, Principal

if TYPE_CHECKING:
    from tracker.pipeline import Context
    from tracker.web.feeds import Feeds, FeedToken


@dataclass
class WebState:
    """The app's long-lived parts, on `app.state.web`."""

    store: Store
    settings: Settings
    feeds: Feeds
    token: FeedToken
    auth: Auth
    dashboard: Dashboard
    ctx: Context | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def context(self) -> Context:
        """The pipeline context editors' changes go through (rule packs loaded once)."""
        with self._lock:
            if self.ctx is None:
                from tracker.pipeline import Context
                from tracker.rules.loader import load_packs

                self.ctx = Context(self.settings, self.store, load_packs(self.settings.rules_dir))
            return self.ctx


def state(request: Request) -> WebState:
    """The app's state."""
    return request.app.state.web  # type: ignore[no-any-return]


def principal(request: Request) -> Principal | None:
    """The signed-in user of this request, or None."""
    return state(request).auth.principal(request)


def require(request: Request, role: str = "viewer") -> Principal:
    """The signed-in user if their role allows `role`; LoginRequired or Forbidden otherwise."""
    who = principal(request)
    if who is None:
        raise LoginRequired()
    if not who.user.may(role):
        raise Forbidden(who.user, role)
    return who


def viewer(request: Request) -> Principal:
    """Dependency: anyone signed in."""
    return require(request, "viewer")


def today(st: WebState) -> date:
    """Today in the tracker's time zone."""
    from tracker.pipeline import local_today

    return local_today(st.settings, clock.now())


NAV = (
    ("upcoming", "/upcoming", "Upcoming"),
    ("timeline", "/timeline", "Timeline"),
    ("procedures", "/procedures", "Procedures"),
    ("subscribe", "/subscribe", "Subscribe"),
    ("sources", "/sources", "Sources"),
    ("audit", "/audit", "Audit log"),
)


def link(path: str, **params: Any) -> str:
    """`path?query` with the empty parameters left out."""
    kept = {k: v for k, v in params.items() if v not in (None, "", False)}
    return path + ("?" + urlencode(kept) if kept else "")


def render(
    request: Request,
    template: str,
    who: Principal | None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **values: Any,
) -> HTMLResponse:
    """A page from `templates/web/` (autoescaped), with the user, CSRF token and menu."""
    st = state(request)
    env = environment(st.settings.tracker.templates_dir or None)
    page = env.get_template(template).render(
        user=who.user if who else None,
        csrf=who.csrf if who else "",
        nav=NAV if who else (),
        here=request.url.path,
        version=__version__,
        link=link,
        **values,
    )
    return HTMLResponse(page, status_code=status_code, headers=headers)
