"""The change history: every write of the registry records one `Change` in its own transaction.

The history is append-only; its newest id is the registry's revision, which
nodes watch to know when to reload their snapshot.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry.dto import Action, ChangePage, ChangeRead, EntityKind
from registry.errors import Conflict, Invalid
from registry.models import Change

MAX_PAGE = 1000


def now() -> dt.datetime:
    """The current time, timezone-aware UTC (the registry's one clock)."""
    return dt.datetime.now(dt.UTC)


def as_json(read: BaseModel) -> dict[str, Any]:
    """An entity's read model as the JSON a change row keeps before and after."""
    return read.model_dump(mode="json")


def flush(session: Session, *, what: str) -> None:
    """Flush pending writes, turning a constraint violation (a concurrent write) into Conflict."""
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"{what} conflicts with the registry's current state") from exc


def record(
    *,
    session: Session,
    actor: str,
    entity: EntityKind,
    key: str,
    action: Action,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    note: str = "",
) -> None:
    """Add the change row for one write; it commits or rolls back with the write itself."""
    if not actor or len(actor) > 200:
        raise Invalid("the actor must be a non-empty name of at most 200 characters")
    session.add(
        Change(
            at=now(),
            actor=actor,
            entity=entity,
            entity_key=key,
            action=action,
            before=before,
            after=after,
            note=note,
        )
    )
    flush(session, what=f"the change of {entity} {key}")


def revision(*, session: Session) -> int:
    """The registry's revision: the newest change id (0 for an empty registry)."""
    return int(session.scalar(select(func.coalesce(func.max(Change.id), 0))) or 0)


def get(*, session: Session, change_id: int) -> ChangeRead | None:
    """One change, or None."""
    row = session.get(Change, change_id)
    return None if row is None else ChangeRead.model_validate(row)


def list_changes(
    *,
    session: Session,
    entity: EntityKind | None = None,
    key: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> ChangePage:
    """Changes oldest first, filtered by entity kind, key and time (`since` <= at < `until`)."""
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid.at("/limit", f"limit must be between 1 and {MAX_PAGE}")
    query = _filtered(entity=entity, key=key, since=since, until=until)
    if cursor is not None:
        query = query.where(Change.id > _decode_cursor(cursor))
    rows = list(session.scalars(query.order_by(Change.id).limit(limit + 1)))
    more = len(rows) > limit
    items = [ChangeRead.model_validate(r) for r in rows[:limit]]
    return ChangePage(items=items, next_cursor=str(items[-1].id) if more else None)


def history(*, session: Session, entity: EntityKind, key: str) -> list[ChangeRead]:
    """Every change of one entity, oldest first."""
    query = _filtered(entity=entity, key=key, since=None, until=None).order_by(Change.id)
    return [ChangeRead.model_validate(r) for r in session.scalars(query)]


def _filtered(
    *,
    entity: EntityKind | None,
    key: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> Select[Change]:
    query = select(Change)
    if entity is not None:
        query = query.where(Change.entity == entity)
    if key is not None:
        query = query.where(Change.entity_key == key)
    for name, bound in (("since", since), ("until", until)):
        if bound is not None and bound.tzinfo is None:
            raise Invalid.at(f"/{name}", f"{name} must carry a time zone")
    if since is not None:
        query = query.where(Change.at >= since)
    if until is not None:
        query = query.where(Change.at < until)
    return query


def _decode_cursor(cursor: str) -> int:
    # The cursor is the last id seen; callers treat it as opaque.
    if not (cursor.isascii() and cursor.isdigit() and len(cursor) <= 18):
        raise Invalid.at("/cursor", "the cursor is not one this server gave")
    return int(cursor)
