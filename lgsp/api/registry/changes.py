"""Registry routes: the change history."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from lgsp.api.registry.common import Admin, RuntimeDep, transaction
from registry import changes
from registry.dto import ChangePage, ChangeRead, EntityKind
from registry.errors import NotFound

router = APIRouter()


@router.get("/changes")
def list_changes(
    *,
    caller: Admin,
    runtime: RuntimeDep,
    entity: EntityKind | None = None,
    key: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=changes.MAX_PAGE)] = 100,
    cursor: str | None = None,
) -> ChangePage:
    """The change history, oldest first, a page at a time."""
    with transaction(runtime) as session:
        return changes.list_changes(
            session=session,
            entity=entity,
            key=key,
            since=since,
            until=until,
            cursor=cursor,
            limit=limit,
        )


@router.get("/changes/{change_id}")
def get_change(*, change_id: int, caller: Admin, runtime: RuntimeDep) -> ChangeRead:
    """One change."""
    with transaction(runtime) as session:
        change = changes.get(session=session, change_id=change_id)
    if change is None:
        raise NotFound(f"no change {change_id}")
    return change
