"""Hand-made tokens for refusal tests: every way a token can be wrong, built independently."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import warnings
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from joserfc import jwt
from joserfc.errors import SecurityWarning
from joserfc.jwk import OKPKey
from joserfc.jws import JWSRegistry

from lgsp.auth.keys import KeyMaterial


def b64url(data: bytes) -> str:
    """Unpadded base64url (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def segment(obj: dict[str, Any]) -> str:
    """A JSON object as a JWS header or payload segment."""
    return b64url(json.dumps(obj, separators=(",", ":")).encode("utf-8"))


def claims_for(
    *,
    client_id: str,
    issuer: str,
    audience: str,
    now: int,
    lifetime: int = 300,
    scope: str = "exchange",
) -> dict[str, Any]:
    """The claims the exchange itself would put in a token."""
    return {
        "iss": issuer,
        "sub": client_id,
        "aud": audience,
        "exp": now + lifetime,
        "iat": now,
        "jti": "forged-" + client_id,
        "client_id": client_id,
        "scope": scope,
    }


def sign(
    claims: dict[str, Any],
    *,
    key: OKPKey,
    kid: str,
    alg: str = "Ed25519",
    typ: str | None = "at+jwt",
) -> str:
    """A JWS made with joserfc, any algorithm it knows, any header values."""
    header: dict[str, Any] = {"alg": alg, "kid": kid}
    if typ is not None:
        header["typ"] = typ
    registry = JWSRegistry(algorithms=[alg])
    # The exchange's key is marked for "Ed25519" only; a forger ignores such marks.
    key = OKPKey.import_key({k: v for k, v in key.as_dict(private=True).items() if k != "alg"})
    with warnings.catch_warnings():
        # joserfc warns that "EdDSA" is deprecated; making such a token is the point here.
        warnings.simplefilter("ignore", SecurityWarning)
        return jwt.encode(header, dict(claims), key, registry=registry, default_type=None)


def unsigned(claims: dict[str, Any], *, kid: str) -> str:
    """An `alg: none` token (RFC 7519 §6), which must never be accepted."""
    return f"{segment({'alg': 'none', 'typ': 'at+jwt', 'kid': kid})}.{segment(claims)}."


def public_key_forms(keys: KeyMaterial) -> dict[str, bytes]:
    """The verification key in each form a confused verifier might use as an HMAC secret."""
    public = keys.verification_key
    return {
        "pem": public.as_pem(private=False),
        "raw": public.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw),
        "jwk": json.dumps(keys.public_jwk(), separators=(",", ":")).encode("utf-8"),
    }


def hs256(claims: dict[str, Any], *, secret: bytes, kid: str) -> str:
    """An HS256 token keyed with `secret` (for the algorithm-confusion attack)."""
    header = segment({"alg": "HS256", "typ": "at+jwt", "kid": kid})
    body = segment(claims)
    mac = hmac.new(secret, f"{header}.{body}".encode("ascii"), hashlib.sha256).digest()
    return f"{header}.{body}.{b64url(mac)}"


def other_keys() -> KeyMaterial:
    """Key material the exchange never saw."""
    return KeyMaterial.from_signing_key(OKPKey.generate_key("Ed25519"), secret_hash_key=b"k" * 32)
