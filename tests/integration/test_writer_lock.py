"""SQLite writers of several processes queue on one kernel lock instead of sleep-polling."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from sqlalchemy import Engine, func, select

from audit.signing import Ed25519Signer, generate_signing_key
from audit.tables import audit_entries
from lgsp.db.engine import make_engine
from lgsp.db.writer_lock import SUFFIX, WriterLock, writer_lock_for
from lgsp.exchange.journal import Journal
from tests.unit.audit.drafts import make_draft


def test_a_second_holder_waits_until_the_first_releases(tmp_path: Path) -> None:
    first, second = WriterLock(tmp_path / "db.lock"), WriterLock(tmp_path / "db.lock")
    order: list[str] = []
    waiting = threading.Event()

    def contender() -> None:
        waiting.set()
        with second.held():
            order.append("second")

    with first.held():
        thread = threading.Thread(target=contender)
        thread.start()
        assert waiting.wait(5)
        thread.join(0.2)
        assert thread.is_alive(), "the second holder did not wait"
        order.append("first")
    thread.join(5)
    assert order == ["first", "second"]
    first.close()
    second.close()


def test_only_a_sqlite_file_has_a_writer_lock(tmp_path: Path) -> None:
    on_file = make_engine(f"sqlite:///{(tmp_path / 'x.sqlite3').as_posix()}")
    lock = writer_lock_for(on_file)
    assert lock is not None
    assert lock.path == tmp_path / f"x.sqlite3{SUFFIX}"
    on_file.dispose()
    in_memory = make_engine("sqlite://")
    assert writer_lock_for(in_memory) is None
    in_memory.dispose()
    assert writer_lock_for(make_engine("postgresql+psycopg://u@127.0.0.1:1/none")) is None


def test_two_journals_on_one_database_commit_every_entry(engine: Engine, database_url: str) -> None:
    # Two journals with their own engines stand for two worker processes.
    other = make_engine(database_url)
    journals = [
        Journal(eng, signer=Ed25519Signer.from_raw(generate_signing_key()))
        for eng in (engine, other)
    ]

    def run(journal: Journal, offset: int) -> None:
        async def scenario() -> None:
            await journal.start()
            try:
                await asyncio.gather(
                    *(journal.record([make_draft(offset + n)]) for n in range(1, 151))
                )
            finally:
                await journal.stop()

        asyncio.run(scenario())

    threads = [
        threading.Thread(target=run, args=(journal, 1000 * k)) for k, journal in enumerate(journals)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    other.dispose()
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(audit_entries)).scalar_one()
    assert count == 300


def test_threads_sharing_one_lock_take_turns(tmp_path: Path) -> None:
    lock = WriterLock(tmp_path / "db.lock")
    inside = {"now": 0, "most": 0}
    guard = threading.Lock()
    start = threading.Barrier(4)

    def worker() -> None:
        start.wait()
        for _ in range(50):
            with lock.held():
                with guard:
                    inside["now"] += 1
                    inside["most"] = max(inside["most"], inside["now"])
                with guard:
                    inside["now"] -= 1

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck on the lock"
    assert inside["most"] == 1
    lock.close()
