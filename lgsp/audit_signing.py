"""The node's audit-signing key: generated once, its public half published in the store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine

from audit.signing import Ed25519Signer, generate_signing_key, private_key_pem
from audit.store import register_key
from lgsp.auth.keys import create_private_file, read_private_file

AUDIT_KEY_FILE = "audit-signing-ed25519.pem"


def ensure_audit_key(keys_dir: Path) -> None:
    """Generate the audit-signing key if it is missing; idempotent, safe before forking."""
    keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = keys_dir / AUDIT_KEY_FILE
    if not path.exists():
        create_private_file(path, private_key_pem(generate_signing_key()))


def load_audit_signer(keys_dir: Path) -> Ed25519Signer:
    """The signer of this node's audit entries."""
    return Ed25519Signer.from_pem(read_private_file(keys_dir / AUDIT_KEY_FILE))


def publish_audit_key(engine: Engine, signer: Ed25519Signer) -> None:
    """Record the signer's public key in the store, where auditors and the verifier find it."""
    with engine.begin() as connection:
        register_key(
            connection,
            key_id=signer.key_id,
            public_key=signer.public_key,
            created_at=dt.datetime.now(dt.UTC),
        )
