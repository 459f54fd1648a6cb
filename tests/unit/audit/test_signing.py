"""Ed25519 signing under derived key ids, and verification that fails on any changed byte."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from audit.entry import encode_entry
from audit.errors import InvalidKey, SignatureInvalid, UnknownKey
from audit.signing import (
    Ed25519Signer,
    Signer,
    Verifier,
    generate_signing_key,
    key_id_for,
    private_key_pem,
    public_key_record,
)
from tests.unit.audit.drafts import make_draft, new_signer


def test_a_signature_verifies_under_its_key_id() -> None:
    signer = new_signer()
    data = encode_entry(make_draft())
    signature = signer.sign(data)
    assert len(signature) == 64
    Verifier({signer.key_id: signer.public_key}).verify(
        data, key_id=signer.key_id, signature=signature
    )


def test_changing_any_one_byte_of_the_entry_breaks_the_signature() -> None:
    signer = new_signer()
    data = encode_entry(make_draft())
    signature = signer.sign(data)
    verifier = Verifier({signer.key_id: signer.public_key})
    for index in range(len(data)):
        changed = bytearray(data)
        changed[index] ^= 0x01
        with pytest.raises(SignatureInvalid):
            verifier.verify(bytes(changed), key_id=signer.key_id, signature=signature)


@pytest.mark.parametrize("index", [0, 31, 32, 63])
def test_changing_one_byte_of_the_signature_breaks_it(index: int) -> None:
    signer = new_signer()
    data = encode_entry(make_draft())
    signature = bytearray(signer.sign(data))
    signature[index] ^= 0x80
    with pytest.raises(SignatureInvalid):
        Verifier({signer.key_id: signer.public_key}).verify(
            data, key_id=signer.key_id, signature=bytes(signature)
        )


def test_another_key_does_not_verify_and_an_unknown_key_is_named() -> None:
    signer, other = new_signer(), new_signer()
    data = encode_entry(make_draft())
    signature = signer.sign(data)
    verifier = Verifier({other.key_id: other.public_key})
    with pytest.raises(UnknownKey):
        verifier.verify(data, key_id=signer.key_id, signature=signature)
    both = Verifier({signer.key_id: signer.public_key, other.key_id: other.public_key})
    with pytest.raises(SignatureInvalid):
        both.verify(data, key_id=other.key_id, signature=signature)


def test_key_id_is_derived_from_the_public_key() -> None:
    signer = new_signer()
    assert re.fullmatch(r"ed25519:[0-9a-f]{16}", signer.key_id)
    assert signer.key_id == "ed25519:" + hashlib.sha256(signer.public_key).hexdigest()[:16]
    assert key_id_for(signer.public_key) == signer.key_id
    assert new_signer().key_id != signer.key_id


def test_a_verifier_refuses_a_key_under_someone_elses_id() -> None:
    signer, other = new_signer(), new_signer()
    with pytest.raises(InvalidKey):
        Verifier({signer.key_id: other.public_key})


def test_keys_load_from_raw_and_from_pem_alike() -> None:
    raw = generate_signing_key()
    assert len(raw) == 32
    assert generate_signing_key() != raw
    from_raw = Ed25519Signer.from_raw(raw)
    from_pem = Ed25519Signer.from_pem(private_key_pem(raw))
    assert from_raw.key_id == from_pem.key_id
    data = b"entry"
    # Ed25519 is deterministic: the same key signs the same bytes the same way.
    assert from_raw.sign(data) == from_pem.sign(data)
    signer: Signer = from_pem
    assert signer.key_id == from_raw.key_id


def test_malformed_keys_are_refused() -> None:
    with pytest.raises(InvalidKey):
        Ed25519Signer.from_raw(b"short")
    with pytest.raises(InvalidKey):
        Ed25519Signer.from_pem(b"-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n")
    other_curve = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(InvalidKey, match="Ed25519"):
        Ed25519Signer.from_pem(other_curve)
    with pytest.raises(InvalidKey):
        key_id_for(b"\x00" * 31)


def test_public_key_record_publishes_the_raw_key_in_base64() -> None:
    signer = new_signer()
    record = public_key_record(signer.public_key).as_json()
    assert record == {
        "key_id": signer.key_id,
        "algorithm": "ed25519",
        "public_key": base64.b64encode(signer.public_key).decode("ascii"),
    }
