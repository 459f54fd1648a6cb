"""The write path: sign entries and insert them on the caller's connection.

Nothing here commits or rolls back. The caller's transaction decides, so a
request entry commits together with whatever it vouches for (or not at all).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Connection, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from audit.entry import EntryDraft, encode_entry, format_timestamp
from audit.errors import KeyConflict
from audit.signing import ALGORITHM, Signer, check_key_id
from audit.tables import COPIED_FIELDS, audit_entries, audit_keys


@dataclasses.dataclass(frozen=True)
class AppendedEntry:
    """One entry as written: its row id, hash, exact bytes and signature."""

    id: int
    key_id: str
    entry_hash: bytes
    entry_bytes: bytes
    signature: bytes

    @property
    def hash_hex(self) -> str:
        """The entry hash in lower-case hex (as sent in `X-LGSP-Request-Hash`)."""
        return self.entry_hash.hex()


def register_key(
    connection: Connection,
    *,
    key_id: str,
    public_key: bytes,
    created_at: dt.datetime,
) -> None:
    """Publish a signing key's public half; registering the same key again changes nothing."""
    check_key_id(key_id, public_key)
    row = {
        "key_id": key_id,
        "algorithm": ALGORITHM,
        "public_key": public_key,
        "created_at": format_timestamp(created_at),
    }
    # Nodes starting together may register one key at once; an insert that
    # ignores the duplicate keeps the caller's transaction usable (a caught
    # IntegrityError would abort it on PostgreSQL).
    name = connection.dialect.name
    if name in {"sqlite", "postgresql"}:
        dialect_insert = sqlite.insert if name == "sqlite" else postgresql.insert
        connection.execute(dialect_insert(audit_keys).values(row).on_conflict_do_nothing())
    elif _stored_key(connection, key_id) is None:
        connection.execute(insert(audit_keys).values(row))
    stored = _stored_key(connection, key_id)
    if stored != public_key:
        raise KeyConflict(f"key id {key_id} is registered with another public key")


def _stored_key(connection: Connection, key_id: str) -> bytes | None:
    query = select(audit_keys.c.public_key).where(audit_keys.c.key_id == key_id)
    found = connection.execute(query).scalar_one_or_none()
    return None if found is None else bytes(found)


def append(connection: Connection, draft: EntryDraft, *, signer: Signer) -> AppendedEntry:
    """Sign one entry and insert it in the caller's transaction."""
    return append_many(connection, [draft], signer=signer)[0]


def append_many(
    connection: Connection, drafts: Sequence[EntryDraft], *, signer: Signer
) -> list[AppendedEntry]:
    """Sign entries and insert them with one multi-row statement, in the order given."""
    return append_signed(connection, sign_many(drafts, signer=signer))


@dataclasses.dataclass(frozen=True, slots=True)
class SignedBatch:
    """Entries encoded and signed, not yet stored: signing needs no transaction."""

    key_id: str
    drafts: Sequence[EntryDraft]
    signed: Sequence[tuple[bytes, bytes, bytes]]


def sign_many(drafts: Sequence[EntryDraft], *, signer: Signer) -> SignedBatch:
    """Encode and sign `drafts`, so a writer can hold its transaction only to insert them."""
    return SignedBatch(
        key_id=signer.key_id,
        drafts=drafts,
        signed=[_signed(draft, signer=signer) for draft in drafts],
    )


def append_signed(connection: Connection, batch: SignedBatch) -> list[AppendedEntry]:
    """Insert signed entries with one multi-row statement, in the order given."""
    drafts, signed, key_id = batch.drafts, batch.signed, batch.key_id
    if not drafts:
        return []
    rows = [
        {
            **{name: getattr(draft, name) for name in COPIED_FIELDS},
            "key_id": key_id,
            "entry_bytes": data,
            "signature": signature,
            "entry_hash": entry_hash,
        }
        for draft, (data, signature, entry_hash) in zip(drafts, signed, strict=True)
    ]
    # Unordered RETURNING lets SQLAlchemy send the rows as multi-row INSERTs
    # (asking for parameter order makes it go row by row on SQLite); each
    # returned id is matched back to its entry by the entry's hash.
    statement = insert(audit_entries).returning(audit_entries.c.id, audit_entries.c.entry_hash)
    ids_by_hash: dict[bytes, list[int]] = defaultdict(list)
    for row_id, entry_hash in connection.execute(statement, rows):
        ids_by_hash[bytes(entry_hash)].append(int(row_id))
    for ids in ids_by_hash.values():
        # Identical entries have identical bytes; hand their ids out in insertion order.
        ids.sort(reverse=True)
    return [
        AppendedEntry(
            id=ids_by_hash[entry_hash].pop(),
            key_id=key_id,
            entry_hash=entry_hash,
            entry_bytes=data,
            signature=signature,
        )
        for data, signature, entry_hash in signed
    ]


def _signed(draft: EntryDraft, *, signer: Signer) -> tuple[bytes, bytes, bytes]:
    data = encode_entry(draft)
    return data, signer.sign(data), hashlib.sha256(data).digest()
