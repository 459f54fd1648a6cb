"""The audit tables (SQLAlchemy Core) on the package's own MetaData.

`entry_bytes` and `signature` are the record; every other entry column is a
copy kept for searching, and the verifier checks each copy against the bytes.
Timestamps are stored as the entry's own RFC 3339 strings: their fixed width
makes text order time order, and the copy compares byte for byte.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
)
from sqlalchemy.types import TypeEngine

from audit.entry import MAX_LENGTH

# The same convention as the registry's tables, so constraint names read alike.
NAMING_CONVENTION: Final = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata: Final = MetaData(naming_convention=NAMING_CONVENTION)

# 64-bit ids on PostgreSQL (a national log outgrows 2**31 rows); SQLite's rowid
# alias must be spelt INTEGER PRIMARY KEY to autoincrement, and is 64-bit anyway.
_ROW_ID: Final = BigInteger().with_variant(Integer(), "sqlite")

# Entry fields copied into columns of the same name, in the entry's order.
COPIED_FIELDS: Final = (
    "kind",
    "exchange_id",
    "at",
    "node",
    "client_id",
    "client_system_id",
    "service_id",
    "method",
    "route_template",
    "status",
    "latency_us",
    "reason",
)
_REQUIRED: Final = frozenset({"kind", "exchange_id", "at", "node"})


def _copied(name: str) -> Column[Any]:
    # latency_us may exceed 2**31 (35 minutes) for a slow delivery; status never does.
    kind: TypeEngine[Any]
    if name == "latency_us":
        kind = BigInteger()
    elif name == "status":
        kind = Integer()
    else:
        kind = String(MAX_LENGTH[name])
    return Column(name, kind, nullable=name not in _REQUIRED)


audit_entries: Final = Table(
    "audit_entries",
    metadata,
    Column("id", _ROW_ID, primary_key=True, autoincrement=True),
    *(_copied(name) for name in COPIED_FIELDS),
    Column("key_id", String(64), nullable=False),
    Column("entry_bytes", LargeBinary, nullable=False),
    Column("signature", LargeBinary, nullable=False),
    # SHA-256 of entry_bytes; the Merkle leaf hash (RFC 6962) is computed from the bytes later.
    Column("entry_hash", LargeBinary(32), nullable=False),
    # Assigned by the sequencer once the Merkle log exists; null until then.
    Column("leaf_index", BigInteger, nullable=True, unique=True),
    Index("ix_audit_entries_exchange_id", "exchange_id"),
    Index("ix_audit_entries_client_id_at", "client_id", "at"),
    Index("ix_audit_entries_client_system_id_at", "client_system_id", "at"),
    Index("ix_audit_entries_service_id_at", "service_id", "at"),
    Index("ix_audit_entries_kind", "kind"),
    Index("ix_audit_entries_at", "at"),
)

audit_keys: Final = Table(
    "audit_keys",
    metadata,
    Column("key_id", String(64), primary_key=True),
    Column("algorithm", String(16), nullable=False),
    Column("public_key", LargeBinary, nullable=False),
    Column("created_at", String(MAX_LENGTH["at"]), nullable=False),
    Column("retired_at", String(MAX_LENGTH["at"]), nullable=True),
)
