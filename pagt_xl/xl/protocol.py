"""uvicorn's HTTP/1.1 protocol (h11) with a deadline for the request line and headers.

uvicorn 0.55 bounds the size of a request's headers (``h11_max_incomplete_event_size``)
and closes idle keep-alive connections (``--timeout-keep-alive``), but a client
that sends its headers slowly, or never finishes them, keeps its connection
for ever: the keep-alive timer is cancelled by the first byte, and a new
connection has no timer at all. 200 such connections ("slowloris") stay open.

:class:`GuardedH11Protocol` closes a connection whose request line and headers
have not all arrived ``PAGT_XL_HEADER_TIMEOUT`` seconds (10) after it was opened
or after its previous answer. ``pagt-xl serve`` uses it; started the stock way
it is ``uvicorn pagt_xl.xl.asgi:app --http pagt_xl.xl.protocol:GuardedH11Protocol``
(what ``deploy/Dockerfile`` runs). A slow *body* is bounded by the app itself
(:func:`pagt_xl.xl.web.read_body`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from pagt_xl.xl.settings import current_settings

logger = logging.getLogger("pagt_xl.xl")


class GuardedH11Protocol(H11Protocol):
    """:class:`uvicorn.protocols.http.h11_impl.H11Protocol` plus a header deadline (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = current_settings().header_timeout
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._check()

    def on_response_complete(self) -> None:
        self._arm()
        super().on_response_complete()
        self._check()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        if self.transport is not None and not self.transport.is_closing():
            self._header_deadline = self.loop.call_later(self.header_timeout, self._headers_late)

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _check(self) -> None:
        # the request line and headers are in once h11 has produced the Request event
        if self.conn.their_state in (h11.SEND_BODY, h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.ERROR):
            self._disarm()

    def _headers_late(self) -> None:
        self._header_deadline = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        if self.cycle is not None and not self.cycle.response_complete:
            return  # an answer is being sent; its end arms the deadline again
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "ukendt"
        logger.warning("pagt-xl: forbindelse lukket: overskrifterne kom ikke inden for %.0f s (%s)",
                       self.header_timeout, client)  # fmt: skip
        self.transport.close()


__all__ = ["GuardedH11Protocol"]
