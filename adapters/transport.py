"""The HTTP transport seam: adapters build the call, a transport puts it on the wire.

As in httpx, the adapter never touches the network itself. `AiohttpTransport`
(`adapters.aiohttp_transport`) is the default; `MockTransport` answers from a function,
for tests of code that uses an adapter without a provider.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from adapters.base import Headers, ProviderResponse, Timeouts
from adapters.errors import AdapterClosed, UpstreamProtocolError


class HttpTransport(Protocol):
    """Sends one HTTP request and reads its whole answer.

    Contract: `url` is used exactly as given (already percent-encoded, never re-encoded);
    `headers` are sent as given, in order, plus only what HTTP framing needs (Host,
    Content-Length); redirects are never followed; the body is read as transferred (no
    decompression), and an answer over `max_response_bytes` raises `UpstreamProtocolError`.
    Failures raise the `UpstreamError` subclasses of `adapters.errors`, keeping the cause.
    `aclose` closes the pool; `request` then raises `AdapterClosed`.
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
    ) -> ProviderResponse:
        """Send one request and return the provider's whole answer."""
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


class MockTransport:
    """A transport whose answers come from `handler` (which may also raise `UpstreamError`).

    Like a real transport it refuses an answer over `max_response_bytes`.
    """

    def __init__(self, handler: Callable[[TransportCall], Awaitable[ProviderResponse]]) -> None:
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
    ) -> ProviderResponse:
        """Hand the call to the handler and return its answer."""
        if self._closed:
            raise AdapterClosed("the transport is closed")
        call = TransportCall(method, url, headers, body, timeouts, max_response_bytes)
        response = await self._handler(call)
        if len(response.body) > max_response_bytes:
            raise UpstreamProtocolError(
                f"the provider's answer exceeds the limit of {max_response_bytes} bytes"
            )
        return response

    async def aclose(self) -> None:
        """Refuse further calls."""
        self._closed = True
