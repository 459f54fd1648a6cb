"""Ed25519 signing of entry bytes under key ids, and verification against a key map.

A key id is `ed25519:` followed by the first 16 hex digits (64 bits) of the
SHA-256 of the raw 32-byte public key: derived from the key itself, so a
key id can be checked against the key it names and never needs assigning.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from collections.abc import Mapping
from typing import Final, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from audit.errors import InvalidKey, SignatureInvalid, UnknownKey

ALGORITHM: Final = "ed25519"
KEY_ID_PREFIX: Final = "ed25519:"
_RAW_KEY_LENGTH: Final = 32


class Signer(Protocol):
    """Signs entry bytes under one key id; `sign` returns the raw signature."""

    @property
    def key_id(self) -> str:
        """The id verifiers look the public key up by."""
        ...

    def sign(self, data: bytes) -> bytes:
        """The signature over exactly `data`."""
        ...


def key_id_for(public_key: bytes) -> str:
    """The key id of a raw Ed25519 public key."""
    if len(public_key) != _RAW_KEY_LENGTH:
        raise InvalidKey("an Ed25519 public key is 32 raw bytes")
    return KEY_ID_PREFIX + hashlib.sha256(public_key).hexdigest()[:16]


def check_key_id(key_id: str, public_key: bytes) -> None:
    """Raise InvalidKey unless `key_id` is the id derived from `public_key`."""
    if key_id_for(public_key) != key_id:
        raise InvalidKey(f"key id {key_id} does not belong to the public key given with it")


class Ed25519Signer:
    """A `Signer` holding an Ed25519 private key in memory."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private_key = private_key
        self.public_key: bytes = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self._key_id = key_id_for(self.public_key)

    @property
    def key_id(self) -> str:
        """`ed25519:` + 16 hex digits of SHA-256(raw public key)."""
        return self._key_id

    def sign(self, data: bytes) -> bytes:
        """The 64-byte Ed25519 signature over `data`."""
        return self._private_key.sign(data)

    @classmethod
    def from_raw(cls, private_key: bytes) -> Ed25519Signer:
        """A signer from a raw 32-byte private key (as `generate_signing_key` makes)."""
        if len(private_key) != _RAW_KEY_LENGTH:
            raise InvalidKey("an Ed25519 private key is 32 raw bytes")
        return cls(Ed25519PrivateKey.from_private_bytes(private_key))

    @classmethod
    def from_pem(cls, pem: bytes, *, password: bytes | None = None) -> Ed25519Signer:
        """A signer from a PKCS#8 PEM private key."""
        try:
            key = serialization.load_pem_private_key(pem, password=password)
        except (ValueError, TypeError) as exc:
            raise InvalidKey("not a readable PEM private key") from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise InvalidKey("the PEM private key is not an Ed25519 key")
        return cls(key)


def generate_signing_key() -> bytes:
    """A new raw 32-byte Ed25519 private key."""
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )


def private_key_pem(private_key: bytes) -> bytes:
    """A raw private key as unencrypted PKCS#8 PEM, for files an operator keeps."""
    return Ed25519PrivateKey.from_private_bytes(private_key).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@dataclasses.dataclass(frozen=True)
class PublicKeyRecord:
    """A public key as published for auditors."""

    key_id: str
    algorithm: str
    public_key: bytes

    def as_json(self) -> dict[str, str]:
        """The record as JSON, the key in standard base64."""
        return {
            "key_id": self.key_id,
            "algorithm": self.algorithm,
            "public_key": base64.b64encode(self.public_key).decode("ascii"),
        }


def public_key_record(public_key: bytes) -> PublicKeyRecord:
    """The publishable record of a raw Ed25519 public key."""
    return PublicKeyRecord(
        key_id=key_id_for(public_key), algorithm=ALGORITHM, public_key=public_key
    )


class Verifier:
    """Checks signatures against a fixed map of key id to raw Ed25519 public key."""

    def __init__(self, keys: Mapping[str, bytes]) -> None:
        self._keys: dict[str, Ed25519PublicKey] = {}
        for key_id, raw in keys.items():
            check_key_id(key_id, raw)
            self._keys[key_id] = Ed25519PublicKey.from_public_bytes(raw)

    @property
    def key_ids(self) -> frozenset[str]:
        """The ids of the keys this verifier trusts."""
        return frozenset(self._keys)

    def verify(self, data: bytes, *, key_id: str, signature: bytes) -> None:
        """Raise UnknownKey or SignatureInvalid unless `signature` signs `data` under `key_id`."""
        key = self._keys.get(key_id)
        if key is None:
            raise UnknownKey(f"no trusted public key has id {key_id}")
        try:
            key.verify(signature, data)
        except InvalidSignature as exc:
            raise SignatureInvalid(f"signature does not verify under {key_id}") from exc
