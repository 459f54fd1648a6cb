"""authlib's generic OAuth2 server fitted to the exchange: client credentials only.

authlib has no Starlette server integration, so this module is one: the HTTP
layer reads the request (asynchronously) into a `TokenRequest`, and
`TokenGrantServer.respond` runs authlib's client-credentials grant on it
synchronously and returns a `TokenAnswer`. authlib is untyped; its objects
never leave this module.
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import unquote_plus

from authlib.common.security import is_secure_transport
from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import (
    ClientMixin,
    InvalidClientError,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Error,
    OAuth2Payload,
    OAuth2Request,
    UnsupportedGrantTypeError,
)
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant

from lgsp.auth.tokens import (
    SCOPES,
    CredentialRefused,
    ScopeRefused,
    SnapshotSource,
    TokenService,
    resolve_scopes,
)
from registry.secrets import SecretHasher
from registry.snapshot import CredentialView

GRANT_TYPE = "client_credentials"
AUTH_METHODS = ("client_secret_basic", "client_secret_post")
# RFC 6749 §3.2: token request parameters must not be repeated.
_SINGLE_PARAMS = ("grant_type", "scope", "client_id", "client_secret")


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """A received token request: method, headers (case-insensitive) and form pairs in order."""

    method: str
    headers: Mapping[str, str]
    form: Sequence[tuple[str, str]]

    @property
    def uses_basic(self) -> bool:
        """Whether the client sent HTTP Basic credentials."""
        scheme, _, _rest = self.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "basic"


@dataclass(frozen=True, slots=True)
class TokenAnswer:
    """The grant's outcome: a token body (`error` None) or an RFC 6749 §5.2 error."""

    status: int
    body: Mapping[str, str | int] = field(default_factory=dict)
    error: str | None = None
    error_description: str | None = None


class InsecureTokenEndpoint(ValueError):
    """The configured token endpoint URL is neither https nor loopback."""


def parse_basic(header: str | None) -> tuple[str, str] | None:
    """Client id and secret of an HTTP Basic header (RFC 6749 §2.3.1), or None if absent/bad."""
    if not header:
        return None
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    if not sep or not client_id or not secret:
        return None
    return unquote_plus(client_id), unquote_plus(secret)


class _Payload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, form: Sequence[tuple[str, str]]) -> None:
        self._data: dict[str, str] = {}
        self._datalist: defaultdict[str, list[str]] = defaultdict(list)
        for name, value in form:
            self._data.setdefault(name, value)
            self._datalist[name].append(value)

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class _Request(OAuth2Request):  # type: ignore[misc]
    def __init__(self, request: TokenRequest, *, uri: str) -> None:
        super().__init__(method=request.method, uri=uri, headers=request.headers)
        self.payload = _Payload(request.form)
        self.token_request = request

    @property
    def args(self) -> dict[str, str]:
        return {}

    @property
    def form(self) -> dict[str, str]:
        data: dict[str, str] = self.payload.data
        return data


