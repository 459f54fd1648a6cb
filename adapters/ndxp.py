"""The NDXP adapter: forwards a call to a national service through `ndxp_client.NdxpClient`.

Options (`adapters.ndxp_options`) name the service and the scheme that authenticates us;
secrets are never in them, only where to read them. The call carries `X-Road-Id` = the
exchange id, so NDXP deduplicates a repeat; it is made once (no retries here).
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from adapters.base import Headers, OutboundRequest, ProviderResponse
from adapters.errors import (
    AdapterClosed,
    AdapterError,
    InvalidOptions,
    UpstreamProtocolError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from adapters.ndxp_options import (
    ApiKeyAuth,
    HmacAuth,
    NdxpOptions,
    OAuth2Auth,
    fix_pointers,
    read_secret,
)
from adapters.options import validate_model
from ndxp_client import (
    AuthScheme,
    HmacSignedHeaders,
    NdxpClient,
    NdxpClientClosed,
    NdxpError,
    NdxpProtocolError,
    NdxpRefused,
    NdxpTimeout,
    OAuth2ClientCredentials,
    RetryPolicy,
    TimestampedHashCredential,
    protocol,
)
from ndxp_client.aiohttp_transport import AiohttpTransport
from ndxp_client.auth import Clock
from ndxp_client.checks import is_header_value, is_token
from ndxp_client.transport import HttpTransport

_USER_ID = protocol.USER_ID.lower()


class NdxpAdapter:
    """An `Adapter` to one NDXP service; its connections come from the factory's transport."""

    def __init__(self, *, options: NdxpOptions, client: NdxpClient) -> None:
        self._options = options
        self._client = client
        self._static: Headers = tuple(options.headers.items())
        # The options' headers win over the caller's; the client's own cannot be forged.
        self._replaced = client.reserved_headers | {name.lower() for name in options.headers}
        self._closed = False

    @property
    def options(self) -> NdxpOptions:
        """The validated options this adapter was made with."""
        return self._options

    def headers_for(self, request: OutboundRequest) -> tuple[Headers, str | None]:
        """The caller's headers to forward, then the static ones; and the caller's user id."""
        kept: list[tuple[str, str]] = []
        user_id = None
        for name, value in request.headers:
            lowered = name.lower()
            # A header HTTP cannot carry was the exchange's to refuse; here it is dropped.
            if not is_token(name) or not is_header_value(value):
                continue
            if lowered == _USER_ID:
                user_id = user_id or value or None
            elif lowered not in self._replaced:
                kept.append((name, value))
        return (*kept, *self._static), user_id

    async def send(self, request: OutboundRequest) -> ProviderResponse:
        """Forward `request` to the NDXP service, `X-Road-Id` = exchange id (see `Adapter`)."""
        if self._closed:
            raise AdapterClosed("the adapter is closed")
        headers, user_id = self.headers_for(request)
        try:
            answer = await self._client.call(
                service=self._options.service,
                method=request.method,
                path=request.path,
                query=request.query,
                headers=headers,
                body=request.body,
                message_id=request.exchange_id,
                user_id=user_id,
                timeouts=request.timeouts,
            )
        except NdxpRefused as refused:
            # The platform's own refusal (X-Road-Error) is its answer: the caller sees it.
            answer = refused.response
        except NdxpError as exc:
            raise upstream_error(exc) from exc
        return ProviderResponse(status=answer.status, headers=answer.headers, body=answer.body)

    async def aclose(self) -> None:
        """Refuse further calls; the pooled connections stay with the factory."""
        self._closed = True


def upstream_error(error: NdxpError) -> AdapterError:
    """The adapters error for a client error other than `NdxpRefused` (cause not set)."""
    message = str(error)
    reached = error.may_have_reached_server
    if isinstance(error, NdxpClientClosed):
        return AdapterClosed(message)
    if isinstance(error, NdxpTimeout):
        return UpstreamTimeout(message, may_have_reached_provider=reached)
    if isinstance(error, NdxpProtocolError):
        return UpstreamProtocolError(message, may_have_reached_provider=reached)
    # Unavailable, or our credential refused: either way NDXP cannot be used now (502).
    return UpstreamUnavailable(message, may_have_reached_provider=reached)


class NdxpAdapterFactory:
    """The `ndxp` adapter kind: validates options and makes adapters sharing one pool.

    `transport` (an `ndxp_client` transport) defaults to an `AiohttpTransport`; the factory
    owns it and closes it in `aclose`. `environ` replaces `os.environ` for `secret_env`.
    """

    kind: str = "ndxp"
    options_model: type[NdxpOptions] = NdxpOptions

    def __init__(
        self,
        *,
        transport: HttpTransport | None = None,
        environ: Mapping[str, str] | None = None,
        clock: Clock = time.time,
    ) -> None:
        self._transport: HttpTransport = transport if transport is not None else AiohttpTransport()
        self._environ = environ
        self._clock = clock

    def validate_options(self, options: Mapping[str, object]) -> NdxpOptions:
        """Validate a service's `adapter_options`, or raise `InvalidOptions` with pointers."""
        try:
            return validate_model(NdxpOptions, options, kind=self.kind)
        except InvalidOptions as exc:
            raise fix_pointers(exc) from None

    def create(self, options: object) -> NdxpAdapter:
        """Make an adapter for validated options; reads its secrets (`InvalidOptions` if absent)."""
        if not isinstance(options, NdxpOptions):
            raise TypeError("NdxpAdapterFactory.create takes the NdxpOptions of validate_options")
        client = NdxpClient(
            base_url=options.base_url,
            client=options.client,
            auth=self._auth(options.auth),
            transport=self._transport,
            # The exchange calls once (DESIGN §6): the caller or the outbox decides on retries.
            retry=RetryPolicy.never(),
            max_response_bytes=options.max_response_bytes,
            require_request_hash=options.require_request_hash,
            clock=self._clock,
        )
        return NdxpAdapter(options=options, client=client)

    def _auth(self, auth: OAuth2Auth | HmacAuth | ApiKeyAuth) -> AuthScheme:
        secret = read_secret(
            env=auth.secret_env,
            file=auth.secret_file,
            pointer="/auth/secret",
            environ=self._environ,
        )
        if isinstance(auth, OAuth2Auth):
            return OAuth2ClientCredentials(
                token_url=auth.token_url,
                client_id=auth.client_id,
                client_secret=secret,
                scope=auth.scope,
                refresh_leeway_seconds=auth.refresh_leeway_seconds,
                clock=self._clock,
            )
        if isinstance(auth, HmacAuth):
            return HmacSignedHeaders(
                system=auth.system, secret=secret.encode("utf-8"), clock=self._clock
            )
        api_key = read_secret(
            env=auth.api_key_env,
            file=auth.api_key_file,
            pointer="/auth/api_key",
            environ=self._environ,
        )
        return TimestampedHashCredential(
            api_key=api_key, user=auth.user, secret=secret, clock=self._clock
        )

    async def aclose(self) -> None:
        """Close the shared transport and its connection pool."""
        await self._transport.aclose()
