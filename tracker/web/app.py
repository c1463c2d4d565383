"""The ASGI application: one router per concern, the shared error pages, security headers,
the API reference served offline; uvicorn in a thread of the daemon is `server.Server`."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracker import __version__
from tracker.settings import Settings
from tracker.store import Store
from tracker.store.dashboard import Dashboard
from tracker.web import actions, admin, api, feeds, login, pages, subscriptions
from tracker.web.auth import Auth, CsrfFailed, Forbidden, LoginRequired
from tracker.web.deps import WebState, principal, render, require
from tracker.web.server import Server

__all__ = ["Server", "make_app"]

if TYPE_CHECKING:
    from tracker.pipeline import Context

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"

# Pages: nothing from elsewhere, no inline script or style, no framing.
_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
# Swagger UI starts from an inline script and sets inline styles.
_DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"
)


class GZipButFeeds:
    """gzip for pages and the API (compressed per response); calendar feeds are compressed
    once per version by `feeds` itself, so they pass untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=1024)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].endswith(".ics"):
            await self.app(scope, receive, send)
        else:
            await self.gzip(scope, receive, send)


class SecurityHeaders:
    """Adds nosniff, no-referrer (feed URLs carry the token), no framing, and on HTML a
    content security policy and no-store (pages hold tracked data)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"].startswith("/docs")

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _v in headers}
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                ]
                kind = dict(headers).get(b"content-type", b"")
                if kind.startswith(b"text/html"):
                    headers.append(
                        (b"content-security-policy", (_DOCS_CSP if docs else _CSP).encode())
                    )
                    if b"cache-control" not in names:
                        headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, sending)


def make_app(store: Store, settings: Settings, ctx: Context | None = None) -> FastAPI:
    """The ASGI application. `ctx` (rule packs loaded) is where editors' changes go; without
    one it is made on the first change."""
    app = FastAPI(
        title="Regulatory deadline tracker",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # served by `_docs`, behind sign-in or the token
    )
    app.add_middleware(GZipButFeeds)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(feeds.NotModifiedFastPath)  # outermost: a feed's 304 ends here
    app.state.web = WebState(
        store=store,
        settings=settings,
        feeds=feeds.Feeds(store, settings),
        token=feeds.FeedToken(store, settings.home),
        auth=Auth(store, settings),
        dashboard=Dashboard(store),
        ctx=ctx,
    )
    _errors(app)
    app.mount("/assets", StaticFiles(directory=STATIC), name="assets")

    from tracker import health

    monitor = health.Monitor(store, settings)

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        """Ok, or degraded (HTTP 503) naming each problem: see tracker.health. Answered at
        once from a verdict at most about a second old, checked again in the background."""
        verdict = await monitor.latest()
        return JSONResponse(verdict.as_json(), status_code=200 if verdict.ok else 503)

    _docs(app)
    app.include_router(login.router)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(actions.router)
    app.include_router(admin.router)
    app.include_router(subscriptions.router)
    app.include_router(feeds.router)  # last: its /{token}/... paths would shadow the others
    return app


def _docs(app: FastAPI) -> None:
    """The API reference (Swagger UI from the swagger-ui-bundle package: no CDN), signed-in
    users only; its OpenAPI document for them or the API token."""
    from swagger_ui_bundle import swagger_ui_path

    assets = Path(swagger_ui_path)

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> Response:
        require(request)
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Regulatory deadline tracker API",
            swagger_js_url="/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/docs/assets/swagger-ui.css",
            swagger_favicon_url="/docs/assets/favicon-32x32.png",
        )

    @app.get("/openapi.json", include_in_schema=False, dependencies=[Depends(api.token_or_session)])
    def openapi_json() -> JSONResponse:
        """The API's shape: for those who may use the API (the token or a session)."""
        return JSONResponse(app.openapi())

    @app.get("/docs/assets/{name}", include_in_schema=False)
    def docs_asset(request: Request, name: str) -> Response:
        require(request)
        allowed = {"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"}
        if name not in allowed:
            raise HTTPException(404)
        return FileResponse(assets / name, headers={"Cache-Control": "private, max-age=86400"})


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def _errors(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        if not _wants_html(request):
            return PlainTextResponse("sign in first", status_code=401)
        from urllib.parse import quote

        from fastapi.responses import RedirectResponse

        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            target = "/"
        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return _error_page(request, 403, "Not allowed", str(exc))

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, exc: CsrfFailed) -> Response:
        return _error_page(
            request,
            403,
            "The form has expired",
            "Its security token did not match your session. Go back, reload the page and try"
            " again.",
        )

    @app.exception_handler(StarletteHTTPException)
    async def _plain_errors(request: Request, exc: StarletteHTTPException) -> Response:
        text = "not found" if exc.status_code == 404 else str(exc.detail)
        headers = getattr(exc, "headers", None)
        return PlainTextResponse(text, status_code=exc.status_code, headers=headers)

    @app.exception_handler(Exception)
    async def _server_error(request: Request, exc: Exception) -> Response:
        logger.exception("error serving %s", request.url.path)
        return PlainTextResponse("internal error", status_code=500)


def _error_page(request: Request, code: int, title: str, message: str) -> Response:
    if not _wants_html(request):
        return PlainTextResponse(message, status_code=code)
    return render(
        request,
        "web/error.html",
        principal(request),
        status_code=code,
        title=title,
        message=message,
    )
