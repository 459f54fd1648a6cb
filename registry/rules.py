"""Access rules: which client system may call which service, with what method, on what path.

Nothing is allowed without a rule. A rule's key in the change history is
its id; its before/after JSON names the client, service, method and template.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import _write
from registry.changes import as_json, now
from registry.dto import AccessRuleCreate, AccessRuleRead, AccessRuleUpdate, EntityKind
from registry.errors import Conflict, Invalid, NotFound
from registry.models import AccessRule, Service, System

ENTITY: EntityKind = "access_rule"


def describe(row: AccessRule) -> dict[str, Any]:
    """The rule as its change rows record it."""
    return as_json(AccessRuleRead.model_validate(row))


def create(*, session: Session, data: AccessRuleCreate, actor: str) -> AccessRuleRead:
    """Allow a call; Conflict if the same rule exists."""
    missing = []
    if session.get(System, data.client_system_id) is None:
        missing.append(("/client_system_id", f"system {data.client_system_id} does not exist"))
    if session.get(Service, data.service_id) is None:
        missing.append(("/service_id", f"service {data.service_id} does not exist"))
    if missing:
        raise Invalid("the rule names what does not exist", missing)
    _refuse_duplicate(
        session,
        client_system_id=data.client_system_id,
        service_id=data.service_id,
        method=data.method,
        path_template=data.path_template,
    )
    row = AccessRule(**data.model_dump(), created_at=now())
    # The id, which is the rule's key, exists only once the row is inserted.
    _write.create(session=session, row=row, describe=describe, entity=ENTITY, key=_key, actor=actor)
    return AccessRuleRead.model_validate(row)


def get(*, session: Session, rule_id: int) -> AccessRuleRead | None:
    """The rule with this id, or None."""
    row = session.get(AccessRule, rule_id)
    return None if row is None else AccessRuleRead.model_validate(row)


def get_or_raise(*, session: Session, rule_id: int) -> AccessRuleRead:
    """The rule with this id; NotFound otherwise."""
    return AccessRuleRead.model_validate(_row(session, rule_id))


def find(
    *, session: Session, client_system_id: str, service_id: str, method: str, path_template: str
) -> AccessRuleRead | None:
    """The rule with exactly these four fields, or None."""
    row = session.scalar(
        select(AccessRule).where(
            AccessRule.client_system_id == client_system_id,
            AccessRule.service_id == service_id,
            AccessRule.method == method,
            AccessRule.path_template == path_template,
        )
    )
    return None if row is None else AccessRuleRead.model_validate(row)


def list_all(
    *, session: Session, client_system_id: str | None = None, service_id: str | None = None
) -> list[AccessRuleRead]:
    """Every rule (of one client system and/or service, if given), by id."""
    query = select(AccessRule).order_by(AccessRule.id)
    if client_system_id is not None:
        query = query.where(AccessRule.client_system_id == client_system_id)
    if service_id is not None:
        query = query.where(AccessRule.service_id == service_id)
    return [AccessRuleRead.model_validate(r) for r in session.scalars(query)]


def update(*, session: Session, rule_id: int, data: AccessRuleUpdate, actor: str) -> AccessRuleRead:
    """Change a rule's method or template; Conflict if that makes it a duplicate."""
    row = _row(session, rule_id)
    values = data.model_dump(exclude_unset=True)
    method = values.get("method", row.method)
    template = values.get("path_template", row.path_template)
    if (method, template) != (row.method, row.path_template):
        _refuse_duplicate(
            session,
            client_system_id=row.client_system_id,
            service_id=row.service_id,
            method=method,
            path_template=template,
        )
    _write.update(
        session=session,
        row=row,
        values=values,
        describe=describe,
        entity=ENTITY,
        key=str(rule_id),
        actor=actor,
    )
    return AccessRuleRead.model_validate(row)


def delete(*, session: Session, rule_id: int, actor: str) -> None:
    """Remove a rule (the calls it allowed are denied again)."""
    row = _row(session, rule_id)
    _write.delete(
        session=session, row=row, describe=describe, entity=ENTITY, key=str(rule_id), actor=actor
    )


def _refuse_duplicate(
    session: Session, *, client_system_id: str, service_id: str, method: str, path_template: str
) -> None:
    existing = find(
        session=session,
        client_system_id=client_system_id,
        service_id=service_id,
        method=method,
        path_template=path_template,
    )
    if existing is not None:
        raise Conflict(f"the same access rule exists already (id {existing.id})")


def _key(row: AccessRule) -> str:
    return str(row.id)


def _row(session: Session, rule_id: int) -> AccessRule:
    row = session.get(AccessRule, rule_id)
    if row is None:
        raise NotFound(f"no access rule {rule_id}")
    return row
