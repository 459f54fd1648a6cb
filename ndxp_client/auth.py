"""Pluggable authentication: each scheme turns a request into the headers that prove who sent it.

A client has one scheme, chosen by configuration: `OAuth2ClientCredentials`
(`ndxp_client.oauth2`), `HmacSignedHeaders` or `TimestampedHashCredential` (here). The
wire details of each are in `ndxp_client.protocol` and README.md. Secrets never appear in a
scheme's `repr`, in a header other than the one the scheme defines, or in an error message.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from ndxp_client import protocol
from ndxp_client.messages import RequestParts
from ndxp_client.transport import Headers, HttpTransport

# Wall-clock seconds since the epoch; injectable so tests can move time.
Clock = Callable[[], float]


@runtime_checkable
class AuthScheme(Protocol):
    """How a client proves who it is to NDXP.

    Contract:
    - `header_names` (lower-case) are the headers `apply` sets; a caller may not set them.
    - `apply` returns those headers for one request (it may fetch a credential through
      `transport` first, raising `NdxpError`s); it is safe to call from many tasks at once.
    - `reject` is told that the platform refused the credential in `applied` (401,
      `Client.AuthenticationFailed`); it drops what it cached and says whether applying again
      could give a different credential (so one more attempt makes sense).
    """

    @property
    def header_names(self) -> frozenset[str]:
        """The (lower-case) names of the headers `apply` sets."""
        ...

    async def apply(self, request: RequestParts, *, transport: HttpTransport) -> Headers:
        """The authentication headers for `request`."""
        ...

    def reject(self, applied: Headers) -> bool:
        """Drop the refused credential; whether a fresh one may be tried once."""
        ...


class HmacSignedHeaders:
    """HMAC-SHA256 signed headers under a system id and a shared secret.

    Sends `X-NDXP-System`, `X-NDXP-Timestamp` (unix seconds) and `X-NDXP-Signature` over
    `protocol.SignedParts` (method, request target, timestamp, `X-Road-Id`, body digest).
    """

    header_names = frozenset(
        name.lower()
        for name in (protocol.HMAC_SYSTEM, protocol.HMAC_TIMESTAMP, protocol.HMAC_SIGNATURE)
    )

    def __init__(self, *, system: str, secret: bytes, clock: Clock = time.time) -> None:
        if not system or not secret:
            raise ValueError("HmacSignedHeaders needs a system id and a non-empty secret")
        self._system = system
        self._secret = secret
        self._clock = clock

    def __repr__(self) -> str:
        return f"HmacSignedHeaders(system={self._system!r})"

    async def apply(self, request: RequestParts, *, transport: HttpTransport) -> Headers:
        """Sign `request` now: system, timestamp and signature headers."""
        timestamp = int(self._clock())
        parts = protocol.SignedParts(
            method=request.method,
            path_and_query=request.path_and_query,
            timestamp=timestamp,
            message_id=request.message_id,
            body=request.body,
        )
        return (
            (protocol.HMAC_SYSTEM, self._system),
            (protocol.HMAC_TIMESTAMP, str(timestamp)),
            (protocol.HMAC_SIGNATURE, protocol.hmac_signature(self._secret, parts)),
        )

    def reject(self, applied: Headers) -> bool:
        """Nothing is cached: signing again would be refused again."""
        return False


class TimestampedHashCredential:
    """An API key, a timestamp, and a Basic credential hashed from endpoint, user, time, secret.

    Sends `X-API-Key`, `Timestamp` (unix seconds) and `Authorization: Basic
    base64(user ":" sha256hex(endpoint + user + timestamp + secret))`, where the endpoint is
    the request's path as sent (`protocol.timestamped_authorization`).
    """

    header_names = frozenset(
        name.lower() for name in (protocol.API_KEY, protocol.API_TIMESTAMP, protocol.AUTHORIZATION)
    )

    def __init__(self, *, api_key: str, user: str, secret: str, clock: Clock = time.time) -> None:
        if not api_key or not user or not secret:
            raise ValueError("TimestampedHashCredential needs an API key, a user and a secret")
        if ":" in user:
            raise ValueError("the user of a Basic credential cannot contain ':'")
        self._api_key = api_key
        self._user = user
        self._secret = secret
        self._clock = clock

    def __repr__(self) -> str:
        return f"TimestampedHashCredential(user={self._user!r})"

    async def apply(self, request: RequestParts, *, transport: HttpTransport) -> Headers:
        """The API key, the timestamp, and the hashed Basic credential for `request`."""
        timestamp = int(self._clock())
        authorization = protocol.timestamped_authorization(
            endpoint=protocol.request_path(request.path_and_query),
            user=self._user,
            timestamp=timestamp,
            secret=self._secret,
        )
        return (
            (protocol.API_KEY, self._api_key),
            (protocol.API_TIMESTAMP, str(timestamp)),
            (protocol.AUTHORIZATION, authorization),
        )

    def reject(self, applied: Headers) -> bool:
        """Nothing is cached: hashing again would be refused again."""
        return False
