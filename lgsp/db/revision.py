"""Which migration the code ships and which one a database is at, without importing Alembic.

Serving workers only need to compare the two (`/readyz`), and Alembic with its
templating costs each worker about 10 MiB of memory. The head is read once from the
migration scripts' `revision`/`down_revision` assignments; `tests/integration/test_db.py`
checks that both answers equal Alembic's.
"""

from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import Engine, inspect, text

VERSIONS_DIR = Path(__file__).parent / "migrations" / "versions"
VERSION_TABLE = "alembic_version"


class MigrationGraphError(RuntimeError):
    """The migration scripts do not form one line with a single head."""


def _assigned(module: ast.Module, name: str) -> str | None:
    for node in module.body:
        target = value = None
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            target, value = node.target.id, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            only = node.targets[0]
            if isinstance(only, ast.Name):
                target, value = only.id, node.value
        if target == name and value is not None:
            literal = ast.literal_eval(value)
            if literal is not None and not isinstance(literal, str):
                raise MigrationGraphError(f"{name} must be one revision or None")
            return literal
    if name == "revision":
        raise MigrationGraphError("a migration script names no revision")
    return None


def head_in(directory: Path) -> str | None:
    """The one revision of the scripts in `directory` that no other script follows."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for script in sorted(directory.glob("*.py")):
        module = ast.parse(script.read_text(encoding="utf-8"), filename=str(script))
        revision = _assigned(module, "revision")
        assert revision is not None
        revisions.add(revision)
        down = _assigned(module, "down_revision")
        if down is not None:
            followed.add(down)
    heads = revisions - followed
    if len(heads) > 1:
        raise MigrationGraphError(f"the migrations have several heads: {sorted(heads)}")
    return next(iter(heads), None)


HEAD = head_in(VERSIONS_DIR)


def current(engine: Engine) -> str | None:
    """The revision the database is at, or None when it has never been migrated."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
    if len(rows) > 1:
        raise MigrationGraphError("the database records several migration heads")
    return str(rows[0][0]) if rows else None
