"""The web server: calendar feeds (token), the JSON API (token or session), the signed-in
dashboard (pages and editors' changes), sign-in, health and the API reference.

One router per concern: `feeds`, `api`, `pages`, `actions`, `admin`, `login`; `auth` holds
passwords, sessions and CSRF; `app` builds the application. What other modules import from
here stays importable as before (`tracker.web.make_app`, `feed_token`, ...).
"""

from __future__ import annotations

from tracker.web.app import Server, make_app
from tracker.web.feeds import (
    STATUSES,
    Feeds,
    feed_paths,
    feed_token,
    feed_urls,
    recipient_paths,
)

__all__ = [
    "STATUSES",
    "Feeds",
    "Server",
    "feed_paths",
    "feed_token",
    "feed_urls",
    "make_app",
    "recipient_paths",
]
