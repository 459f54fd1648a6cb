"""Shared fixtures: a migrated database on SQLite by default, on PostgreSQL when asked.

Set LGSP_TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)
to run the storage tests on PostgreSQL; each test then gets its own schema.
If the variable is set and the server does not answer, the tests fail: they
never skip silently.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from lgsp.db import migrate
from lgsp.db.engine import make_engine

PG_ENV = "LGSP_TEST_DATABASE_URL"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "storage: touches the database (rerun on PostgreSQL in CI)")
    config.addinivalue_line("markers", "slow: takes seconds; has its own time budget")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that uses the test database is a storage test, marked or not."""
    for item in items:
        if "database_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.storage)


def pg_test_url() -> str | None:
    """The PostgreSQL URL the storage tests should use, if any."""
    return os.environ.get(PG_ENV) or None


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database (a fresh SQLite file, or a fresh PostgreSQL schema)."""
    base = pg_test_url()
    if base is None:
        yield f"sqlite:///{(tmp_path / 'lgsp.sqlite3').as_posix()}"
        return
    schema = "t_" + uuid.uuid4().hex[:16]
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated engine on the test database."""
    eng = make_engine(database_url, pool_size=5)
    migrate.upgrade(eng)
    yield eng
    eng.dispose()
