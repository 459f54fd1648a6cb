"""The offline verifier passes an untouched store and names the entry after any one tampering."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import Engine, update

from audit.errors import InvalidKey
from audit.signing import Ed25519Signer
from audit.store import append_many, register_key
from audit.tables import COPIED_FIELDS, audit_entries, audit_keys
from audit.verify import VerifyReport, verify_store
from tests.unit.audit.drafts import START, make_draft, new_signer, uuid7

pytestmark = pytest.mark.storage

# For each copied column, a different value of the right type and size.
TAMPERED: dict[str, Any] = {
    "kind": "request",
    "exchange_id": uuid7(999),
    "at": "2026-11-25T11:00:00.000000Z",
    "node": "node-2",
    "client_id": "c-other",
    "client_system_id": None,
    "service_id": "000.00.00.H57:DVC/ho-so/v2",
    "method": "GET",
    "route_template": "/x/{service}/other",
    "status": 500,
    "latency_us": 1001,
    "reason": None,
}


def register(engine: Engine, *signers: Ed25519Signer) -> None:
    """Publish the signers' keys in the store."""
    with engine.begin() as connection:
        for signer in signers:
            register_key(
                connection, key_id=signer.key_id, public_key=signer.public_key, created_at=START
            )


@pytest.fixture
def signer(engine: Engine) -> Ed25519Signer:
    """A registered signer."""
    made = new_signer()
    register(engine, made)
    return made


@pytest.fixture
def entry_ids(engine: Engine, signer: Ed25519Signer) -> list[int]:
    """Five sound outcome entries; returns their ids."""
    drafts = [
        make_draft(n, kind="outcome", status=200, latency_us=1000 + n, reason="created")
        for n in range(5)
    ]
    with engine.begin() as connection:
        return [entry.id for entry in append_many(connection, drafts, signer=signer)]


def tamper(engine: Engine, entry_id: int, **values: Any) -> None:
    """Change stored columns of one entry behind the log's back."""
    with engine.begin() as connection:
        connection.execute(
            update(audit_entries).where(audit_entries.c.id == entry_id).values(**values)
        )


def stored_bytes(engine: Engine, entry_id: int, column: str) -> bytes:
    """One binary column of one entry."""
    with engine.connect() as connection:
        query = audit_entries.select().where(audit_entries.c.id == entry_id)
        return bytes(connection.execute(query).one()._mapping[column])


def verify(engine: Engine, **options: Any) -> VerifyReport:
    """Run the verifier on the store."""
    with engine.connect() as connection:
        return verify_store(connection, **options)


def assert_only_bad(report: VerifyReport, entry_id: int, what: str, *, checked: int) -> None:
    """The report fails, names `entry_id` first with `what` among its faults, and no other entry."""
    assert not report.ok
    assert report.checked == checked
    assert report.bad_entries == 1
    assert report.first_bad is not None
    assert report.first_bad.entry_id == entry_id
    assert what in {problem.what for problem in report.problems}
    assert {problem.entry_id for problem in report.problems} == {entry_id}
    assert any(line.startswith(f"entry {entry_id}: {what}") for line in report.summary())


def test_an_untouched_store_verifies(engine: Engine, entry_ids: list[int]) -> None:
    report = verify(engine)
    assert report.ok
    assert report.checked == len(entry_ids)
    assert report.problems == ()
    assert report.key_source == "store"
    assert "store being verified" in "\n".join(report.summary())


def test_an_empty_store_verifies(engine: Engine) -> None:
    report = verify(engine)
    assert report.ok
    assert report.checked == 0


def test_the_tampered_values_differ_from_the_stored_ones() -> None:
    draft = make_draft(2, kind="outcome", status=200, latency_us=1002, reason="created")
    assert set(TAMPERED) == set(COPIED_FIELDS)
    for name, value in TAMPERED.items():
        assert getattr(draft, name) != value, name


@pytest.mark.parametrize("column", COPIED_FIELDS)
def test_an_edited_column_is_named(engine: Engine, entry_ids: list[int], column: str) -> None:
    target = entry_ids[2]
    tamper(engine, target, **{column: TAMPERED[column]})
    report = verify(engine)
    assert_only_bad(report, target, f"column {column}", checked=len(entry_ids))
    # The signature still holds: only the copy is wrong.
    assert "signature" not in {problem.what for problem in report.problems}


@pytest.mark.parametrize("position", [0, 20, -2])
def test_a_flipped_byte_of_the_entry_is_caught(
    engine: Engine, entry_ids: list[int], position: int
) -> None:
    target = entry_ids[1]
    data = bytearray(stored_bytes(engine, target, "entry_bytes"))
    data[position] ^= 0x01
    tamper(engine, target, entry_bytes=bytes(data))
    report = verify(engine)
    assert_only_bad(report, target, "signature", checked=len(entry_ids))
    assert {"hash", "signature"} <= {problem.what for problem in report.problems}


