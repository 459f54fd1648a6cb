"""The default HTTP transport of adapters: `ndxp_client`'s aiohttp transport, in adapters' types.

The implementation (one pooled `aiohttp.ClientSession`, opened in the running loop, and the
mapping of aiohttp's failures) lives in `ndxp_client.aiohttp_transport`; this module puts it
behind the adapters' `HttpTransport` and error tree.
"""

from __future__ import annotations

import ssl

from adapters.errors import UpstreamError
from adapters.transport import AdaptedTransport, upstream_error_of
from ndxp_client import aiohttp_transport as implementation


class AiohttpTransport(AdaptedTransport):
    """An adapters `HttpTransport` over one aiohttp session whose pool all calls share.

    One instance belongs to one event loop: the session is created on the first request,
    inside the loop that serves the exchange, and closed by `aclose`.
    """

    def __init__(
        self,
        *,
        limit: int = 100,
        limit_per_host: int = 0,
        keepalive_timeout: float = 15.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._aiohttp = implementation.AiohttpTransport(
            limit=limit,
            limit_per_host=limit_per_host,
            keepalive_timeout=keepalive_timeout,
            ssl_context=ssl_context,
        )
        super().__init__(self._aiohttp)

    @property
    def is_open(self) -> bool:
        """Whether a session (and so a pool) currently exists."""
        return self._aiohttp.is_open


def upstream_error(exc: BaseException) -> UpstreamError:
    """The most specific `UpstreamError` for an aiohttp or socket failure (cause not set)."""
    return upstream_error_of(implementation.transport_error(exc))
