"""Access tokens (RFC 9068 JWTs): issued by the exchange, checked without a database read.

Verification trusts only the exchange's own key and one pinned algorithm, and
then asks the node's registry snapshot whether the client still exists and is
not revoked, so a revocation takes effect within the registry refresh bound.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
    UnsupportedAlgorithmError,
)
from joserfc.jws import JWSRegistry

from lgsp.auth.keys import TOKEN_ALG, KeyMaterial
from lgsp.auth.models import Caller
from registry.snapshot import CredentialView, Snapshot

log = logging.getLogger("lgsp.auth")

TOKEN_TYPE = "at+jwt"
# RFC 9068 §4 also allows the full media type; RFC 8725 §3.11 compares it case-insensitively.
_ACCEPTED_TYPES = frozenset({"at+jwt", "application/at+jwt"})
SCOPES: frozenset[str] = frozenset({"exchange", "admin", "auditor"})
MAX_LIFETIME_SECONDS = 300
MAX_CLOCK_SKEW_SECONDS = 300
# Our tokens are a few hundred bytes; anything far larger is not ours.
MAX_TOKEN_LENGTH = 4096
# Verified tokens kept (claims only) so a caller's next requests skip the signature check;
# bounded so that a flood of distinct valid tokens cannot grow memory without limit.
VERIFIED_CACHE_SIZE = 10_000

Clock = Callable[[], float]
"""Seconds since the epoch; tests pass a fake to move time without sleeping."""


class SnapshotSource(Protocol):
    """Anything holding the node's current registry snapshot (e.g. `RegistryCache`)."""

    @property
    def snapshot(self) -> Snapshot:
        """The registry as this node last loaded it."""
        ...


class TokenError(Exception):
    """Root of the token service's errors."""


class InvalidToken(TokenError):
    """A presented token that must be refused; the message is safe to show the caller."""


class ScopeRefused(TokenError):
    """A requested scope is unknown or not granted to the credential."""


