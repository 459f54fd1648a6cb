"""The storage settings the exchange relies on hold on SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from lgsp.db import migrate
from lgsp.db.engine import is_sqlite, make_engine

pytestmark = pytest.mark.storage


def test_migrations_are_current_and_idempotent(engine: Engine) -> None:
    assert migrate.is_current(engine)
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_commits_are_durable_by_default(engine: Engine) -> None:
    with engine.connect() as connection:
        if not is_sqlite(engine):
            assert connection.exec_driver_sql("SHOW synchronous_commit").scalar() != "off"
            return
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        # 2 is FULL
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert int(connection.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) >= 1000


def test_concurrent_writers_queue_instead_of_failing(database_url: str) -> None:
    engine = make_engine(database_url, busy_timeout_ms=10_000, pool_size=8)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
        connection.execute(text("INSERT INTO counter VALUES (0)"))
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            for _ in range(25):
                # Read then write in one transaction: with a deferred BEGIN on
                # SQLite the upgrade to a write lock would fail with "database
                # is locked"; BEGIN IMMEDIATE makes the writers queue instead.
                with engine.begin() as connection:
                    n = connection.execute(text(read)).scalar_one()
                    connection.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
        except BaseException as exc:
            errors.append(exc)

    # PostgreSQL's READ COMMITTED would lose updates in this pattern unless the row is locked.
    read = "SELECT n FROM counter" + ("" if is_sqlite(engine) else " FOR UPDATE")
    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM counter")).scalar_one() == 100
    engine.dispose()


def test_the_head_and_current_revision_are_alembic_s_without_alembic(
    engine: Engine, database_url: str
) -> None:
    from lgsp.db import revision

    assert migrate.head_revision() == revision.HEAD
    assert revision.current(engine) == migrate.current_revision(engine) == revision.HEAD
    empty = make_engine(database_url.replace("lgsp.sqlite3", "empty.sqlite3"))
    try:
        if empty.dialect.name == "sqlite":
            assert revision.current(empty) is None
    finally:
        empty.dispose()


def test_a_forked_migration_history_is_refused(tmp_path: Path) -> None:
    from lgsp.db import revision

    for name, down in (("a", None), ("b", "a"), ("c", "a")):
        (tmp_path / f"{name}.py").write_text(
            f"revision: str = {name!r}\ndown_revision: str | None = {down!r}\n"
        )
    with pytest.raises(revision.MigrationGraphError, match="several heads"):
        revision.head_in(tmp_path)
    (tmp_path / "c.py").write_text("revision = 'c'\ndown_revision = 'b'\n")
    assert revision.head_in(tmp_path) == "c"
