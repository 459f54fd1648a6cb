"""Group commit: concurrent entries share transactions, each caller waits for its own commit."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from sqlalchemy import Engine, event, func, select

from audit.signing import Ed25519Signer, generate_signing_key
from audit.tables import audit_entries
from lgsp.exchange.journal import Journal, JournalUnavailable
from tests.unit.audit.drafts import make_draft


def _count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(audit_entries)).scalar_one())


def test_concurrent_records_share_commits_and_each_returns_committed(engine: Engine) -> None:
    commits: list[int] = []
    event.listen(engine, "commit", lambda _conn: commits.append(1))
    journal = Journal(engine, signer=Ed25519Signer.from_raw(generate_signing_key()))

    async def scenario() -> list[int]:
        await journal.start()
        try:

            async def one(n: int) -> int:
                (entry,) = await journal.record([make_draft(n)])
                # Committed before record() returned: visible to another connection.
                with engine.connect() as connection:
                    found = connection.execute(
                        select(audit_entries.c.id).where(audit_entries.c.id == entry.id)
                    ).scalar_one_or_none()
                assert found == entry.id
                return entry.id

            return list(await asyncio.gather(*(one(n) for n in range(1, 201))))
        finally:
            await journal.stop()

    ids = asyncio.run(scenario())
    assert len(set(ids)) == 200
    assert _count(engine) == 200
    # 200 concurrent requests needed far fewer than 200 transactions.
    assert len(commits) < 100


def test_a_failed_write_fails_every_waiting_caller_and_the_journal_goes_on(engine: Engine) -> None:
    journal = Journal(engine, signer=Ed25519Signer.from_raw(generate_signing_key()))
    original = journal._commit
    failing = {"on": True}

    def flaky(batch):  # type: ignore[no-untyped-def]
        if failing["on"]:
            raise OSError("disk full")
        return original(batch)

    journal._commit = flaky  # type: ignore[method-assign]

    async def scenario() -> None:
        await journal.start()
        try:
            results = await asyncio.gather(
                *(journal.record([make_draft(n)]) for n in range(1, 6)), return_exceptions=True
            )
            assert all(isinstance(r, JournalUnavailable) for r in results)
            failing["on"] = False
            (entry,) = await journal.record([make_draft(9)])
            assert entry.id > 0
        finally:
            await journal.stop()

    asyncio.run(scenario())
    assert _count(engine) == 1


def test_recording_before_start_is_refused(engine: Engine) -> None:
    journal = Journal(engine, signer=Ed25519Signer.from_raw(generate_signing_key()))
    with pytest.raises(JournalUnavailable):
        asyncio.run(journal.record([make_draft(1)]))


def test_stop_commits_what_was_handed_in_and_refuses_what_comes_after(engine: Engine) -> None:
    journal = Journal(engine, signer=Ed25519Signer.from_raw(generate_signing_key()))

    async def scenario() -> None:
        await journal.start()
        handed_in = [asyncio.create_task(journal.record([make_draft(n)])) for n in range(1, 51)]
        await asyncio.sleep(0)  # each task has handed its entry in
        await journal.stop()
        assert all(len(task.result()) == 1 for task in handed_in)
        with pytest.raises(JournalUnavailable):
            await journal.record([make_draft(99)])

    asyncio.run(scenario())
    assert _count(engine) == 50


def test_several_writers_keep_that_many_transactions_in_flight(engine: Engine) -> None:
    journal = Journal(
        engine, signer=Ed25519Signer.from_raw(generate_signing_key()), writers=2, max_batch=10
    )
    original = journal._commit
    lock = threading.Lock()
    active = {"now": 0, "most": 0}

    def slow(signed):  # type: ignore[no-untyped-def]
        with lock:
            active["now"] += 1
            active["most"] = max(active["most"], active["now"])
        time.sleep(0.02)
        try:
            return original(signed)
        finally:
            with lock:
                active["now"] -= 1

    journal._commit = slow  # type: ignore[method-assign]

    async def scenario() -> list[int]:
        await journal.start()
        try:
            results = await asyncio.gather(
                *(journal.record([make_draft(n)]) for n in range(1, 121))
            )
        finally:
            await journal.stop()
        return [entry.id for (entry,) in results]

    ids = asyncio.run(scenario())
    assert len(set(ids)) == 120
    assert _count(engine) == 120
    assert active["most"] == 2


def test_a_journal_needs_a_writer(engine: Engine) -> None:
    with pytest.raises(ValueError, match="at least one writer"):
        Journal(engine, signer=Ed25519Signer.from_raw(generate_signing_key()), writers=0)