class CredentialRefused(TokenError):
    """The credential may not receive tokens (it is revoked)."""


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly minted access token and what the token endpoint says about it."""

    access_token: str = field(repr=False)
    expires_in: int
    scope: str
    token_id: str
    token_type: str = "Bearer"


def resolve_scopes(*, granted: frozenset[str], requested: str | None) -> frozenset[str]:
    """The scopes a token gets: all granted ones by default, else exactly those requested."""
    allowed = granted & SCOPES
    if requested is None or not requested.strip():
        if not allowed:
            raise ScopeRefused("the credential holds no scope")
        return allowed
    wanted = frozenset(requested.split())
    if not wanted <= allowed:
        raise ScopeRefused("a requested scope is unknown or not granted to this client")
    return wanted


def _reason(exc: JoseError) -> str:
    if isinstance(exc, UnsupportedAlgorithmError):
        return "token algorithm not accepted"
    if isinstance(exc, BadSignatureError):
        return "token signature not valid"
    return "token malformed"


class TokenService:
    """Issues and verifies the exchange's access tokens."""

    def __init__(
        self,
        *,
        keys: KeyMaterial,
        issuer: str,
        audience: str,
        lifetime_seconds: int,
        clock_skew_seconds: int,
        registry: SnapshotSource,
        clock: Clock = time.time,
    ) -> None:
        if not 1 <= lifetime_seconds <= MAX_LIFETIME_SECONDS:
            raise ValueError(f"token lifetime must be 1..{MAX_LIFETIME_SECONDS} seconds")
        if not 0 <= clock_skew_seconds <= MAX_CLOCK_SKEW_SECONDS:
            raise ValueError(f"clock skew must be 0..{MAX_CLOCK_SKEW_SECONDS} seconds")
        self._keys = keys
        self.issuer = issuer
        self.audience = audience
        self.lifetime_seconds = lifetime_seconds
        self.clock_skew_seconds = clock_skew_seconds
        self._registry = registry
        self._clock = clock
        # An explicit allow-list: "none", HMAC and every other algorithm are refused
        # before any signature is checked, whatever the token's header says.
        self._jws = JWSRegistry(algorithms=[TOKEN_ALG])
        self._verified: dict[str, dict[str, Any]] = {}

    def issue(self, *, credential: CredentialView, scope: str | None = None) -> IssuedToken:
        """Mint a token for `credential` with the requested (default: all granted) scopes."""
        if credential.revoked:
            raise CredentialRefused("the credential is revoked")
        scopes = resolve_scopes(granted=credential.scopes, requested=scope)
        now = int(self._clock())
        token_id = uuid.uuid4().hex
        scope_text = " ".join(sorted(scopes))
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": credential.client_id,
            "aud": self.audience,
            "exp": now + self.lifetime_seconds,
            "iat": now,
            "jti": token_id,
            "client_id": credential.client_id,
            "scope": scope_text,
        }
        header = {"typ": TOKEN_TYPE, "alg": TOKEN_ALG, "kid": self._keys.kid}
        token = jwt.encode(
            header, claims, self._keys.signing_key, registry=self._jws, default_type=None
        )
        log.info("issued token %s to client %s (%s)", token_id, credential.client_id, scope_text)
        return IssuedToken(
            access_token=token,
            expires_in=self.lifetime_seconds,
            scope=scope_text,
            token_id=token_id,
        )

    def verify(self, token: str) -> Caller:
        """The caller a token stands for; raises `InvalidToken` when it must be refused."""
        cached = self._verified.get(token)
        if cached is not None:
            # The signature and every claim were checked when the token was first seen;
            # only time moves: expiry is checked again, revocation by `_caller` as always.
            now = int(self._clock())
            if now >= cached["exp"] + self.clock_skew_seconds:
                self._verified.pop(token, None)
                raise InvalidToken("token expired")
            if now < cached["iat"] - self.clock_skew_seconds:
                raise InvalidToken("token issued in the future")
            return self._caller(cached)
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken("token malformed")
        try:
            decoded = jwt.decode(token, self._keys.verification_key, registry=self._jws)
        except JoseError as exc:
            raise InvalidToken(_reason(exc)) from exc
        except ValueError as exc:
            raise InvalidToken("token malformed") from exc
        typ = decoded.header.get("typ")
        if not isinstance(typ, str) or typ.lower() not in _ACCEPTED_TYPES:
            raise InvalidToken("token type is not at+jwt")
        if decoded.header.get("kid") != self._keys.kid:
            raise InvalidToken("token signing key unknown")
        claims = decoded.claims
        self._check_claims(claims)
        caller = self._caller(claims)
        self._remember(token, claims)
        return caller

    def _remember(self, token: str, claims: dict[str, Any]) -> None:
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            # Oldest first (dicts keep insertion order); another thread may race us here.
            with contextlib.suppress(KeyError, StopIteration, RuntimeError):
                del self._verified[next(iter(self._verified))]
        self._verified[token] = claims

    def _check_claims(self, claims: dict[str, Any]) -> None:
        registry = jwt.JWTClaimsRegistry(
            now=lambda: int(self._clock()),
            leeway=self.clock_skew_seconds,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.audience},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            jti={"essential": True},
            client_id={"essential": True},
            scope={"essential": True},
        )
        try:
            registry.validate(claims)
        except ExpiredTokenError as exc:
            raise InvalidToken("token expired") from exc
        except MissingClaimError as exc:
            raise InvalidToken("token lacks a required claim") from exc
        except InvalidClaimError as exc:
            raise InvalidToken(_claim_reason(exc)) from exc
        # Only this exchange's key verified the token, so these can fail only
        # if our own issuing is wrong; checking costs nothing.
        if claims["exp"] - claims["iat"] > MAX_LIFETIME_SECONDS:
            raise InvalidToken("token lifetime too long")
        if not isinstance(claims["client_id"], str) or claims["client_id"] != claims["sub"]:
            raise InvalidToken("token subject does not match its client")
        if not isinstance(claims["scope"], str):
            raise InvalidToken("token scope malformed")

    def _caller(self, claims: dict[str, Any]) -> Caller:
        client_id: str = claims["client_id"]
        credential = self._registry.snapshot.credential(client_id)
        if credential is None or credential.revoked:
            raise InvalidToken("client unknown or revoked")
        # A scope withdrawn from the credential after issuing is withdrawn from its tokens too.
        scopes = frozenset(claims["scope"].split()) & credential.scopes & SCOPES
        return Caller(
            client_id=client_id,
            system_id=credential.system_id,
            scopes=scopes,
            token_id=str(claims["jti"]),
        )


def _claim_reason(exc: InvalidClaimError) -> str:
    claim = exc.claim
    if claim == "nbf":
        return "token not yet valid"
    if claim == "iat":
        return "token issued in the future"
    if claim == "iss":
        return "token issuer not accepted"
    if claim == "aud":
        return "token audience not accepted"
    return "token claim not valid"
