"""The HTTP transport seam as adapters see it: `ndxp_client.transport`'s, in adapters' types.

There is one transport implementation, in `ndxp_client` (which may not import `adapters`).
`AdaptedTransport` puts any `ndxp_client.transport.HttpTransport` behind the adapters' own
`HttpTransport`: it takes `adapters.base.Timeouts`, returns `ProviderResponse`, and maps the
transport's errors to `adapters.errors`, keeping each as the cause. `AiohttpTransport`
(`adapters.aiohttp_transport`) is the default; `MockTransport` answers from a function,
for tests of code that uses an adapter without a provider.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from adapters.base import Headers, ProviderResponse, Timeouts
from adapters.errors import (
    AdapterClosed,
    AdapterError,
    UpstreamError,
    UpstreamProtocolError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from ndxp_client import transport as seam


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


def adapter_error(error: seam.TransportError) -> AdapterError:
    """The `adapters.errors` error for a transport error (cause not set)."""
    if isinstance(error, seam.TransportClosed):
        return AdapterClosed(str(error))
    return upstream_error_of(error)


def upstream_error_of(error: seam.TransportError) -> UpstreamError:
    """The `UpstreamError` for a transport failure other than `TransportClosed` (cause not set)."""
    message = str(error)
    reached = error.may_have_reached_server
    if isinstance(error, seam.TransportTimeout):
        return UpstreamTimeout(message, may_have_reached_provider=reached)
    if isinstance(error, seam.TransportUnavailable | seam.TransportClosed):
        return UpstreamUnavailable(message, may_have_reached_provider=reached)
    return UpstreamProtocolError(message, may_have_reached_provider=reached)


def provider_response(response: seam.HttpResponse) -> ProviderResponse:
    """A transport's answer as the adapters' `ProviderResponse`."""
    return ProviderResponse(status=response.status, headers=response.headers, body=response.body)


class AdaptedTransport:
    """An adapters `HttpTransport` over an `ndxp_client` transport (`inner`), which it owns."""

    def __init__(self, inner: seam.HttpTransport) -> None:
        self._inner = inner

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
        """Send one request through the inner transport (see `HttpTransport`)."""
        try:
            response = await self._inner.request(
                method=method,
                url=url,
                headers=headers,
                body=body,
                timeouts=timeouts,
                max_response_bytes=max_response_bytes,
            )
        except seam.TransportError as exc:
            raise adapter_error(exc) from exc
        return provider_response(response)

    async def aclose(self) -> None:
        """Close the inner transport and its pool."""
        await self._inner.aclose()


class MockTransport(AdaptedTransport):
    """A transport whose answers come from `handler` (which may also raise `UpstreamError`).

    Like a real transport it refuses an answer over `max_response_bytes`.
    """

    def __init__(self, handler: Callable[[TransportCall], Awaitable[ProviderResponse]]) -> None:
        async def answer(call: seam.TransportCall) -> seam.HttpResponse:
            """The handler's answer to the call, both in adapters' types."""
            timeouts = call.timeouts
            response = await handler(
                TransportCall(
                    call.method,
                    call.url,
                    call.headers,
                    call.body,
                    timeouts,
                    call.max_response_bytes,
                )
            )
            return seam.HttpResponse(response.status, response.headers, response.body)

        super().__init__(seam.MockTransport(answer))
