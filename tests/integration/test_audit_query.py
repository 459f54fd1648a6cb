"""Searching the log: each filter, time bounds, pagination by cursor, and the JSON form."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import Engine

from audit.entry import EntryDraft, format_timestamp
from audit.errors import InvalidQuery
from audit.query import MAX_LIMIT, EntryRecord, search
from audit.store import append_many
from tests.unit.audit.drafts import START, make_draft, new_signer, uuid7

pytestmark = pytest.mark.storage

CLIENTS = ["c-aaa", "c-bbb", None]
SYSTEMS = ["000.00.00.H57:IOC", "000.00.00.H57:HUE-S", None]
SERVICES = ["000.00.00.H57:HUE-S/phan-anh/v1", "000.00.00.H57:DVC/ho-so/v2", None]


def varied(n: int) -> EntryDraft:
    """Entry `n` of a store whose fields vary independently, its time out of id order."""
    kind = ("request", "outcome", "refusal")[n % 3]
    return make_draft(
        n,
        kind=kind,
        exchange_id=uuid7(n // 2),
        at=format_timestamp(START + dt.timedelta(seconds=(n * 7) % 31)),
        client_id=CLIENTS[n % 3 if n % 5 else 2],
        client_system_id=SYSTEMS[(n // 2) % 3],
        service_id=SERVICES[(n // 3) % 3],
        status=None if kind == "request" else (200, 403, 504)[n % 3],
        reason="forbidden" if kind == "refusal" else None,
    )


@pytest.fixture
def stored(engine: Engine) -> list[tuple[int, EntryDraft]]:
    """Thirty varied entries in the store, with their ids."""
    drafts = [varied(n) for n in range(30)]
    with engine.begin() as connection:
        appended = append_many(connection, drafts, signer=new_signer())
    return [(entry.id, draft) for entry, draft in zip(appended, drafts, strict=True)]


def ids(records: list[EntryRecord]) -> list[int]:
    """The ids of some records, in the order given."""
    return [record.id for record in records]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("client_id", "c-aaa"),
        ("client_id", "c-bbb"),
        ("client_system_id", "000.00.00.H57:HUE-S"),
        ("service_id", "000.00.00.H57:DVC/ho-so/v2"),
        ("kind", "refusal"),
        ("kind", "outcome"),
        ("status", 403),
        ("exchange_id", uuid7(4)),
    ],
)
def test_each_filter_selects_exactly_its_entries(
    engine: Engine, stored: list[tuple[int, EntryDraft]], name: str, value: Any
) -> None:
    expected = [entry_id for entry_id, draft in stored if getattr(draft, name) == value]
    assert expected, "the test data must hold a match"
    assert len(expected) < len(stored)
    with engine.connect() as connection:
        page = search(connection, **{name: value})
    assert ids(page.entries) == expected
    assert all(getattr(record, name) == value for record in page.entries)
    assert page.next_cursor is None


def test_time_bounds_include_since_and_exclude_until(
    engine: Engine, stored: list[tuple[int, EntryDraft]]
) -> None:
    since = START + dt.timedelta(seconds=10)
    until = START + dt.timedelta(seconds=20)
    low, high = format_timestamp(since), format_timestamp(until)
    expected = [entry_id for entry_id, draft in stored if low <= draft.at < high]
    assert any(draft.at == low for _, draft in stored)
    assert any(draft.at == high for _, draft in stored)
    with engine.connect() as connection:
        # The same instants in another zone select the same entries.
        ict = dt.timezone(dt.timedelta(hours=7))
        page = search(connection, since=since.astimezone(ict), until=until.astimezone(ict))
        assert ids(page.entries) == expected
        assert ids(search(connection, since=since).entries) == [
            entry_id for entry_id, draft in stored if draft.at >= low
        ]


def test_filters_combine(engine: Engine, stored: list[tuple[int, EntryDraft]]) -> None:
    expected = [
        entry_id
        for entry_id, draft in stored
        if draft.client_id == "c-bbb" and draft.kind == "outcome"
    ]
    with engine.connect() as connection:
        page = search(connection, client_id="c-bbb", kind="outcome")
    assert ids(page.entries) == expected


def test_pages_walk_every_entry_once_oldest_first(
    engine: Engine, stored: list[tuple[int, EntryDraft]]
) -> None:
    seen: list[int] = []
    cursor = None
    pages = 0
    with engine.connect() as connection:
        while True:
            page = search(connection, limit=4, cursor=cursor)
            pages += 1
            assert len(page.entries) <= 4
            seen.extend(ids(page.entries))
            cursor = page.next_cursor
            if cursor is None:
                break
    assert seen == [entry_id for entry_id, _ in stored]
    assert pages == 8  # 30 entries, 4 a page

    with engine.connect() as connection:
        first = search(connection, kind="refusal", limit=3)
        second = search(connection, kind="refusal", limit=3, cursor=first.next_cursor)
    refusals = [entry_id for entry_id, draft in stored if draft.kind == "refusal"]
    assert ids(first.entries) + ids(second.entries) == refusals[:6]


def test_limit_is_capped(engine: Engine) -> None:
    drafts = [make_draft(n) for n in range(MAX_LIMIT + 5)]
    with engine.begin() as connection:
        append_many(connection, drafts, signer=new_signer())
    with engine.connect() as connection:
        page = search(connection, limit=MAX_LIMIT * 10)
        assert len(page.entries) == MAX_LIMIT
        assert page.next_cursor is not None
        rest = search(connection, limit=MAX_LIMIT * 10, cursor=page.next_cursor)
    assert len(rest.entries) == 5
    assert rest.next_cursor is None


@pytest.mark.parametrize(
    "arguments",
    [
        {"limit": 0},
        {"limit": -1},
        {"kind": "exchange"},
        {"cursor": "not-ours"},
        {"since": dt.datetime(2026, 11, 25, 10, 0)},
    ],
)
def test_malformed_searches_are_refused(engine: Engine, arguments: dict[str, Any]) -> None:
    with engine.connect() as connection, pytest.raises(InvalidQuery):
        search(connection, **arguments)


def test_records_serialise_to_json_with_base64_bytes(
    engine: Engine, stored: list[tuple[int, EntryDraft]]
) -> None:
    with engine.connect() as connection:
        page = search(connection, limit=2)
    document = json.loads(json.dumps(page.as_json()))
    assert document["next_cursor"] == page.next_cursor
    first, record = document["entries"][0], page.entries[0]
    assert first["id"] == stored[0][0]
    assert base64.b64decode(first["entry_bytes"]) == record.entry_bytes
    assert base64.b64decode(first["signature"]) == record.signature
    assert first["entry_hash"] == "sha256:" + record.entry_hash.hex()
    assert first["kind"] == stored[0][1].kind
    assert first["at"] == stored[0][1].at
    assert first["leaf_index"] is None
    assert first["key_id"].startswith("ed25519:")
