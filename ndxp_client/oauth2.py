"""OAuth2 client credentials (RFC 6749 §4.4): a bearer token fetched, cached and refreshed.

authlib builds the token request (`prepare_token_request`, `ClientAuth` for HTTP Basic) and
holds the token (`OAuth2Token`, which turns `expires_in` into `expires_at`); the request goes
through the client's own transport, so it shares its pool, timeouts and error mapping.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping

from authlib.oauth2.auth import ClientAuth
from authlib.oauth2.rfc6749 import OAuth2Token
from authlib.oauth2.rfc6749.parameters import prepare_token_request

from ndxp_client import protocol
from ndxp_client.auth import Clock
from ndxp_client.errors import NdxpAuthError, NdxpProtocolError, NdxpUnavailable, from_transport
from ndxp_client.messages import RequestParts, header_value
from ndxp_client.transport import Headers, HttpResponse, HttpTransport, Timeouts, TransportError

# A token answer is a small JSON object; anything larger is not one.
MAX_TOKEN_RESPONSE_BYTES = 64 * 1024
_TRANSIENT = frozenset({408, 429, 500, 502, 503, 504})


class OAuth2ClientCredentials:
    """Bearer tokens from `token_url` by the client-credentials grant, with HTTP Basic.

    The token is cached and reused until `refresh_leeway_seconds` before it expires (at most
    half its lifetime early); concurrent calls wait for one fetch (an `asyncio.Lock`). A
    token without `expires_in` is kept until the platform refuses it. `reject` drops a
    refused token so the next `apply` fetches a new one.
    """

    header_names = frozenset({protocol.AUTHORIZATION.lower()})

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str | None = None,
        refresh_leeway_seconds: float = 30.0,
        timeouts: Timeouts | None = None,
        clock: Clock = time.time,
    ) -> None:
        if not client_id or not client_secret:
            raise ValueError("OAuth2ClientCredentials needs a client id and a secret")
        if ":" in client_id:
            raise ValueError("a client id sent with HTTP Basic cannot contain ':'")
        if refresh_leeway_seconds < 0:
            raise ValueError("refresh_leeway_seconds cannot be negative")
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._scope = scope
        self._leeway = refresh_leeway_seconds
        self._timeouts = timeouts if timeouts is not None else Timeouts(connect=5.0, read=10.0)
        self._clock = clock
        self._token: OAuth2Token | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return (
            f"OAuth2ClientCredentials(token_url={self._token_url!r}, client_id={self._client_id!r})"
        )

    async def apply(self, request: RequestParts, *, transport: HttpTransport) -> Headers:
        """`Authorization: Bearer <token>`, fetching a token first if none is fresh."""
        token = self._token
        if token is None or not self._fresh(token):
            async with self._lock:
                # Another task may have fetched while this one waited for the lock.
                token = self._token
                if token is None or not self._fresh(token):
                    token = await self._fetch(transport)
                    self._token = token
        return ((protocol.AUTHORIZATION, _bearer(token)),)

    def reject(self, applied: Headers) -> bool:
        """Drop the cached token if it is the refused one; a new one is always worth a try."""
        token = self._token
        if token is not None and header_value(applied, protocol.AUTHORIZATION) == _bearer(token):
            self._token = None
        return True

    def _fresh(self, token: OAuth2Token) -> bool:
        # authlib's `is_expired` reads the wall clock itself; the same test on `expires_at`
        # against the injected clock lets tests move time.
        expires_at = token.get("expires_at")
        if not isinstance(expires_at, int):
            return True
        lifetime = token.get("expires_in")
        leeway = self._leeway
        if isinstance(lifetime, int | float) and lifetime > 0:
            leeway = min(leeway, lifetime / 2)
        return self._clock() < expires_at - leeway

    async def _fetch(self, transport: HttpTransport) -> OAuth2Token:
        params = {"scope": self._scope} if self._scope else {}
        body: str = prepare_token_request("client_credentials", **params)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        auth = ClientAuth(self._client_id, self._client_secret, "client_secret_basic")
        _, headers, body = auth.prepare("POST", self._token_url, headers, body)
        try:
            response = await transport.request(
                method="POST",
                url=self._token_url,
                headers=tuple((str(name), str(value)) for name, value in headers.items()),
                body=body.encode("utf-8"),
                timeouts=self._timeouts,
                max_response_bytes=MAX_TOKEN_RESPONSE_BYTES,
            )
        except TransportError as exc:
            raise from_transport(exc) from exc
        return self._token_of(response)

    def _token_of(self, response: HttpResponse) -> OAuth2Token:
        if response.status in _TRANSIENT:
            raise NdxpUnavailable(f"the token endpoint answered HTTP {response.status}")
        if response.status != 200:
            # The RFC 6749 §5.2 `error` code is safe to show; its description may not be.
            code = _field(response.body, "error")
            raise NdxpAuthError(
                f"the token endpoint refused our client credentials (HTTP {response.status}"
                + (f", {code})" if code else ")"),
                code=code,
            )
        payload = _json_object(response.body)
        access_token = payload.get("access_token") if payload is not None else None
        token_type = payload.get("token_type") if payload is not None else None
        if (
            payload is None
            or not isinstance(access_token, str)
            or not access_token
            or not isinstance(token_type, str)
            or token_type.lower() != "bearer"
        ):
            raise NdxpProtocolError("the token endpoint's answer is not a bearer token")
        fields = dict(payload)
        expires_in = fields.get("expires_in")
        if isinstance(expires_in, bool) or not isinstance(expires_in, int) or expires_in <= 0:
            fields.pop("expires_in", None)
        else:
            # Given `expires_at`, authlib keeps it: the lifetime runs on the injected clock.
            fields["expires_at"] = int(self._clock()) + expires_in
        return OAuth2Token(fields)


def _bearer(token: Mapping[str, object]) -> str:
    return f"Bearer {token['access_token']}"


def _json_object(body: bytes) -> dict[str, object] | None:
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _field(body: bytes, name: str) -> str | None:
    payload = _json_object(body)
    value = payload.get(name) if payload is not None else None
    # Only an RFC 6749 error code (a short token) is echoed into messages.
    if isinstance(value, str) and value.isascii() and len(value) <= 64 and value.isprintable():
        return value
    return None
