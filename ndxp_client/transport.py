"""The HTTP transport seam: a client builds the call, a transport puts it on the wire.

As in httpx, neither `NdxpClient` nor the exchange's adapters touch the network
themselves. `AiohttpTransport` (`ndxp_client.aiohttp_transport`) is the default;
`MockTransport` answers from a function, for tests of code above the seam. The seam has its
own small error tree (below), neutral about who calls it: `NdxpClient` maps it to `NdxpError`,
the adapters to their `UpstreamError`.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Timeouts:
    """How long to wait for a connection, and for each part of the answer (seconds)."""

    connect: float
    read: float

    def __post_init__(self) -> None:
        for name in ("connect", "read"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise ValueError(f"Timeouts.{name} must be a positive number of seconds")


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """An answer as it arrived: status, headers in order (names as sent), body as transferred."""

    status: int
    headers: Headers
    body: bytes


class TransportError(Exception):
    """Root of the transport's errors; messages never carry the request's body or query.

    `may_have_reached_server` is False only when the request certainly never left (the
    connection was never established), so even a non-idempotent call may be sent again.
    """

    def __init__(self, message: str, *, may_have_reached_server: bool = True) -> None:
        super().__init__(message)
        self.may_have_reached_server = may_have_reached_server


class TransportUnavailable(TransportError):
    """Connection refused, DNS or TLS failure, or the connection dropped before a full answer."""


class TransportTimeout(TransportError):
    """Connecting, or waiting for the answer, took longer than allowed."""


class TransportProtocolError(TransportError):
    """The answer was not valid HTTP, or was larger than allowed."""


class TransportClosed(TransportError):
    """`request` was called after `aclose` (or `aclose` ran during the call)."""


class HttpTransport(Protocol):
    """Sends one HTTP request and reads its whole answer.

    Contract: `url` is used exactly as given (already percent-encoded, never re-encoded);
    `headers` are sent as given, in order, plus only what HTTP framing needs (Host,
    Content-Length); redirects are never followed; the body is read as transferred (no
    decompression), and an answer over `max_response_bytes` raises `TransportProtocolError`.
    Failures raise `TransportError` subclasses, keeping the third-party cause. `aclose`
    closes the pool; `request` then raises `TransportClosed`.
    """

    async def request(
        self,
        *,
        method: str,
        url: str,
        headers: Headers,
        body: bytes,
        timeouts: Timeouts,
        max_response_bytes: int,
    ) -> HttpResponse:
        """Send one request and return the server's whole answer."""
        ...

    async def aclose(self) -> None:
        """Close the connection pool; idempotent."""
        ...


@dataclass(frozen=True, slots=True)
class TransportCall:
    """The arguments of one `HttpTransport.request`, as a `MockTransport` handler sees them."""

    method: str
    url: str
    headers: Headers
    body: bytes
    timeouts: Timeouts
    max_response_bytes: int


def over_limit(limit: int) -> TransportProtocolError:
    """The error for an answer larger than `limit` bytes."""
    return TransportProtocolError(f"the answer exceeds the limit of {limit} bytes")


class MockTransport:
    """A transport whose answers come from `handler` (which may also raise `TransportError`).

    Like a real transport it refuses an answer over `max_response_bytes`.
    """

    def __init__(self, handler: Callable[[TransportCall], Awaitable[HttpResponse]]) -> None:
        self._handler = handler
        self._closed = False

    async def request(
        self,
        *,
        method: str,
        url: str,
        headers: Headers,
        body: bytes,
        timeouts: Timeouts,
        max_response_bytes: int,
    ) -> HttpResponse:
        """Hand the call to the handler and return its answer."""
        if self._closed:
            raise TransportClosed("the transport is closed", may_have_reached_server=False)
        call = TransportCall(method, url, headers, body, timeouts, max_response_bytes)
        response = await self._handler(call)
        if len(response.body) > max_response_bytes:
            raise over_limit(max_response_bytes)
        return response

    async def aclose(self) -> None:
        """Refuse further calls."""
        self._closed = True
