"""Who is calling: OAuth2 bearer tokens, HMAC-signed headers, or the timestamped-hash API key.

Each configured client may use the schemes its configuration lists, and must
name itself in `X-Road-Client` as configured. Every refusal says what was
wrong in general terms only: never which part of a secret did not match.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from ndxp_client import protocol
from ndxp_client.simulator.config import ClientConfig, Scheme, SimulatorConfig
from ndxp_client.simulator.errors import AuthenticationFailed, BadRequest, InvalidSignature
from ndxp_client.simulator.records import Clock
from ndxp_client.simulator.tokens import TokenIssuer


@dataclass(frozen=True, slots=True)
class Credentials:
    """The parts of a request that authentication looks at."""

    method: str
    path_and_query: str
    headers: Mapping[str, str]
    body: bytes

    def header(self, name: str) -> str:
        """The header's value, `""` if absent (`headers` must be case-insensitive)."""
        return self.headers.get(name, "")


def _secret_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def _timestamp(value: str) -> int | None:
    if not (value.isascii() and value.isdigit()) or len(value) > 12:
        return None
    return int(value)


class Authenticator:
    """Finds the configured client a request comes from, or refuses it."""

    def __init__(self, *, config: SimulatorConfig, tokens: TokenIssuer, clock: Clock) -> None:
        self._clients = {c.client_id: c for c in config.clients}
        self._systems = {c.system: c for c in config.clients}
        self._tokens = tokens
        self._clock = clock
        self._skew = config.clock_skew_seconds

    def token_client(self, *, client_id: str, secret: str) -> ClientConfig | None:
        """The client whose id and secret these are, if it may use OAuth2."""
        client = self._clients.get(client_id)
        # Compare even for an unknown id, so timing does not tell which ids exist.
        expected = client.secret.get_secret_value() if client else "\x00" * 32
        if not _secret_equal(expected, secret) or client is None:
            return None
        return client if "oauth2" in client.schemes else None

    def authenticate(self, request: Credentials) -> ClientConfig:
        """The client `request` comes from, its credential and `X-Road-Client` checked."""
        authorization = request.header(protocol.AUTHORIZATION)
        scheme_name = authorization.partition(" ")[0].lower()
        if request.header(protocol.HMAC_SIGNATURE):
            client = self._hmac(request)
        elif request.header(protocol.API_KEY):
            client = self._api_key(request)
        elif scheme_name == "bearer":
            client = self._bearer(authorization)
        else:
            raise AuthenticationFailed(
                "no credential: send a Bearer token, HMAC-signed headers, or an API key"
            )
        claimed = request.header(protocol.CLIENT)
        if not claimed:
            raise BadRequest(f"the {protocol.CLIENT} header is required")
        if claimed != client.xroad_client:
            raise AuthenticationFailed(f"{protocol.CLIENT} is not the one of this credential")
        return client

    def _allowed(self, client: ClientConfig | None, scheme: Scheme) -> ClientConfig:
        if client is None or scheme not in client.schemes:
            raise AuthenticationFailed(f"the {scheme} credential is not valid")
        return client

    def _fresh(self, value: str, header: str) -> int:
        timestamp = _timestamp(value)
        if timestamp is None:
            raise AuthenticationFailed(f"{header} must be unix seconds")
        if abs(self._clock() - timestamp) > self._skew:
            raise AuthenticationFailed(
                f"{header} is more than {self._skew} seconds from the platform's clock"
            )
        return timestamp

    def _bearer(self, authorization: str) -> ClientConfig:
        token = authorization.partition(" ")[2].strip()
        client_id = self._tokens.client_of(token)
        if client_id is None:
            raise AuthenticationFailed(
                "the access token is not valid or has expired",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return self._allowed(self._clients.get(client_id), "oauth2")

    def _hmac(self, request: Credentials) -> ClientConfig:
        client = self._allowed(self._systems.get(request.header(protocol.HMAC_SYSTEM)), "hmac")
        timestamp = self._fresh(request.header(protocol.HMAC_TIMESTAMP), protocol.HMAC_TIMESTAMP)
        parts = protocol.SignedParts(
            method=request.method,
            path_and_query=request.path_and_query,
            timestamp=timestamp,
            message_id=request.header(protocol.MESSAGE_ID),
            body=request.body,
        )
        secret = client.secret.get_secret_value().encode("utf-8")
        if not protocol.hmac_signature_valid(
            secret, parts, request.header(protocol.HMAC_SIGNATURE)
        ):
            raise InvalidSignature("the signature does not match the request")
        return client

    def _api_key(self, request: Credentials) -> ClientConfig:
        presented = request.header(protocol.API_KEY)
        client = next(
            (
                c
                for c in self._clients.values()
                if c.api_key is not None and _secret_equal(c.api_key.get_secret_value(), presented)
            ),
            None,
        )
        client = self._allowed(client, "api-key")
        timestamp = self._fresh(request.header(protocol.API_TIMESTAMP), protocol.API_TIMESTAMP)
        authorization = request.header(protocol.AUTHORIZATION)
        if protocol.timestamped_authorization_user(authorization) != client.user:
            raise AuthenticationFailed("the Basic credential does not name this API key's user")
        if not protocol.timestamped_authorization_valid(
            authorization,
            endpoint=protocol.request_path(request.path_and_query),
            user=client.user,
            timestamp=timestamp,
            secret=client.secret.get_secret_value(),
        ):
            raise AuthenticationFailed("the hashed credential does not match")
        return client
