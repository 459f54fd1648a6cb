"""The `Adapter` protocol: how the exchange forwards one call to a provider and gets its answer.

The exchange owns everything before and after: authentication, authorisation, validation,
audit, and cleaning headers in both directions. An adapter only moves bytes to the provider
in its protocol and back, and says in one error tree (`adapters.errors`) why it could not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from pydantic import BaseModel

# One definition of timeouts for every layer that sends HTTP (the transport lives in ndxp_client).
from ndxp_client.checks import is_token as is_token
from ndxp_client.checks import is_url_part
from ndxp_client.transport import Timeouts as Timeouts

Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class OutboundRequest:
    """One call to forward, exactly as the exchange matched and cleaned it.

    `path` is the provider's part of the request path, `""` or starting with `/`, still
    percent-encoded as the caller sent it; `query` is the raw query string without `?`.
    Adapters never decode, re-encode or normalise either. `headers` are already cleaned of
    hop-by-hop headers, Host, X-Forwarded-* and Authorization.
    """

    method: str
    path: str
    query: str
    headers: Headers
    body: bytes
    exchange_id: str
    timeouts: Timeouts

    def __post_init__(self) -> None:
        # The messages name the defect, never the value: paths and queries carry personal data.
        if not is_token(self.method):
            raise ValueError("OutboundRequest.method is not an HTTP method token")
        if self.path and not self.path.startswith("/"):
            raise ValueError("OutboundRequest.path must be empty or start with '/'")
        if not is_url_part(self.path, forbidden="?#"):
            raise ValueError("OutboundRequest.path holds a character a raw URL path cannot")
        if not is_url_part(self.query, forbidden="#"):
            raise ValueError("OutboundRequest.query holds a character a raw query cannot")


@dataclass(frozen=True, slots=True)
class ProviderResponse:
    """The provider's answer as it arrived: status, headers in order (names as sent), body.

    Headers include whatever the provider sent, hop-by-hop ones too; the exchange drops
    those before answering. The body is as transferred: a compressed body stays compressed
    and its Content-Encoding is among the headers.
    """

    status: int
    headers: Headers
    body: bytes


@runtime_checkable
class Adapter(Protocol):
    """Forwards calls to one provider, configured by that service's `adapter_options`.

    Contract:
    - `send` makes one attempt and returns the provider's answer whatever its status; a
      3xx is an answer like any other (redirects are never followed). The one allowed
      repeat is HTTP's own (RFC 9112 §9.3.1): an idempotent method (GET, HEAD, OPTIONS,
      TRACE, PUT, DELETE) may be re-sent once when the connection closes before any byte
      of an answer, as happens to a kept-alive connection the provider just dropped.
      POST and PATCH are never re-sent.
    - It raises only `adapters.errors` errors: `UpstreamUnavailable` (refused, DNS, TLS, or
      the connection dropped before a full answer), `UpstreamTimeout` (connect or read
      timeout of `request.timeouts`), `UpstreamProtocolError` (not valid HTTP, or larger
      than the adapter's size limit), `AdapterClosed` after `aclose`. Their messages never
      contain the request's body or query.
    - Cancelling `send` (e.g. the exchange's own deadline) releases its connection.
    - `aclose` releases what this adapter holds alone; pooled connections belong to the
      factory. It is idempotent; `send` afterwards raises `AdapterClosed`.
    - Safe to call `send` concurrently from many tasks of one event loop.
    """

    async def send(self, request: OutboundRequest) -> ProviderResponse:
        """Forward `request` to the provider and return its answer."""
        ...

    async def aclose(self) -> None:
        """Stop accepting calls and release this adapter's own resources."""
        ...


@runtime_checkable
class AdapterFactory(Protocol):
    """Makes the adapters of one kind (`rest`, `soap`, ...) and owns what they share.

    Contract:
    - Constructed with no arguments by discovery (other arguments must have defaults).
    - `validate_options` turns a service's `adapter_options` JSON object into the kind's
      options model, raising `InvalidOptions` with JSON Pointer locations.
    - `create` makes an adapter from validated options; it does no I/O, so it may run
      outside an event loop. Network clients are opened lazily inside the running loop.
    - `aclose` closes the shared pool; adapters created by this factory then raise
      `AdapterClosed`. Idempotent.
    """

    @property
    def kind(self) -> str:
        """The adapter kind, equal to the entry-point name (e.g. `rest`)."""
        ...

    @property
    def options_model(self) -> type[BaseModel]:
        """The pydantic model of this kind's `adapter_options`."""
        ...

    def validate_options(self, options: Mapping[str, object]) -> BaseModel:
        """Validate a service's `adapter_options`, or raise `InvalidOptions`."""
        ...

    def create(self, options: BaseModel) -> Adapter:
        """Make an adapter for options that `validate_options` returned."""
        ...

    async def aclose(self) -> None:
        """Close what the factory's adapters share (the connection pool)."""
        ...
