"""uvicorn in a thread of the daemon, with limits no client can outlast.

uvicorn by itself closes a kept-alive connection only after a response: a client that
connects and says nothing, or sends its request a byte at a time, is held until it leaves,
and there is no cap on connections. The protocol here adds, from `[web]`:

- `idle_timeout_seconds`: a connection with no request under way (just opened, or between
  requests) is closed after this long (uvicorn's keep-alive timeout, armed at connect too);
- `header_timeout_seconds`: a request must arrive whole, headers and body, within this long
  from its first byte, however slowly it trickles;
- `max_connections`: a connection beyond this many is answered 503 and closed at once;
- `write_timeout_seconds`: a client that takes in none of a response for this long (the
  server's send buffer stays above its high-water mark: the client reads nothing, or too
  little to bring it back under the low-water mark) is disconnected, its buffer dropped.

Request heads are capped at 16 KB by h11 (uvicorn's default); a longer one gets 400.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import h11
from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol

logger = logging.getLogger(__name__)

_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 5\r\nretry-after: 1\r\nconnection: close\r\n\r\nbusy\n"
)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with an idle timeout from the first moment, a deadline for each
    request to arrive whole, a cap on connections, and a deadline for a full send buffer to
    drain. Subclassed per server with its
    values (`guarded_protocol`)."""

    header_timeout: float = 10.0
    max_connections: int = 256
    write_timeout: float = 30.0
    _request_timer: asyncio.TimerHandle | None = None
    _write_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            logger.warning("more than %d connections: one refused", self.max_connections)
            transport.write(_BUSY)
            transport.close()
            return
        # Silent from the start: closed after the idle timeout, as between requests.
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.transport.is_closing():
            self._cancel_request_timer()
            return
        if self.conn.their_state in (h11.IDLE, h11.SEND_BODY):
            # A request has begun and is not whole yet: it has until the deadline.
            if self._request_timer is None:
                self._request_timer = self.loop.call_later(
                    self.header_timeout, self._request_too_slow
                )
        else:
            self._cancel_request_timer()

    def on_response_complete(self) -> None:
        self._cancel_request_timer()
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_request_timer()
        self._cancel_write_timer()
        super().connection_lost(exc)

    def pause_writing(self) -> None:
        # The send buffer is full: the client has until the write timeout to take some in.
        super().pause_writing()
        if self._write_timer is None:
            self._write_timer = self.loop.call_later(self.write_timeout, self._write_too_slow)

    def resume_writing(self) -> None:
        self._cancel_write_timer()
        super().resume_writing()

    def _cancel_write_timer(self) -> None:
        if self._write_timer is not None:
            self._write_timer.cancel()
            self._write_timer = None

    def _write_too_slow(self) -> None:
        self._write_timer = None
        logger.warning(
            "a client took in nothing for %g s: disconnected (%d bytes unsent)",
            self.write_timeout,
            self.transport.get_write_buffer_size(),
        )
        # Not close(): that would wait, forever, for the buffer to be sent.
        self.transport.abort()

    def _cancel_request_timer(self) -> None:
        if self._request_timer is not None:
            self._request_timer.cancel()
            self._request_timer = None

    def _request_too_slow(self) -> None:
        self._request_timer = None
        if not self.transport.is_closing() and self.conn.their_state in (h11.IDLE, h11.SEND_BODY):
            self.transport.close()


def guarded_protocol(
    header_timeout: float, max_connections: int, write_timeout: float = 30.0
) -> type[GuardedH11Protocol]:
    """The protocol class with these limits."""
    return type(
        "GuardedH11",
        (GuardedH11Protocol,),
        {
            "header_timeout": header_timeout,
            "max_connections": max_connections,
            "write_timeout": write_timeout,
        },
    )


class Server:
    """uvicorn in a thread of the daemon, stopped cleanly with it. The limits come from the
    app's `[web]` settings; once it listens, the address it really listens on is recorded in
    the data folder for `tracker feeds`."""

    def __init__(self, app: FastAPI, host: str, port: int) -> None:
        import uvicorn

        web = getattr(app.state, "web", None)
        self.settings = web.settings if web is not None else None
        limits: dict[str, Any] = {}
        if self.settings is not None:
            w = self.settings.web
            limits = {
                "http": guarded_protocol(
                    w.header_timeout_seconds, w.max_connections, w.write_timeout_seconds
                ),
                "timeout_keep_alive": w.idle_timeout_seconds,
            }
        self.config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            **limits,
        )
        self.server = uvicorn.Server(self.config)
        self.server.install_signal_handlers = lambda: None  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.run, name="web", daemon=True)

    def start(self) -> None:
        """Start serving; returns once the socket listens."""
        self.thread.start()
        for _ in range(500):
            if self.server.started or not self.thread.is_alive():
                break
            threading.Event().wait(0.01)
        if not self.server.started:
            raise OSError(f"web server did not start on {self.config.host}:{self.config.port}")
        if self.settings is not None:
            from tracker.web.feeds import listening_url, record_address

            record_address(self.settings.home, listening_url(self.config.host, self.port))

    def stop(self) -> None:
        """Finish open requests and stop."""
        self.server.should_exit = True
        self.thread.join(timeout=10)
        if self.settings is not None:
            from tracker.web.feeds import forget_address

            forget_address(self.settings.home)

    @property
    def port(self) -> int:
        """The port actually bound (useful with port 0)."""
        servers: Any = getattr(self.server, "servers", [])
        for s in servers:
            for sock in s.sockets:
                return int(sock.getsockname()[1])
        return int(self.config.port)
