"""Registry routes: members (agencies)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from lgsp.api.registry.common import Admin, RuntimeDep, created, transaction, writing
from registry import members
from registry.dto import MemberCreate, MemberRead, MemberUpdate

router = APIRouter()


@router.get("/members")
def list_members(*, caller: Admin, runtime: RuntimeDep) -> list[MemberRead]:
    """Every member."""
    with transaction(runtime) as session:
        return members.list_all(session=session)


@router.post("/members", status_code=201)
def create_member(
    *, body: MemberCreate, response: Response, caller: Admin, runtime: RuntimeDep
) -> MemberRead:
    """Add a member."""
    with writing(runtime) as session:
        new = members.create(session=session, data=body, actor=caller.actor)
    created(response, f"/registry/members/{new.code}")
    return new


@router.get("/members/{code}")
def get_member(*, code: str, caller: Admin, runtime: RuntimeDep) -> MemberRead:
    """One member."""
    with transaction(runtime) as session:
        return members.get_or_raise(session=session, code=code)


@router.patch("/members/{code}")
def update_member(
    *, code: str, body: MemberUpdate, caller: Admin, runtime: RuntimeDep
) -> MemberRead:
    """Change a member's name."""
    with writing(runtime) as session:
        return members.update(session=session, code=code, data=body, actor=caller.actor)


@router.delete("/members/{code}", status_code=204)
def delete_member(*, code: str, caller: Admin, runtime: RuntimeDep) -> Response:
    """Remove a member without systems."""
    with writing(runtime) as session:
        members.delete(session=session, code=code, actor=caller.actor)
    return Response(status_code=204)
