"""Client ids, client secrets and the keyed hash under which secrets are stored.

Secrets are 256-bit random values, so a slow password hash buys nothing and
would sit on the token endpoint's hot path; an HMAC-SHA256 under a server key
means a stolen database alone does not let anyone check guesses offline.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

HASH_SCHEME = "hmac-sha256"


def generate_client_id() -> str:
    """An opaque client id: no `:` so that `curl -u id:secret` works."""
    return "c_" + secrets.token_hex(12)


def generate_secret() -> str:
    """A high-entropy client secret, URL-safe."""
    return secrets.token_urlsafe(32)


class SecretHasher:
    """Keyed hashes of client secrets; the key id is stored so keys can be rotated."""

    def __init__(self, key: bytes, *, key_id: str | None = None) -> None:
        if len(key) < 32:
            raise ValueError("the secret-hash key must be at least 32 bytes")
        self._key = key
        self.key_id = key_id or hashlib.sha256(b"lgsp-secret-hash-key:" + key).hexdigest()[:16]

    def hash(self, secret: str) -> str:
        """The stored form of `secret`: `hmac-sha256$<key id>$<hex>`."""
        digest = hmac.new(self._key, secret.encode("utf-8"), hashlib.sha256).hexdigest()
        return f"{HASH_SCHEME}${self.key_id}${digest}"

    def verify(self, secret: str, stored: str) -> bool:
        """Whether `secret` matches `stored`, in constant time."""
        try:
            scheme, key_id, _digest = stored.split("$", 2)
        except ValueError:
            return False
        if scheme != HASH_SCHEME or key_id != self.key_id:
            return False
        return hmac.compare_digest(self.hash(secret), stored)
