"""Registry routes: information systems."""

from __future__ import annotations

from fastapi import APIRouter, Response

from lgsp.api.registry.common import Admin, RuntimeDep, created, transaction, writing
from registry import systems
from registry.dto import SystemCreate, SystemRead, SystemUpdate

router = APIRouter()


@router.get("/systems")
def list_systems(
    *, caller: Admin, runtime: RuntimeDep, member: str | None = None
) -> list[SystemRead]:
    """Every system, or those of one member."""
    with transaction(runtime) as session:
        return systems.list_all(session=session, member_code=member)


@router.post("/systems", status_code=201)
def create_system(
    *, body: SystemCreate, response: Response, caller: Admin, runtime: RuntimeDep
) -> SystemRead:
    """Add a system to an existing member."""
    with writing(runtime) as session:
        new = systems.create(session=session, data=body, actor=caller.actor)
    created(response, f"/registry/systems/{new.id}")
    return new


@router.get("/systems/{system_id}")
def get_system(*, system_id: str, caller: Admin, runtime: RuntimeDep) -> SystemRead:
    """One system."""
    with transaction(runtime) as session:
        return systems.get_or_raise(session=session, system_id=system_id)


@router.patch("/systems/{system_id}")
def update_system(
    *, system_id: str, body: SystemUpdate, caller: Admin, runtime: RuntimeDep
) -> SystemRead:
    """Change a system's name."""
    with writing(runtime) as session:
        return systems.update(session=session, system_id=system_id, data=body, actor=caller.actor)


@router.delete("/systems/{system_id}", status_code=204)
def delete_system(*, system_id: str, caller: Admin, runtime: RuntimeDep) -> Response:
    """Remove a system nothing refers to any more (409 otherwise)."""
    with writing(runtime) as session:
        systems.delete(session=session, system_id=system_id, actor=caller.actor)
    return Response(status_code=204)
