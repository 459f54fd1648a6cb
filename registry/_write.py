"""What every entity's writes share: each changes a row and records its `Change` alike."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from registry import changes
from registry.dto import Action, EntityKind

Row = TypeVar("Row")
Describe = Callable[[Row], dict[str, Any]]


def count(session: Session, *conditions: ColumnElement[bool]) -> int:
    """How many rows meet `conditions` (all naming one table): what still refers to an entity."""
    return int(session.scalar(select(func.count()).where(*conditions)) or 0)


def create(
    *,
    session: Session,
    row: Row,
    describe: Describe[Row],
    entity: EntityKind,
    key: str | Callable[[Row], str],
    actor: str,
) -> None:
    """Insert `row` and record its creation; a callable `key` is read after the insert."""
    session.add(row)
    changes.flush(session, what=entity if callable(key) else f"{entity} {key}")
    changes.record(
        session=session,
        actor=actor,
        entity=entity,
        key=key(row) if callable(key) else key,
        action="create",
        before=None,
        after=describe(row),
    )


def update(
    *,
    session: Session,
    row: Row,
    values: Mapping[str, object],
    describe: Describe[Row],
    entity: EntityKind,
    key: str,
    actor: str,
    action: Action = "update",
) -> bool:
    """Set the `values` that differ and record the change; False (and no record) if none did."""
    differing = {name: value for name, value in values.items() if getattr(row, name) != value}
    if not differing:
        return False
    before = describe(row)
    for name, value in differing.items():
        setattr(row, name, value)
    if hasattr(row, "updated_at"):
        setattr(row, "updated_at", changes.now())  # noqa: B010 - not every row has it
    changes.flush(session, what=f"{entity} {key}")
    changes.record(
        session=session,
        actor=actor,
        entity=entity,
        key=key,
        action=action,
        before=before,
        after=describe(row),
    )
    return True


def delete(
    *,
    session: Session,
    row: Row,
    describe: Describe[Row],
    entity: EntityKind,
    key: str,
    actor: str,
) -> None:
    """Delete `row` and record what it was."""
    before = describe(row)
    session.delete(row)
    changes.flush(session, what=f"{entity} {key}")
    changes.record(
        session=session,
        actor=actor,
        entity=entity,
        key=key,
        action="delete",
        before=before,
        after=None,
    )
