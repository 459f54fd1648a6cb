"""Information systems: `<member>:<SYSTEM>`, the callers and providers of the exchange."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import _write, credentials
from registry.changes import as_json, now
from registry.dto import EntityKind, SystemCreate, SystemRead, SystemUpdate
from registry.errors import Conflict, Invalid, NotFound
from registry.identifiers import parse_system_id
from registry.models import AccessRule, Credential, Member, Service, System

ENTITY: EntityKind = "system"


def describe(row: System) -> dict[str, Any]:
    """The system as its change rows record it."""
    return as_json(SystemRead.model_validate(row))


def create(*, session: Session, data: SystemCreate, actor: str) -> SystemRead:
    """Add a system of an existing member; Conflict if its id is taken."""
    parsed = parse_system_id(data.id, pointer="/id")
    if session.get(System, data.id) is not None:
        raise Conflict(f"system {data.id} already exists")
    if session.get(Member, parsed.member_code) is None:
        raise Invalid.at("/id", f"member {parsed.member_code} does not exist")
    at = now()
    row = System(
        id=data.id,
        member_code=parsed.member_code,
        code=parsed.code,
        name=data.name,
        created_at=at,
        updated_at=at,
    )
    _write.create(
        session=session, row=row, describe=describe, entity=ENTITY, key=data.id, actor=actor
    )
    return SystemRead.model_validate(row)


def get(*, session: Session, system_id: str) -> SystemRead | None:
    """The system with this id, or None."""
    row = session.get(System, system_id)
    return None if row is None else SystemRead.model_validate(row)


def get_or_raise(*, session: Session, system_id: str) -> SystemRead:
    """The system with this id; NotFound otherwise."""
    return SystemRead.model_validate(_row(session, system_id))


def list_all(*, session: Session, member_code: str | None = None) -> list[SystemRead]:
    """Every system (of one member, if given), by id."""
    query = select(System).order_by(System.id)
    if member_code is not None:
        query = query.where(System.member_code == member_code)
    return [SystemRead.model_validate(r) for r in session.scalars(query)]


def update(*, session: Session, system_id: str, data: SystemUpdate, actor: str) -> SystemRead:
    """Change the fields given in `data`; nothing is recorded when nothing differs."""
    row = _row(session, system_id)
    _write.update(
        session=session,
        row=row,
        values=data.model_dump(exclude_unset=True),
        describe=describe,
        entity=ENTITY,
        key=system_id,
        actor=actor,
    )
    return SystemRead.model_validate(row)


def delete(*, session: Session, system_id: str, actor: str) -> None:
    """Remove a system; Conflict while services, access rules or live credentials name it.

    Its revoked credentials go with it (each recorded): they can never be
    used again, and keeping them would leave the system undeletable.
    """
    row = _row(session, system_id)
    users = {
        "service(s)": _write.count(session, Service.system_id == system_id),
        "access rule(s) as client": _write.count(session, AccessRule.client_system_id == system_id),
        "live credential(s)": _write.count(
            session, Credential.system_id == system_id, Credential.revoked_at.is_(None)
        ),
    }
    named = [f"{n} {what}" for what, n in users.items() if n]
    if named:
        raise Conflict(f"system {system_id} is still referenced by " + ", ".join(named))
    credentials.delete_revoked(session=session, system_id=system_id, actor=actor)
    _write.delete(
        session=session, row=row, describe=describe, entity=ENTITY, key=system_id, actor=actor
    )


def _row(session: Session, system_id: str) -> System:
    row = session.get(System, system_id)
    if row is None:
        raise NotFound(f"no system {system_id}")
    return row
