"""OAuth2 client credentials: an opaque client id mapped to a system, and a keyed secret hash.

The secret is generated here, returned once, and stored only as
`hasher.hash(secret)`. Change rows never hold the stored hash either: they
keep its SHA-256, enough to tell that a secret changed and nothing more.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import _write
from registry.changes import as_json, now
from registry.dto import (
    CredentialCreate,
    CredentialIssued,
    CredentialRead,
    CredentialUpdate,
    EntityKind,
)
from registry.errors import Conflict, Invalid, NotFound
from registry.identifiers import parse_client_id
from registry.models import Credential, System
from registry.secrets import SecretHasher, generate_client_id, generate_secret

ENTITY: EntityKind = "credential"


def describe(row: Credential) -> dict[str, Any]:
    """The credential as its change rows record it: a digest of the stored hash, not the hash."""
    data = as_json(CredentialRead.model_validate(row))
    data["secret_hash_sha256"] = hashlib.sha256(row.secret_hash.encode("utf-8")).hexdigest()
    return data


def issue(
    *,
    session: Session,
    data: CredentialCreate,
    actor: str,
    hasher: SecretHasher,
    client_id: str | None = None,
) -> CredentialIssued:
    """Create a client of `data.system_id` with a new secret, returned this once.

    Without `client_id` an opaque one is generated; a given one (from a
    declarative file) must be free.
    """
    if client_id is None:
        client_id = generate_client_id()
    parse_client_id(client_id, pointer="/client_id")
    if session.get(Credential, client_id) is not None:
        raise Conflict(f"credential {client_id} already exists")
    if session.get(System, data.system_id) is None:
        raise Invalid.at("/system_id", f"system {data.system_id} does not exist")
    secret = generate_secret()
    row = Credential(
        client_id=client_id,
        system_id=data.system_id,
        secret_hash=hasher.hash(secret),
        scopes=" ".join(data.scopes),
        description=data.description,
        created_at=now(),
        revoked_at=None,
    )
    _write.create(
        session=session, row=row, describe=describe, entity=ENTITY, key=client_id, actor=actor
    )
    read = CredentialRead.model_validate(row)
    return CredentialIssued(**read.model_dump(), client_secret=secret)


def get(*, session: Session, client_id: str) -> CredentialRead | None:
    """The credential with this client id, revoked or not, or None."""
    row = session.get(Credential, client_id)
    return None if row is None else CredentialRead.model_validate(row)


def get_or_raise(*, session: Session, client_id: str) -> CredentialRead:
    """The credential with this client id; NotFound otherwise."""
    return CredentialRead.model_validate(_row(session, client_id))


def list_all(
    *, session: Session, system_id: str | None = None, include_revoked: bool = True
) -> list[CredentialRead]:
    """Every credential (of one system, if given), by client id."""
    query = select(Credential).order_by(Credential.client_id)
    if system_id is not None:
        query = query.where(Credential.system_id == system_id)
    if not include_revoked:
        query = query.where(Credential.revoked_at.is_(None))
    return [CredentialRead.model_validate(r) for r in session.scalars(query)]


def update(
    *, session: Session, client_id: str, data: CredentialUpdate, actor: str
) -> CredentialRead:
    """Change a live credential's scopes or description; Conflict once it is revoked."""
    row = _row(session, client_id)
    if row.revoked_at is not None:
        raise Conflict(f"credential {client_id} is revoked; issue a new one")
    values: dict[str, object] = dict(data.model_dump(exclude_unset=True))
    if "scopes" in values:
        values["scopes"] = " ".join(data.scopes or ())
    _write.update(
        session=session,
        row=row,
        values=values,
        describe=describe,
        entity=ENTITY,
        key=client_id,
        actor=actor,
    )
    return CredentialRead.model_validate(row)


def revoke(*, session: Session, client_id: str, actor: str) -> CredentialRead:
    """Revoke a credential for good; revoking it again changes nothing."""
    row = _row(session, client_id)
    if row.revoked_at is None:
        _write.update(
            session=session,
            row=row,
            values={"revoked_at": now()},
            describe=describe,
            entity=ENTITY,
            key=client_id,
            actor=actor,
            action="revoke",
        )
    return CredentialRead.model_validate(row)


def delete_revoked(*, session: Session, system_id: str, actor: str) -> int:
    """Delete the revoked credentials of a system (before the system goes); how many."""
    rows = list(
        session.scalars(
            select(Credential).where(
                Credential.system_id == system_id, Credential.revoked_at.is_not(None)
            )
        )
    )
    for row in rows:
        _write.delete(
            session=session,
            row=row,
            describe=describe,
            entity=ENTITY,
            key=row.client_id,
            actor=actor,
        )
    return len(rows)


def _row(session: Session, client_id: str) -> Credential:
    row = session.get(Credential, client_id)
    if row is None:
        raise NotFound(f"no credential {client_id}")
    return row
