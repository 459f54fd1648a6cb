"""The audit write path on a real database: keys, append, append_many, the caller's transaction."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import Engine, func, select

from audit.entry import decode_entry
from audit.errors import InvalidKey, KeyConflict
from audit.query import list_keys
from audit.signing import Ed25519Signer
from audit.store import append, append_many, register_key
from audit.tables import COPIED_FIELDS, audit_entries, audit_keys
from tests.unit.audit.drafts import START, make_draft, new_signer

pytestmark = pytest.mark.storage


@pytest.fixture
def signer(engine: Engine) -> Ed25519Signer:
    """A signer whose key is registered in the test store."""
    made = new_signer()
    with engine.begin() as connection:
        register_key(connection, key_id=made.key_id, public_key=made.public_key, created_at=START)
    return made


def count(engine: Engine) -> int:
    """How many entries the store holds."""
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(audit_entries)).scalar_one())


def test_registering_a_key_twice_changes_nothing(engine: Engine, signer: Ed25519Signer) -> None:
    later = START + dt.timedelta(days=1)
    with engine.begin() as connection:
        register_key(
            connection, key_id=signer.key_id, public_key=signer.public_key, created_at=later
        )
    with engine.connect() as connection:
        keys = list_keys(connection)
    assert [(k.key_id, k.public_key, k.created_at) for k in keys] == [
        (signer.key_id, signer.public_key, "2026-11-25T10:00:00.123456Z")
    ]
    assert keys[0].algorithm == "ed25519"
    assert keys[0].retired_at is None


def test_another_key_under_a_registered_id_is_refused(
    engine: Engine, signer: Ed25519Signer
) -> None:
    # The id check comes first: an id that is not the key's own is refused outright.
    with engine.connect() as connection, connection.begin(), pytest.raises(InvalidKey):
        register_key(
            connection,
            key_id=signer.key_id,
            public_key=new_signer().public_key,
            created_at=START,
        )
    impostor = new_signer()
    with engine.begin() as connection:
        # A row planted under a real id with another key: registration notices the clash.
        connection.execute(
            audit_keys.insert().values(
                key_id=impostor.key_id,
                algorithm="ed25519",
                public_key=signer.public_key,
                created_at="2026-11-25T10:00:00.000000Z",
            )
        )
    with engine.connect() as connection, connection.begin(), pytest.raises(KeyConflict):
        register_key(
            connection, key_id=impostor.key_id, public_key=impostor.public_key, created_at=START
        )


def test_append_stores_the_signed_bytes_and_their_copies(
    engine: Engine, signer: Ed25519Signer
) -> None:
    draft = make_draft(kind="outcome", status=201, latency_us=48_211, extra={"attempt": 1})
    with engine.begin() as connection:
        appended = append(connection, draft, signer=signer)
    assert appended.key_id == signer.key_id
    assert appended.entry_hash == hashlib.sha256(appended.entry_bytes).digest()
    assert appended.hash_hex == hashlib.sha256(appended.entry_bytes).hexdigest()
    with engine.connect() as connection:
        row = connection.execute(
            select(audit_entries).where(audit_entries.c.id == appended.id)
        ).one()
    assert bytes(row.entry_bytes) == appended.entry_bytes
    assert bytes(row.signature) == appended.signature
    assert bytes(row.entry_hash) == appended.entry_hash
    assert row.key_id == signer.key_id
    assert row.leaf_index is None
    assert decode_entry(bytes(row.entry_bytes)) == draft
    for name in COPIED_FIELDS:
        assert getattr(row, name) == getattr(draft, name), name


def test_a_rolled_back_transaction_leaves_no_entry(engine: Engine, signer: Ed25519Signer) -> None:
    with engine.connect() as connection:
        transaction = connection.begin()
        append(connection, make_draft(1), signer=signer)
        append_many(connection, [make_draft(2), make_draft(3)], signer=signer)
        transaction.rollback()
    assert count(engine) == 0

    class Boom(Exception):
        pass

    def fail_after_append() -> None:
        with engine.begin() as connection:
            append(connection, make_draft(4), signer=signer)
            raise Boom

    with pytest.raises(Boom):
        fail_after_append()
    assert count(engine) == 0
    with engine.begin() as connection:
        append(connection, make_draft(5), signer=signer)
    assert count(engine) == 1


@pytest.mark.parametrize("size", [1, 7, 1500])
def test_append_many_writes_every_entry_in_order(
    engine: Engine, signer: Ed25519Signer, size: int
) -> None:
    drafts = [make_draft(n, status=200 + n % 300) for n in range(size)]
    with engine.begin() as connection:
        appended = append_many(connection, drafts, signer=signer)
    assert len(appended) == size
    ids = [entry.id for entry in appended]
    assert ids == sorted(ids)
    assert len(set(ids)) == size
    with engine.connect() as connection:
        rows = connection.execute(
            select(audit_entries.c.id, audit_entries.c.entry_bytes).order_by(audit_entries.c.id)
        ).all()
    assert [row.id for row in rows] == ids
    assert [decode_entry(bytes(row.entry_bytes)) for row in rows] == drafts
    assert [entry.entry_bytes for entry in appended] == [bytes(row.entry_bytes) for row in rows]


def test_identical_entries_in_one_batch_each_get_a_row(
    engine: Engine, signer: Ed25519Signer
) -> None:
    same = make_draft(9)
    with engine.begin() as connection:
        appended = append_many(
            connection, [make_draft(1), same, same, make_draft(2)], signer=signer
        )
    assert len({entry.id for entry in appended}) == 4
    assert appended[1].entry_hash == appended[2].entry_hash
    assert count(engine) == 4


def test_append_many_of_nothing_writes_nothing(engine: Engine, signer: Ed25519Signer) -> None:
    with engine.begin() as connection:
        assert append_many(connection, [], signer=signer) == []
    assert count(engine) == 0
