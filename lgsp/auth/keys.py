"""The exchange's own keys: the token-signing key and the key of the client-secret hash.

`ensure_keys` generates whatever is missing (run once, before workers fork);
`load_keys` reads them at start into an immutable `KeyMaterial`.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)
from joserfc.errors import JoseError
from joserfc.jwk import KeyParameters, OKPKey

from lgsp.settings import Settings

log = logging.getLogger("lgsp.auth")

SIGNING_KEY_FILE = "token-signing-ed25519.pem"
SECRET_HASH_KEY_FILE = "secret-hash.key"
# RFC 9864's fully specified name for EdDSA over Ed25519; the polymorphic
# "EdDSA" is deprecated there, and joserfc warns on every use of it.
TOKEN_ALG = "Ed25519"
MIN_SECRET_HASH_KEY_BYTES = 32


class KeyFileError(Exception):
    """A key file is missing, unreadable or does not hold the expected key."""


@dataclass(frozen=True, slots=True)
class KeyMaterial:
    """The keys a node works with, loaded once at start."""

    signing_key: OKPKey = field(repr=False)
    verification_key: OKPKey
    kid: str
    secret_hash_key: bytes = field(repr=False)
    secret_hash_key_id: str | None = None

    @classmethod
    def from_signing_key(
        cls,
        signing_key: OKPKey,
        *,
        secret_hash_key: bytes,
        secret_hash_key_id: str | None = None,
    ) -> KeyMaterial:
        """Key material around an Ed25519 private key; the kid is its RFC 7638 thumbprint."""
        if not signing_key.is_private or signing_key.curve_name != "Ed25519":
            raise KeyFileError("the token-signing key must be an Ed25519 private key")
        if len(secret_hash_key) < MIN_SECRET_HASH_KEY_BYTES:
            raise KeyFileError("the secret-hash key must be at least 32 bytes")
        kid = signing_key.thumbprint()
        params: KeyParameters = {"kid": kid, "use": "sig", "alg": TOKEN_ALG}
        private = OKPKey.import_key(signing_key.as_dict(private=True), parameters=params)
        public = OKPKey.import_key(signing_key.as_dict(private=False), parameters=params)
        return cls(
            signing_key=private,
            verification_key=public,
            kid=kid,
            secret_hash_key=secret_hash_key,
            secret_hash_key_id=secret_hash_key_id,
        )

    def public_jwk(self) -> dict[str, Any]:
        """The verification key as a public JWK (RFC 7517), never with private members."""
        return dict(self.verification_key.as_dict(private=False))

    def public_jwks(self) -> dict[str, list[dict[str, Any]]]:
        """The JWK Set served at /oauth/jwks."""
        return {"keys": [self.public_jwk()]}


def create_private_file(path: Path, data: bytes) -> None:
    """Write `path` atomically with mode 0600, unless it already exists (then keep it)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            os.fchmod(fd, 0o600)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        # link() fails if the name exists, so two processes starting at once
        # cannot replace a key the other has already loaded.
        try:
            os.link(tmp, path)
        except FileExistsError:
            return
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        log.info("generated %s", path.name)
    finally:
        tmp.unlink(missing_ok=True)


def ensure_keys(keys_dir: Path) -> None:
    """Generate the signing key and the secret-hash key if missing; idempotent."""
    keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    signing = keys_dir / SIGNING_KEY_FILE
    if not signing.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
        )
        create_private_file(signing, pem)
    hash_key = keys_dir / SECRET_HASH_KEY_FILE
    if not hash_key.exists():
        # Text, so the same value can be moved into LGSP_SECRET_HASH_KEY unchanged.
        create_private_file(hash_key, (secrets.token_urlsafe(32) + "\n").encode("ascii"))


def read_private_file(path: Path) -> bytes:
    """The bytes of a private key file; warns when others may read it."""
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise KeyFileError(f"{path} is missing; run `lgsp up` (or prepare) first") from exc
    except OSError as exc:
        raise KeyFileError(f"{path} cannot be read: {exc.strerror}") from exc
    if mode & 0o077:
        log.warning("%s is readable by group or others; it should be mode 0600", path)
    return data


def _load_signing_key(path: Path) -> OKPKey:
    data = read_private_file(path)
    try:
        return OKPKey.import_key(data)
    except (JoseError, ValueError, TypeError) as exc:
        raise KeyFileError(f"{path} does not hold an Ed25519 private key in PEM") from exc


def _secret_hash_key(keys_dir: Path, settings: Settings) -> bytes:
    if settings.secret_hash_key is not None:
        key = settings.secret_hash_key.get_secret_value().encode("utf-8")
        if len(key) < MIN_SECRET_HASH_KEY_BYTES:
            raise KeyFileError("LGSP_SECRET_HASH_KEY must be at least 32 bytes")
        return key
    key = read_private_file(keys_dir / SECRET_HASH_KEY_FILE).strip()
    if len(key) < MIN_SECRET_HASH_KEY_BYTES:
        raise KeyFileError(f"{keys_dir / SECRET_HASH_KEY_FILE} holds fewer than 32 bytes")
    return key


def load_keys(keys_dir: Path, *, settings: Settings) -> KeyMaterial:
    """Read the node's keys; LGSP_SECRET_HASH_KEY, if set, overrides the key file."""
    signing_key = _load_signing_key(keys_dir / SIGNING_KEY_FILE)
    return KeyMaterial.from_signing_key(
        signing_key, secret_hash_key=_secret_hash_key(keys_dir, settings)
    )