class _Client(ClientMixin):  # type: ignore[misc]
    """A snapshot credential as authlib sees a client; `None` stands for unknown or revoked."""

    def __init__(self, credential: CredentialView | None, *, hasher: SecretHasher, decoy: str):
        self.credential = credential
        self._hasher = hasher
        self._decoy = decoy

    def get_client_id(self) -> str | None:
        return None if self.credential is None else self.credential.client_id

    def check_client_secret(self, client_secret: str) -> bool:
        if self.credential is None:
            # Spend the same time as for a real client, so timing does not
            # tell which client ids exist.
            self._hasher.verify(client_secret, self._decoy)
            return False
        return self._hasher.verify(client_secret, self.credential.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in AUTH_METHODS

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == GRANT_TYPE

    def get_allowed_scope(self, scope: str) -> str:
        granted = frozenset() if self.credential is None else self.credential.scopes
        return " ".join(s for s in scope.split() if s in granted & SCOPES)


def _authenticate_basic(query_client: Any, request: _Request) -> _Client | None:
    """authlib's client_secret_basic, strict: bad base64 or UTF-8 fails instead of raising."""
    parsed = parse_basic(request.headers.get("authorization"))
    if parsed is None:
        return None
    client: _Client = query_client(parsed[0])
    return client if client.check_client_secret(parsed[1]) else None


class _ClientCredentialsGrant(ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = list(AUTH_METHODS)

    def validate_token_request(self) -> None:
        request: _Request = self.request
        datalist = request.payload.datalist
        if any(len(datalist.get(name, ())) > 1 for name in _SINGLE_PARAMS):
            raise InvalidRequestError("a token request parameter is repeated")
        if request.token_request.uses_basic and "client_secret" in datalist:
            raise InvalidRequestError("use one client authentication method, not two")
        super().validate_token_request()

    def validate_requested_scope(self) -> None:
        client: _Client = self.request.client
        granted = frozenset() if client.credential is None else client.credential.scopes
        try:
            resolve_scopes(granted=granted, requested=self.request.payload.scope)
        except ScopeRefused as exc:
            raise InvalidScopeError(str(exc)) from exc


class TokenGrantServer(AuthorizationServer):  # type: ignore[misc]
    """The exchange's authorization server: client credentials, secret by Basic or POST."""

    def __init__(
        self,
        *,
        tokens: TokenService,
        hasher: SecretHasher,
        registry: SnapshotSource,
        token_endpoint: str,
    ) -> None:
        # authlib refuses non-TLS request URIs (loopback excepted); say so at
        # construction rather than on every request.
        if not is_secure_transport(token_endpoint):
            raise InsecureTokenEndpoint(f"{token_endpoint} is neither https nor loopback")
        super().__init__(scopes_supported=sorted(SCOPES))
        self._tokens = tokens
        self._hasher = hasher
        self._registry = registry
        self._token_endpoint = token_endpoint
        self._decoy = hasher.hash("decoy secret: never matches a real one")
        self.register_grant(_ClientCredentialsGrant)
        self.register_client_auth_method("client_secret_basic", _authenticate_basic)
        self.register_token_generator(GRANT_TYPE, self._generate_token)

    def respond(self, request: TokenRequest) -> TokenAnswer:
        """Run the client-credentials grant on `request`."""
        answer: TokenAnswer = self.create_token_response(request)
        return answer

    # -- authlib's framework hooks -------------------------------------------

    def query_client(self, client_id: str) -> _Client:
        """The client from the node's snapshot; never a database read."""
        credential = self._registry.snapshot.credential(client_id)
        if credential is not None and credential.revoked:
            credential = None
        return _Client(credential, hasher=self._hasher, decoy=self._decoy)

    def save_token(self, token: Mapping[str, Any], request: _Request) -> None:
        """Nothing to save (see below)."""
        # Tokens are self-contained JWTs verified by signature: nothing to store.
        return None

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """No signal system here; authlib calls this after client authentication."""
        return None

    def create_oauth2_request(self, request: TokenRequest) -> _Request:
        """authlib's request object for an already received `TokenRequest`."""
        return _Request(request, uri=self._token_endpoint)

    def handle_response(
        self, status: int, body: Mapping[str, Any], headers: Sequence[tuple[str, str]]
    ) -> TokenAnswer:
        """The success answer; the HTTP layer adds the no-store headers."""
        return TokenAnswer(status=status, body=dict(body))

    def handle_error_response(self, request: _Request, error: OAuth2Error) -> TokenAnswer:
        """An RFC 6749 §5.2 error, for the HTTP layer to answer as problem+json."""
        if isinstance(error, InvalidClientError):
            # One answer for unknown, revoked and wrong secret: none tells more.
            return TokenAnswer(
                401, error="invalid_client", error_description="client authentication failed"
            )
        if isinstance(error, UnsupportedGrantTypeError):
            description = f"only grant_type={GRANT_TYPE} is supported"
        else:
            description = str(error.description or error.error)
        return TokenAnswer(400, error=str(error.error), error_description=description)

    def _generate_token(
        self,
        *,
        grant_type: str,
        client: _Client,
        user: object = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = False,
    ) -> dict[str, str | int]:
        if client.credential is None:
            raise InvalidClientError()
        try:
            issued = self._tokens.issue(credential=client.credential, scope=scope)
        except ScopeRefused as exc:
            raise InvalidScopeError(str(exc)) from exc
        except CredentialRefused as exc:
            raise InvalidClientError() from exc
        return {
            "access_token": issued.access_token,
            "token_type": issued.token_type,
            "expires_in": issued.expires_in,
            "scope": issued.scope,
        }
