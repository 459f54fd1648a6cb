"""The client's error tree: one root, a class per way a call to NDXP can fail.

The rule: `NdxpClient.call` raises only when the national platform did not give the
service's answer. A non-2xx answer *without* `X-Road-Error` is the service's own answer and
is returned, not raised; an answer *with* `X-Road-Error` is the platform's refusal and
raises `NdxpRefused` (or `NdxpAuthError` for `Client.AuthenticationFailed`).

Messages never carry a request's body, query, credential or personal data; the error that
caused one is kept as `__cause__` (`raise ... from exc`).
"""

from __future__ import annotations

from ndxp_client.messages import NdxpResponse
from ndxp_client.transport import (
    TransportClosed,
    TransportError,
    TransportTimeout,
    TransportUnavailable,
)


class NdxpError(Exception):
    """Root of every error the client raises.

    `may_have_reached_server` is False only when the request certainly never left (the
    connection was never made), so even a non-idempotent call may be sent again.
    """

    def __init__(self, message: str, *, may_have_reached_server: bool = True) -> None:
        super().__init__(message)
        self.may_have_reached_server = may_have_reached_server


class NdxpUnavailable(NdxpError):
    """The platform could not be reached: refused, DNS or TLS failure, connection dropped."""


class NdxpTimeout(NdxpError):
    """Connecting, or waiting for the answer, took longer than the configured timeouts."""


class NdxpAuthError(NdxpError):
    """Our credential was refused: by the token endpoint, or by the platform (code kept)."""

    def __init__(
        self, message: str, *, code: str | None = None, may_have_reached_server: bool = True
    ) -> None:
        super().__init__(message, may_have_reached_server=may_have_reached_server)
        self.code = code


class NdxpRefused(NdxpError):
    """The platform answered with `X-Road-Error`: `code` is that header, `response` the answer."""

    def __init__(self, message: str, *, code: str, response: NdxpResponse) -> None:
        super().__init__(message)
        self.code = code
        self.response = response


class NdxpProtocolError(NdxpError):
    """The answer is not valid HTTP, too large, or not bound to our request (hash or id)."""


class NdxpClientClosed(NdxpError):
    """`call` was made after `aclose`, or the transport was closed during it (a wiring bug)."""


def from_transport(error: TransportError) -> NdxpError:
    """The client's error for a transport failure (cause not set: `raise ... from error`)."""
    message = str(error)
    reached = error.may_have_reached_server
    if isinstance(error, TransportClosed):
        return NdxpClientClosed(message, may_have_reached_server=reached)
    if isinstance(error, TransportTimeout):
        return NdxpTimeout(message, may_have_reached_server=reached)
    if isinstance(error, TransportUnavailable):
        return NdxpUnavailable(message, may_have_reached_server=reached)
    return NdxpProtocolError(message, may_have_reached_server=reached)
