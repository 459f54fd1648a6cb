"""Services: versioned operations a system offers, and how the exchange reaches them."""

from __future__ import annotations

from collections.abc import Container
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import _write
from registry.changes import as_json, now
from registry.dto import EntityKind, ServiceCreate, ServiceRead, ServiceUpdate
from registry.errors import Conflict, Invalid, NotFound
from registry.identifiers import parse_service_id
from registry.models import AccessRule, Service, System

ENTITY: EntityKind = "service"


def describe(row: Service) -> dict[str, Any]:
    """The service as its change rows record it."""
    return as_json(ServiceRead.model_validate(row))


def schema_problems(
    data: ServiceCreate | ServiceUpdate, schemas: Container[str] | None, *, prefix: str = ""
) -> list[tuple[str, str]]:
    """The schema ids `data` names that `schemas` (the node's catalogue) lacks, as
    (JSON Pointer, what is wrong); none when `schemas` is None (nothing to check against)."""
    if schemas is None:
        return []
    problems = []
    for field in ("request_schema", "response_schema"):
        ref = getattr(data, field)
        if ref is not None and ref not in schemas:
            problems.append((f"{prefix}/{field}", f"no schema {ref} is in the catalogue"))
    return problems


def _check_schemas(data: ServiceCreate | ServiceUpdate, schemas: Container[str] | None) -> None:
    problems = schema_problems(data, schemas)
    if problems:
        raise Invalid(problems[0][1], problems)


def create(
    *,
    session: Session,
    data: ServiceCreate,
    actor: str,
    schemas: Container[str] | None = None,
) -> ServiceRead:
    """Add a service version of an existing system; Conflict if its id is taken. With
    `schemas`, every schema id the service names must be one of them (`Invalid` otherwise):
    a call to a service whose schema is missing could only be refused."""
    parsed = parse_service_id(data.id, pointer="/id")
    _check_schemas(data, schemas)
    if session.get(Service, data.id) is not None:
        raise Conflict(f"service {data.id} already exists")
    if session.get(System, parsed.system_id) is None:
        raise Invalid.at("/id", f"system {parsed.system_id} does not exist")
    at = now()
    row = Service(
        id=data.id,
        system_id=parsed.system_id,
        code=parsed.code,
        version=parsed.version,
        **data.model_dump(exclude={"id"}),
        created_at=at,
        updated_at=at,
    )
    _write.create(
        session=session, row=row, describe=describe, entity=ENTITY, key=data.id, actor=actor
    )
    return ServiceRead.model_validate(row)


def get(*, session: Session, service_id: str) -> ServiceRead | None:
    """The service with this id, or None."""
    row = session.get(Service, service_id)
    return None if row is None else ServiceRead.model_validate(row)


def get_or_raise(*, session: Session, service_id: str) -> ServiceRead:
    """The service with this id; NotFound otherwise."""
    return ServiceRead.model_validate(_row(session, service_id))


def list_all(*, session: Session, system_id: str | None = None) -> list[ServiceRead]:
    """Every service (of one system, if given), by id."""
    query = select(Service).order_by(Service.id)
    if system_id is not None:
        query = query.where(Service.system_id == system_id)
    return [ServiceRead.model_validate(r) for r in session.scalars(query)]


def update(
    *,
    session: Session,
    service_id: str,
    data: ServiceUpdate,
    actor: str,
    schemas: Container[str] | None = None,
) -> ServiceRead:
    """Change the fields given in `data`; nothing is recorded when nothing differs. With
    `schemas`, as `create`."""
    row = _row(session, service_id)
    _check_schemas(data, schemas)
    _write.update(
        session=session,
        row=row,
        values=data.model_dump(exclude_unset=True),
        describe=describe,
        entity=ENTITY,
        key=service_id,
        actor=actor,
    )
    return ServiceRead.model_validate(row)


def delete(*, session: Session, service_id: str, actor: str) -> None:
    """Remove a service; Conflict while access rules name it."""
    row = _row(session, service_id)
    rules = _write.count(session, AccessRule.service_id == service_id)
    if rules:
        raise Conflict(f"service {service_id} is still named by {rules} access rule(s)")
    _write.delete(
        session=session, row=row, describe=describe, entity=ENTITY, key=service_id, actor=actor
    )


def _row(session: Session, service_id: str) -> Service:
    row = session.get(Service, service_id)
    if row is None:
        raise NotFound(f"no service {service_id}")
    return row
