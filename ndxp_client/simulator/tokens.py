"""Access tokens the simulator issues at `POST /oauth/token` and accepts as `Bearer` credentials.

Opaque tokens are random strings remembered (by their SHA-256) until they
expire; JWT tokens (RFC 9068 shape, HS256 under a key made at start) are
checked by signature and claims alone. Either way a restart forgets them,
which is what a client must cope with anyway.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import uuid
from collections import OrderedDict
from typing import Literal

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from ndxp_client.simulator.records import Clock

AUDIENCE = "ndxp"
_ALGORITHM = "HS256"
# Tokens are a few hundred bytes; anything far larger is not ours and is not parsed.
_MAX_TOKEN_LENGTH = 4096


class TokenIssuer:
    """Issues tokens to clients and tells which client a presented token belongs to."""

    def __init__(
        self,
        *,
        token_format: Literal["opaque", "jwt"],
        lifetime_seconds: int,
        issuer: str,
        clock: Clock,
        limit: int,
    ) -> None:
        self._format = token_format
        self._lifetime = lifetime_seconds
        self._issuer = issuer
        self._clock = clock
        self._limit = limit
        self._key = OctKey.import_key(secrets.token_bytes(32))
        self._lock = threading.Lock()
        # sha256(token) -> (client id, expiry): the tokens themselves are not kept.
        self._opaque: OrderedDict[bytes, tuple[str, float]] = OrderedDict()

    @property
    def lifetime_seconds(self) -> int:
        """How long a token lives: the token endpoint's `expires_in`."""
        return self._lifetime

    def issue(self, *, client_id: str) -> str:
        """A new token for `client_id`."""
        now = self._clock()
        if self._format == "jwt":
            claims = {
                "iss": self._issuer,
                "aud": AUDIENCE,
                "sub": client_id,
                "client_id": client_id,
                "iat": int(now),
                "exp": int(now) + self._lifetime,
                "jti": str(uuid.uuid4()),
            }
            return jwt.encode({"alg": _ALGORITHM, "typ": "at+jwt"}, claims, self._key)
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._prune(now)
            self._opaque[hashlib.sha256(token.encode()).digest()] = (
                client_id,
                now + self._lifetime,
            )
        return token

    def client_of(self, token: str) -> str | None:
        """The client a valid, unexpired token was issued to; `None` for any other token."""
        if not token or len(token) > _MAX_TOKEN_LENGTH:
            return None
        now = self._clock()
        if self._format == "jwt":
            return self._jwt_client(token, now)
        with self._lock:
            found = self._opaque.get(hashlib.sha256(token.encode()).digest())
        if found is None or found[1] <= now:
            return None
        return found[0]

    def _jwt_client(self, token: str, now: float) -> str | None:
        try:
            decoded = jwt.decode(token, self._key, algorithms=[_ALGORITHM])
        except (JoseError, ValueError):
            return None
        claims = decoded.claims
        exp, sub = claims.get("exp"), claims.get("sub")
        if (
            decoded.header.get("typ") != "at+jwt"
            or claims.get("iss") != self._issuer
            or claims.get("aud") != AUDIENCE
            or not isinstance(exp, int)
            or exp <= now
            or not isinstance(sub, str)
        ):
            return None
        return sub

    def _prune(self, now: float) -> None:
        # Expired tokens first (oldest first: they were issued in order), then the oldest
        # live ones if the bound is still exceeded.
        while self._opaque:
            key, (_, expiry) = next(iter(self._opaque.items()))
            if expiry > now and len(self._opaque) < self._limit:
                break
            del self._opaque[key]
