"""Reading the log: filtered, keyset-paginated search, the whole log in id order, the keys."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import re
from collections.abc import Iterator, Mapping
from typing import Any, Final

from sqlalchemy import Connection, Row, select
from sqlalchemy.sql.elements import ColumnElement

from audit.entry import KINDS, format_timestamp
from audit.errors import InvalidEntry, InvalidQuery
from audit.tables import COPIED_FIELDS, audit_entries, audit_keys

MAX_LIMIT: Final = 1000
_CURSOR_PREFIX: Final = "after:"
_CURSOR_ID = re.compile(r"[0-9]{1,19}")


@dataclasses.dataclass(frozen=True, kw_only=True)
class EntryRecord:
    """One stored entry: its searchable copies, and the signed bytes that are the record."""

    id: int
    kind: str
    exchange_id: str
    at: str
    node: str
    client_id: str | None
    client_system_id: str | None
    service_id: str | None
    method: str | None
    route_template: str | None
    status: int | None
    latency_us: int | None
    reason: str | None
    key_id: str
    entry_bytes: bytes
    signature: bytes
    entry_hash: bytes
    leaf_index: int | None

    def as_json(self) -> dict[str, Any]:
        """The record as JSON: bytes and signature in base64, the hash as `sha256:<hex>`."""
        document: dict[str, Any] = {"id": self.id}
        document.update({name: getattr(self, name) for name in COPIED_FIELDS})
        document["key_id"] = self.key_id
        document["leaf_index"] = self.leaf_index
        document["entry_hash"] = "sha256:" + self.entry_hash.hex()
        document["entry_bytes"] = base64.b64encode(self.entry_bytes).decode("ascii")
        document["signature"] = base64.b64encode(self.signature).decode("ascii")
        return document


@dataclasses.dataclass(frozen=True)
class EntryPage:
    """A page of entries, oldest first; `next_cursor` is None on the last page."""

    entries: list[EntryRecord]
    next_cursor: str | None

    def as_json(self) -> dict[str, Any]:
        """The page as JSON."""
        return {
            "entries": [entry.as_json() for entry in self.entries],
            "next_cursor": self.next_cursor,
        }


@dataclasses.dataclass(frozen=True)
class KeyRecord:
    """A registered public key and when it came into and went out of use."""

    key_id: str
    algorithm: str
    public_key: bytes
    created_at: str
    retired_at: str | None

    def as_json(self) -> dict[str, Any]:
        """The record as JSON, the key in standard base64."""
        return {
            "key_id": self.key_id,
            "algorithm": self.algorithm,
            "public_key": base64.b64encode(self.public_key).decode("ascii"),
            "created_at": self.created_at,
            "retired_at": self.retired_at,
        }


def search(
    connection: Connection,
    *,
    client_id: str | None = None,
    client_system_id: str | None = None,
    service_id: str | None = None,
    kind: str | None = None,
    status: int | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    exchange_id: str | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> EntryPage:
    """Entries matching every given filter, oldest first; `since` inclusive, `until` exclusive."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidQuery("limit must be a positive integer")
    if kind is not None and kind not in KINDS:
        raise InvalidQuery(f"kind must be one of {sorted(KINDS)}")
    table = audit_entries.c
    conditions: list[ColumnElement[bool]] = []
    equal: Mapping[str, object] = {
        "client_id": client_id,
        "client_system_id": client_system_id,
        "service_id": service_id,
        "kind": kind,
        "status": status,
        "exchange_id": exchange_id,
    }
    conditions.extend(table[name] == value for name, value in equal.items() if value is not None)
    if since is not None:
        conditions.append(table.at >= _bound(since, "since"))
    if until is not None:
        conditions.append(table.at < _bound(until, "until"))
    if cursor is not None:
        conditions.append(table.id > decode_cursor(cursor))
    size = min(limit, MAX_LIMIT)
    # One row more than asked tells whether another page exists.
    query = select(audit_entries).where(*conditions).order_by(table.id).limit(size + 1)
    rows = connection.execute(query).all()
    entries = [_record(row) for row in rows[:size]]
    more = len(rows) > size
    return EntryPage(entries=entries, next_cursor=encode_cursor(entries[-1].id) if more else None)


def iter_entries(connection: Connection, *, batch_size: int = 1000) -> Iterator[EntryRecord]:
    """Every stored entry in id order, read in batches so memory stays flat."""
    after = 0
    while True:
        query = (
            select(audit_entries)
            .where(audit_entries.c.id > after)
            .order_by(audit_entries.c.id)
            .limit(batch_size)
        )
        rows = connection.execute(query).all()
        for row in rows:
            yield _record(row)
        if len(rows) < batch_size:
            return
        after = int(rows[-1].id)


def list_keys(connection: Connection) -> list[KeyRecord]:
    """Every registered public key, oldest first."""
    query = select(audit_keys).order_by(audit_keys.c.created_at, audit_keys.c.key_id)
    return [
        KeyRecord(
            key_id=row.key_id,
            algorithm=row.algorithm,
            public_key=bytes(row.public_key),
            created_at=row.created_at,
            retired_at=row.retired_at,
        )
        for row in connection.execute(query)
    ]


def encode_cursor(after_id: int) -> str:
    """An opaque cursor that resumes after entry `after_id`."""
    text = _CURSOR_PREFIX + str(after_id)
    return base64.urlsafe_b64encode(text.encode("ascii")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The entry id a cursor resumes after; InvalidQuery when it is not one of ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise InvalidQuery("malformed cursor") from exc
    number = text.removeprefix(_CURSOR_PREFIX)
    if not text.startswith(_CURSOR_PREFIX) or not _CURSOR_ID.fullmatch(number):
        raise InvalidQuery("malformed cursor")
    return int(number)


def _bound(moment: dt.datetime, name: str) -> str:
    try:
        return format_timestamp(moment)
    except InvalidEntry as exc:
        raise InvalidQuery(f"{name} must be a timezone-aware datetime") from exc


def _record(row: Row[Any]) -> EntryRecord:
    values = row._mapping
    return EntryRecord(
        id=int(values["id"]),
        **{name: values[name] for name in COPIED_FIELDS},
        key_id=values["key_id"],
        entry_bytes=bytes(values["entry_bytes"]),
        signature=bytes(values["signature"]),
        entry_hash=bytes(values["entry_hash"]),
        leaf_index=values["leaf_index"],
    )
