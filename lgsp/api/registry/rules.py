"""Registry routes: access rules (deny unless one allows)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from lgsp.api.registry.common import Admin, RuntimeDep, created, transaction, writing
from registry import rules
from registry.dto import AccessRuleCreate, AccessRuleRead, AccessRuleUpdate

router = APIRouter()


@router.get("/access-rules")
def list_rules(
    *,
    caller: Admin,
    runtime: RuntimeDep,
    client_system_id: str | None = None,
    service_id: str | None = None,
) -> list[AccessRuleRead]:
    """Every rule, or those of one client system and/or service."""
    with transaction(runtime) as session:
        return rules.list_all(
            session=session, client_system_id=client_system_id, service_id=service_id
        )


@router.post("/access-rules", status_code=201)
def create_rule(
    *, body: AccessRuleCreate, response: Response, caller: Admin, runtime: RuntimeDep
) -> AccessRuleRead:
    """Allow a client system to call a service."""
    with writing(runtime) as session:
        new = rules.create(session=session, data=body, actor=caller.actor)
    created(response, f"/registry/access-rules/{new.id}")
    return new


@router.get("/access-rules/{rule_id}")
def get_rule(*, rule_id: int, caller: Admin, runtime: RuntimeDep) -> AccessRuleRead:
    """One rule."""
    with transaction(runtime) as session:
        return rules.get_or_raise(session=session, rule_id=rule_id)


@router.patch("/access-rules/{rule_id}")
def update_rule(
    *, rule_id: int, body: AccessRuleUpdate, caller: Admin, runtime: RuntimeDep
) -> AccessRuleRead:
    """Change a rule's method or path template."""
    with writing(runtime) as session:
        return rules.update(session=session, rule_id=rule_id, data=body, actor=caller.actor)


@router.delete("/access-rules/{rule_id}", status_code=204)
def delete_rule(*, rule_id: int, caller: Admin, runtime: RuntimeDep) -> Response:
    """Remove a rule: the calls it allowed are denied again."""
    with writing(runtime) as session:
        rules.delete(session=session, rule_id=rule_id, actor=caller.actor)
    return Response(status_code=204)