def test_rewritten_bytes_with_a_matching_hash_still_fail_the_signature(
    engine: Engine, entry_ids: list[int]
) -> None:
    target = entry_ids[3]
    data = stored_bytes(engine, target, "entry_bytes").replace(b'"status":200', b'"status":201')
    tamper(engine, target, entry_bytes=data, entry_hash=hashlib.sha256(data).digest(), status=201)
    report = verify(engine)
    assert_only_bad(report, target, "signature", checked=len(entry_ids))
    assert {problem.what for problem in report.problems} == {"signature"}


def test_a_changed_signature_is_caught(engine: Engine, entry_ids: list[int]) -> None:
    target = entry_ids[0]
    signature = bytearray(stored_bytes(engine, target, "signature"))
    signature[10] ^= 0xFF
    tamper(engine, target, signature=bytes(signature))
    report = verify(engine)
    assert_only_bad(report, target, "signature", checked=len(entry_ids))
    assert {problem.what for problem in report.problems} == {"signature"}


def test_a_key_id_moved_to_another_registered_key_is_caught(
    engine: Engine, entry_ids: list[int]
) -> None:
    other = new_signer()
    register(engine, other)
    target = entry_ids[4]
    tamper(engine, target, key_id=other.key_id)
    report = verify(engine)
    assert_only_bad(report, target, "signature", checked=len(entry_ids))


def test_a_key_id_moved_to_an_unknown_key_is_caught(engine: Engine, entry_ids: list[int]) -> None:
    target = entry_ids[2]
    tamper(engine, target, key_id=new_signer().key_id)
    assert_only_bad(verify(engine), target, "unknown-key", checked=len(entry_ids))


def test_a_changed_entry_hash_is_caught(engine: Engine, entry_ids: list[int]) -> None:
    target = entry_ids[1]
    tamper(engine, target, entry_hash=hashlib.sha256(b"something else").digest())
    report = verify(engine)
    assert_only_bad(report, target, "hash", checked=len(entry_ids))
    assert {problem.what for problem in report.problems} == {"hash"}


def test_the_first_bad_entry_is_the_lowest_id(engine: Engine, entry_ids: list[int]) -> None:
    tamper(engine, entry_ids[3], status=404)
    tamper(engine, entry_ids[1], node="node-9")
    report = verify(engine)
    assert report.bad_entries == 2
    assert report.first_bad is not None
    assert report.first_bad.entry_id == entry_ids[1]


def test_pinned_keys_refuse_entries_signed_by_any_other_key(
    engine: Engine, signer: Ed25519Signer, entry_ids: list[int]
) -> None:
    rogue = new_signer()
    register(engine, rogue)
    with engine.begin() as connection:
        [planted] = append_many(connection, [make_draft(77)], signer=rogue)
    # The store's own keys vouch for the planted entry ...
    assert verify(engine).ok
    # ... the auditor's pinned keys do not.
    report = verify(engine, trusted_keys={signer.key_id: signer.public_key})
    assert report.key_source == "trusted-keys"
    assert report.key_ids == (signer.key_id,)
    assert_only_bad(report, planted.id, "unknown-key", checked=len(entry_ids) + 1)


def test_pinned_keys_pass_a_sound_store(
    engine: Engine, signer: Ed25519Signer, entry_ids: list[int]
) -> None:
    report = verify(engine, trusted_keys={signer.key_id: signer.public_key})
    assert report.ok
    assert report.checked == len(entry_ids)
    assert "pinned by the auditor" in "\n".join(report.summary())


def test_a_pinned_key_under_a_wrong_id_is_refused(
    engine: Engine, signer: Ed25519Signer, entry_ids: list[int]
) -> None:
    with pytest.raises(InvalidKey):
        verify(engine, trusted_keys={signer.key_id: new_signer().public_key})


def test_a_replaced_public_key_in_the_store_is_caught(
    engine: Engine, signer: Ed25519Signer, entry_ids: list[int]
) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(audit_keys)
            .where(audit_keys.c.key_id == signer.key_id)
            .values(public_key=new_signer().public_key)
        )
    report = verify(engine)
    assert not report.ok
    assert report.problems[0].entry_id is None
    assert report.problems[0].what == "key"
    assert report.problems[0].describe().startswith(f"key: {signer.key_id}: key id")
    assert report.bad_entries == len(entry_ids)
    assert report.first_bad is not None
    assert report.first_bad.entry_id == entry_ids[0]
    assert report.first_bad.what == "unknown-key"
