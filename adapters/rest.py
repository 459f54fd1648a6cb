"""The REST adapter: forwards the call as it is to `base_url` + provider path, and back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from adapters.aiohttp_transport import AiohttpTransport
from adapters.base import Headers, OutboundRequest, ProviderResponse, Timeouts, is_token
from adapters.errors import AdapterClosed
from adapters.options import validate_model
from adapters.transport import HttpTransport
from ndxp_client.checks import check_base_url

# Framing and hop-by-hop headers: the transport writes its own, and a copy from the caller or
# the options could contradict it (request smuggling) or break the connection's reuse.
FRAMING_HEADERS = frozenset(
    {
        "connection",
        "content-length",
        "host",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)

DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024


def _header_name(name: str) -> str:
    if not is_token(name):
        raise ValueError("is not a valid HTTP header name")
    if name.lower() in FRAMING_HEADERS:
        raise ValueError("is a framing header the adapter sets itself")
    return name


def _header_value(value: str) -> str:
    # CR, LF or NUL would split the header; other controls are refused by HTTP too.
    if any((char < " " and char != "\t") or char == "\x7f" or char > "\xff" for char in value):
        raise ValueError("holds a control or non-Latin-1 character")
    return value


class RestOptions(BaseModel):
    """`adapter_options` of a `rest` service."""

    # Strict: options come from JSON, where "10" is not a number and unknown keys are typos.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    base_url: str = Field(description="http(s) URL the provider path is appended to")
    headers: dict[
        Annotated[str, AfterValidator(_header_name)], Annotated[str, AfterValidator(_header_value)]
    ] = Field(default_factory=dict, description="static headers added to every call")
    max_response_bytes: int = Field(default=DEFAULT_MAX_RESPONSE_BYTES, gt=0)
    connect_timeout_seconds: float | None = Field(default=None, gt=0, allow_inf_nan=False)

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, url: str) -> str:
        # The shared check (also the NDXP adapter's); a REST provider's credentials
        # belong in the static `headers` option, which the message says.
        try:
            return check_base_url(url)
        except ValueError as exc:
            if "credentials" in str(exc):
                raise ValueError(f"{exc}; put them in `headers`") from None
            raise

    @field_validator("headers")
    @classmethod
    def _check_header_names_unique(cls, headers: dict[str, str]) -> dict[str, str]:
        lowered = [name.lower() for name in headers]
        if len(set(lowered)) != len(lowered):
            raise ValueError("names the same header twice (header names ignore case)")
        return headers


class RestAdapter:
    """An `Adapter` to one REST provider; its connections come from the factory's transport."""

    def __init__(self, *, options: RestOptions, transport: HttpTransport) -> None:
        self._options = options
        self._transport = transport
        self._static_headers: Headers = tuple(options.headers.items())
        # The options' headers win over the caller's: a caller must not replace the API key.
        self._replaced = FRAMING_HEADERS | {name.lower() for name in options.headers}
        self._closed = False

    @property
    def options(self) -> RestOptions:
        """The validated options this adapter was made with."""
        return self._options

    def url_for(self, request: OutboundRequest) -> str:
        """The provider URL of `request`: base URL, path and query joined, never re-encoded."""
        query = f"?{request.query}" if request.query else ""
        return f"{self._options.base_url}{request.path}{query}"

    def headers_for(self, request: OutboundRequest) -> Headers:
        """The caller's headers (without framing ones) followed by the options' headers."""
        kept = tuple(item for item in request.headers if item[0].lower() not in self._replaced)
        return kept + self._static_headers

    async def send(self, request: OutboundRequest) -> ProviderResponse:
        """Forward `request` to the provider and return its answer (see `Adapter`)."""
        if self._closed:
            raise AdapterClosed("the adapter is closed")
        connect = self._options.connect_timeout_seconds
        timeouts = request.timeouts
        if connect is not None:
            timeouts = Timeouts(connect=connect, read=timeouts.read)
        return await self._transport.request(
            method=request.method,
            url=self.url_for(request),
            headers=self.headers_for(request),
            body=request.body,
            timeouts=timeouts,
            max_response_bytes=self._options.max_response_bytes,
        )

    async def aclose(self) -> None:
        """Refuse further calls; the pooled connections stay with the factory."""
        self._closed = True


class RestAdapterFactory:
    """The `rest` adapter kind: validates options and makes adapters sharing one pool.

    `transport` defaults to an `AiohttpTransport` with its default pool limits; pass
    `AiohttpTransport(limit=..., limit_per_host=...)` to size the pool. The factory owns
    the transport and closes it in `aclose`.
    """

    kind: str = "rest"
    options_model: type[RestOptions] = RestOptions

    def __init__(self, *, transport: HttpTransport | None = None) -> None:
        self._transport: HttpTransport = transport if transport is not None else AiohttpTransport()

    def validate_options(self, options: Mapping[str, object]) -> RestOptions:
        """Validate a service's `adapter_options`, or raise `InvalidOptions` with pointers."""
        return validate_model(RestOptions, options, kind=self.kind)

    def create(self, options: object) -> RestAdapter:
        """Make an adapter for options that `validate_options` returned."""
        if not isinstance(options, RestOptions):
            raise TypeError("RestAdapterFactory.create takes the RestOptions of validate_options")
        return RestAdapter(options=options, transport=self._transport)

    async def aclose(self) -> None:
        """Close the shared transport and its connection pool."""
        await self._transport.aclose()
