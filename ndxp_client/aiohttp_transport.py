"""The default HTTP transport: one pooled `aiohttp.ClientSession`, opened in the running loop.

aiohttp rather than httpx on this hot path: a passthrough measured ~4,400 req/s against
~600 for `httpx.AsyncClient` at 32 concurrent calls (see bench/adapter_passthrough.py).
The exchange's adapters use this same transport (through `adapters.aiohttp_transport`).
"""

from __future__ import annotations

import ssl

import aiohttp
import yarl
from aiohttp.http_exceptions import HttpProcessingError

from ndxp_client.transport import (
    Headers,
    HttpResponse,
    Timeouts,
    TransportClosed,
    TransportError,
    TransportProtocolError,
    TransportTimeout,
    TransportUnavailable,
    over_limit,
)

# Headers aiohttp would add on its own; the server gets only what the caller sent and the
# framing HTTP needs (Host, Content-Length).
_SKIP_AUTO_HEADERS = ("User-Agent", "Accept", "Accept-Encoding", "Content-Type")


class AiohttpTransport:
    """An `HttpTransport` over one aiohttp session whose connection pool all calls share.

    One instance belongs to one event loop: the session is created on the first request,
    inside the loop that uses it, and closed by `aclose`.
    """

    def __init__(
        self,
        *,
        limit: int = 100,
        limit_per_host: int = 0,
        keepalive_timeout: float = 15.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._limit = limit
        self._limit_per_host = limit_per_host
        self._keepalive_timeout = keepalive_timeout
        # None means aiohttp's default: certificates verified against the system store.
        self._ssl: ssl.SSLContext | bool = ssl_context if ssl_context is not None else True
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    @property
    def is_open(self) -> bool:
        """Whether a session (and so a pool) currently exists."""
        return self._session is not None and not self._session.closed

    def _client(self) -> aiohttp.ClientSession:
        if self._closed:
            raise TransportClosed("the transport is closed", may_have_reached_server=False)
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self._limit,
                limit_per_host=self._limit_per_host,
                keepalive_timeout=self._keepalive_timeout,
                ssl=self._ssl,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                # Each call stands alone: no cookies kept from one answer to the next.
                cookie_jar=aiohttp.DummyCookieJar(),
                # The server's bytes and Content-Encoding go back to the caller unchanged.
                auto_decompress=False,
                skip_auto_headers=_SKIP_AUTO_HEADERS,
                # Never route through a proxy named in the environment.
                trust_env=False,
                timeout=aiohttp.ClientTimeout(total=None),
            )
        return self._session

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
        """Send one request and return the server's whole answer (see `HttpTransport`)."""
        session = self._client()
        # `connect` also bounds the wait for a free pooled connection and the TLS handshake;
        # `sock_read` bounds the wait for the head and between two chunks of the body.
        timeout = aiohttp.ClientTimeout(
            total=None, connect=timeouts.connect, sock_read=timeouts.read
        )
        try:
            async with session.request(
                method,
                yarl.URL(url, encoded=True),
                headers=headers,
                # No body, no Content-Length on a GET; aiohttp still sends `0` for a POST.
                data=body or None,
                allow_redirects=False,
                timeout=timeout,
            ) as response:
                content = await _read_body(response, method=method, limit=max_response_bytes)
                return HttpResponse(
                    status=response.status,
                    headers=tuple(
                        (name.decode("latin-1"), value.decode("latin-1"))
                        for name, value in response.raw_headers
                    ),
                    body=content,
                )
        except TransportError:
            raise
        except (aiohttp.ClientError, HttpProcessingError, TimeoutError, OSError) as exc:
            if self._closed:
                raise TransportClosed("the transport was closed during the call") from exc
            raise transport_error(exc) from exc

    async def aclose(self) -> None:
        """Close the session and every pooled connection; idempotent."""
        self._closed = True
        if self._session is not None:
            await self._session.close()


def _has_body(method: str, status: int) -> bool:
    # RFC 9110 §6.4.1: these answers have no content whatever their Content-Length says.
    return method != "HEAD" and status >= 200 and status not in (204, 304)


async def _read_body(response: aiohttp.ClientResponse, *, method: str, limit: int) -> bytes:
    if not _has_body(method, response.status):
        return await response.read()
    declared = response.content_length
    if declared is not None and declared > limit:
        response.close()
        raise TransportProtocolError(
            f"the answer declares {declared} bytes, over the limit of {limit}"
        )
    if declared is not None:
        # The parser stops at Content-Length, so a single read cannot exceed the limit.
        return await response.read()
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_any():
        size += len(chunk)
        if size > limit:
            # Dropping the connection is cheaper than draining an answer nobody will read.
            response.close()
            raise over_limit(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def transport_error(exc: BaseException) -> TransportError:
    """The most specific `TransportError` for an aiohttp or socket failure (cause not set)."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return TransportTimeout("connecting to the server timed out", may_have_reached_server=False)
    if isinstance(exc, TimeoutError):
        return TransportTimeout("the server did not answer within the read timeout")
    if isinstance(exc, aiohttp.ClientSSLError):
        return TransportUnavailable(
            "the TLS handshake with the server failed", may_have_reached_server=False
        )
    if isinstance(exc, aiohttp.ClientConnectorError):
        return TransportUnavailable(
            "could not connect to the server", may_have_reached_server=False
        )
    if isinstance(exc, aiohttp.ClientPayloadError):
        # With decompression off, the only payload failure left is a truncated body.
        return TransportUnavailable("the connection dropped before the full answer arrived")
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return TransportUnavailable("the server closed the connection without a full answer")
    if isinstance(exc, aiohttp.ClientResponseError | HttpProcessingError):
        return TransportProtocolError("the server's answer is not valid HTTP")
    if isinstance(exc, aiohttp.ClientConnectionError | OSError):
        return TransportUnavailable("the connection to the server failed")
    return TransportProtocolError("the HTTP exchange with the server failed")
