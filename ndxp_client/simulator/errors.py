"""The simulator's errors: each is an X-Road fault with its HTTP status and type.

Handlers raise them; the call pipeline renders them once, as an X-Road REST
error body (`{"type", "message", "detail"}`) or as a SOAP fault, with the
`X-Road-Error` header either way.
"""

from __future__ import annotations

from collections.abc import Mapping

from ndxp_client import protocol


class SimulatorError(Exception):
    """Root of the simulator's errors."""


class Refusal(SimulatorError):
    """A request the simulator answers with an X-Road error rather than a service answer."""

    status: int = 400
    error_type: str = "Client.BadRequest"
    # Whether the fault lies with the caller (SOAP `Client`/`Sender`) or the server.
    caller_fault: bool = True
    # Injected faults happen at the HTTP level, so SOAP answers keep their status too.
    http_level: bool = False

    def __init__(
        self, message: str, *, detail: str = "", headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.headers: dict[str, str] = dict(headers or {})


class BadRequest(Refusal):
    """The request cannot be read: wrong media type, not JSON or XML, a header missing."""


class BodyTooLarge(BadRequest):
    """The body is larger than the configured limit."""

    status = 413


class ServiceFailed(Refusal):
    """The service read the request and refused its content (a field missing or malformed)."""

    error_type = protocol.ERROR_SERVICE_FAILED


class UnknownService(Refusal):
    """No such service (or no such sub-path of it)."""

    status = 404
    error_type = "Server.ServerProxy.UnknownService"


class MethodNotAllowed(Refusal):
    """The service exists but does not take this HTTP method."""

    status = 405


class AuthenticationFailed(Refusal):
    """No credential, a wrong one, a stale timestamp, or an `X-Road-Client` not the caller's."""

    status = 401
    error_type = protocol.ERROR_AUTHENTICATION_FAILED


class InvalidSignature(AuthenticationFailed):
    """An HMAC signature that does not match the request."""

    error_type = protocol.ERROR_INVALID_SIGNATURE


class DuplicateMessageId(Refusal):
    """A message id this client already used, with a different request."""

    status = 409
    error_type = protocol.ERROR_DUPLICATE_MESSAGE_ID


class ServiceUnavailable(Refusal):
    """The platform is down (an injected outage)."""

    status = 503
    error_type = protocol.ERROR_SERVICE_UNAVAILABLE
    caller_fault = False
    http_level = True


class InjectedError(Refusal):
    """An error answer produced by fault injection, with the configured status."""

    caller_fault = False
    http_level = True

    def __init__(self, *, status: int, error_type: str, headers: Mapping[str, str]) -> None:
        super().__init__(
            f"injected fault: HTTP {status}", detail="fault injection", headers=headers
        )
        self.status = status
        self.error_type = error_type
