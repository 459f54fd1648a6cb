"""Members: the agencies that own information systems."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import _write
from registry.changes import as_json, now
from registry.dto import EntityKind, MemberCreate, MemberRead, MemberUpdate
from registry.errors import Conflict, NotFound
from registry.models import Member, System

ENTITY: EntityKind = "member"


def describe(row: Member) -> dict[str, Any]:
    """The member as its change rows record it."""
    return as_json(MemberRead.model_validate(row))


def create(*, session: Session, data: MemberCreate, actor: str) -> MemberRead:
    """Add a member; Conflict if its code is taken."""
    if session.get(Member, data.code) is not None:
        raise Conflict(f"member {data.code} already exists")
    at = now()
    row = Member(code=data.code, name=data.name, created_at=at, updated_at=at)
    _write.create(
        session=session, row=row, describe=describe, entity=ENTITY, key=data.code, actor=actor
    )
    return MemberRead.model_validate(row)


def get(*, session: Session, code: str) -> MemberRead | None:
    """The member with this code, or None."""
    row = session.get(Member, code)
    return None if row is None else MemberRead.model_validate(row)


def get_or_raise(*, session: Session, code: str) -> MemberRead:
    """The member with this code; NotFound otherwise."""
    return MemberRead.model_validate(_row(session, code))


def list_all(*, session: Session) -> list[MemberRead]:
    """Every member, by code."""
    rows = session.scalars(select(Member).order_by(Member.code))
    return [MemberRead.model_validate(r) for r in rows]


def update(*, session: Session, code: str, data: MemberUpdate, actor: str) -> MemberRead:
    """Change the fields given in `data`; nothing is recorded when nothing differs."""
    row = _row(session, code)
    _write.update(
        session=session,
        row=row,
        values=data.model_dump(exclude_unset=True),
        describe=describe,
        entity=ENTITY,
        key=code,
        actor=actor,
    )
    return MemberRead.model_validate(row)


def delete(*, session: Session, code: str, actor: str) -> None:
    """Remove a member; Conflict while it still has systems."""
    row = _row(session, code)
    systems = _write.count(session, System.member_code == code)
    if systems:
        raise Conflict(f"member {code} still has {systems} system(s)")
    _write.delete(session=session, row=row, describe=describe, entity=ENTITY, key=code, actor=actor)


def _row(session: Session, code: str) -> Member:
    row = session.get(Member, code)
    if row is None:
        raise NotFound(f"no member {code}")
    return row
