"""Admin REST API under /registry: members, systems, services, access rules, credentials,
the change history, and loading a declarative file. Every route needs the `admin` scope.

Routes are sync functions (FastAPI runs them in its threadpool) around one
transaction each; registry errors become problems in `lgsp.api.problems`.
After a write the node reloads its snapshot, so it serves its own change at once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from lgsp.api.deps import get_runtime
from lgsp.api.problems import UNSUPPORTED_MEDIA_TYPE, Problem
from lgsp.auth.deps import require_scope
from lgsp.auth.models import Caller
from lgsp.bootstrap import Runtime
from registry import changes, credentials, loader, members, rules, services, systems
from registry.document import MEDIA_TYPE as YAML_MEDIA_TYPE
from registry.dto import (
    AccessRuleCreate,
    AccessRuleRead,
    AccessRuleUpdate,
    ChangePage,
    ChangeRead,
    CredentialCreate,
    CredentialIssued,
    CredentialRead,
    CredentialUpdate,
    EntityKind,
    MemberCreate,
    MemberRead,
    MemberUpdate,
    ServiceCreate,
    ServiceRead,
    ServiceUpdate,
    SystemCreate,
    SystemRead,
    SystemUpdate,
)
from registry.errors import NotFound
from registry.report import LoadReport

log = logging.getLogger("lgsp.registry")

# One dependency object, so FastAPI resolves it once per request: on the
# router it guards every route, even one added later without a `caller`.
_require_admin = require_scope("admin")
router = APIRouter(prefix="/registry", tags=["registry"], dependencies=[Depends(_require_admin)])

Admin = Annotated[Caller, Depends(_require_admin)]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
# Answers holding a client secret must not be kept by any cache on the way.
NO_STORE = {"Cache-Control": "no-store"}


@contextmanager
def _transaction(runtime: Runtime) -> Iterator[Session]:
    with Session(runtime.engine) as session, session.begin():
        yield session


@contextmanager
def _writing(runtime: Runtime) -> Iterator[Session]:
    with _transaction(runtime) as session:
        yield session
    try:
        runtime.registry.refresh()
    except Exception:
        # The write is committed; the background refresh will load it soon.
        log.exception("registry refresh after a write failed")


def _created(response: Response, location: str) -> None:
    response.status_code = 201
    response.headers["Location"] = location


# Members


@router.get("/members")
def list_members(*, caller: Admin, runtime: RuntimeDep) -> list[MemberRead]:
    """Every member."""
    with _transaction(runtime) as session:
        return members.list_all(session=session)


@router.post("/members", status_code=201)
def create_member(
    *, body: MemberCreate, response: Response, caller: Admin, runtime: RuntimeDep
) -> MemberRead:
    """Add a member."""
    with _writing(runtime) as session:
        created = members.create(session=session, data=body, actor=caller.actor)
    _created(response, f"/registry/members/{created.code}")
    return created


@router.get("/members/{code}")
def get_member(*, code: str, caller: Admin, runtime: RuntimeDep) -> MemberRead:
    """One member."""
    with _transaction(runtime) as session:
        return members.get_or_raise(session=session, code=code)


@router.patch("/members/{code}")
def update_member(
    *, code: str, body: MemberUpdate, caller: Admin, runtime: RuntimeDep
) -> MemberRead:
    """Change a member's name."""
    with _writing(runtime) as session:
        return members.update(session=session, code=code, data=body, actor=caller.actor)


@router.delete("/members/{code}", status_code=204)
def delete_member(*, code: str, caller: Admin, runtime: RuntimeDep) -> Response:
    """Remove a member without systems."""
    with _writing(runtime) as session:
        members.delete(session=session, code=code, actor=caller.actor)
    return Response(status_code=204)


# Systems


@router.get("/systems")
def list_systems(
    *, caller: Admin, runtime: RuntimeDep, member: str | None = None
) -> list[SystemRead]:
    """Every system, or those of one member."""
    with _transaction(runtime) as session:
        return systems.list_all(session=session, member_code=member)


@router.post("/systems", status_code=201)
def create_system(
    *, body: SystemCreate, response: Response, caller: Admin, runtime: RuntimeDep
) -> SystemRead:
    """Add a system to an existing member."""
    with _writing(runtime) as session:
        created = systems.create(session=session, data=body, actor=caller.actor)
    _created(response, f"/registry/systems/{created.id}")
    return created


@router.get("/systems/{system_id}")
def get_system(*, system_id: str, caller: Admin, runtime: RuntimeDep) -> SystemRead:
    """One system."""
    with _transaction(runtime) as session:
        return systems.get_or_raise(session=session, system_id=system_id)


@router.patch("/systems/{system_id}")
def update_system(
    *, system_id: str, body: SystemUpdate, caller: Admin, runtime: RuntimeDep
) -> SystemRead:
    """Change a system's name."""
    with _writing(runtime) as session:
        return systems.update(session=session, system_id=system_id, data=body, actor=caller.actor)


@router.delete("/systems/{system_id}", status_code=204)
def delete_system(*, system_id: str, caller: Admin, runtime: RuntimeDep) -> Response:
    """Remove a system nothing refers to any more (409 otherwise)."""
    with _writing(runtime) as session:
        systems.delete(session=session, system_id=system_id, actor=caller.actor)
    return Response(status_code=204)


# Services: their ids hold `/`, hence the path converter.


@router.get("/services")
def list_services(
    *, caller: Admin, runtime: RuntimeDep, system: str | None = None
) -> list[ServiceRead]:
    """Every service, or those of one system."""
    with _transaction(runtime) as session:
        return services.list_all(session=session, system_id=system)


@router.post("/services", status_code=201)
def create_service(
    *, body: ServiceCreate, response: Response, caller: Admin, runtime: RuntimeDep
) -> ServiceRead:
    """Add a service version to an existing system."""
    with _writing(runtime) as session:
        created = services.create(session=session, data=body, actor=caller.actor)
    _created(response, f"/registry/services/{created.id}")
    return created


@router.get("/services/{service_id:path}")
def get_service(*, service_id: str, caller: Admin, runtime: RuntimeDep) -> ServiceRead:
    """One service."""
    with _transaction(runtime) as session:
        return services.get_or_raise(session=session, service_id=service_id)


@router.patch("/services/{service_id:path}")
def update_service(
    *, service_id: str, body: ServiceUpdate, caller: Admin, runtime: RuntimeDep
) -> ServiceRead:
    """Change how a service is reached."""
    with _writing(runtime) as session:
        return services.update(
            session=session, service_id=service_id, data=body, actor=caller.actor
        )


@router.delete("/services/{service_id:path}", status_code=204)
def delete_service(*, service_id: str, caller: Admin, runtime: RuntimeDep) -> Response:
    """Remove a service no access rule names (409 otherwise)."""
    with _writing(runtime) as session:
        services.delete(session=session, service_id=service_id, actor=caller.actor)
    return Response(status_code=204)


# Access rules


@router.get("/access-rules")
def list_rules(
    *,
    caller: Admin,
    runtime: RuntimeDep,
    client_system_id: str | None = None,
    service_id: str | None = None,
) -> list[AccessRuleRead]:
    """Every rule, or those of one client system and/or service."""
    with _transaction(runtime) as session:
        return rules.list_all(
            session=session, client_system_id=client_system_id, service_id=service_id
        )


@router.post("/access-rules", status_code=201)
def create_rule(
    *, body: AccessRuleCreate, response: Response, caller: Admin, runtime: RuntimeDep
) -> AccessRuleRead:
    """Allow a client system to call a service."""
    with _writing(runtime) as session:
        created = rules.create(session=session, data=body, actor=caller.actor)
    _created(response, f"/registry/access-rules/{created.id}")
    return created


@router.get("/access-rules/{rule_id}")
def get_rule(*, rule_id: int, caller: Admin, runtime: RuntimeDep) -> AccessRuleRead:
    """One rule."""
    with _transaction(runtime) as session:
        return rules.get_or_raise(session=session, rule_id=rule_id)


@router.patch("/access-rules/{rule_id}")
def update_rule(
    *, rule_id: int, body: AccessRuleUpdate, caller: Admin, runtime: RuntimeDep
) -> AccessRuleRead:
    """Change a rule's method or path template."""
    with _writing(runtime) as session:
        return rules.update(session=session, rule_id=rule_id, data=body, actor=caller.actor)


@router.delete("/access-rules/{rule_id}", status_code=204)
def delete_rule(*, rule_id: int, caller: Admin, runtime: RuntimeDep) -> Response:
    """Remove a rule: the calls it allowed are denied again."""
    with _writing(runtime) as session:
        rules.delete(session=session, rule_id=rule_id, actor=caller.actor)
    return Response(status_code=204)


# Credentials


@router.get("/credentials")
def list_credentials(
    *, caller: Admin, runtime: RuntimeDep, system: str | None = None, include_revoked: bool = True
) -> list[CredentialRead]:
    """Every credential (never a secret), or those of one system."""
    with _transaction(runtime) as session:
        return credentials.list_all(
            session=session, system_id=system, include_revoked=include_revoked
        )


@router.post("/credentials", status_code=201)
def issue_credential(
    *, body: CredentialCreate, response: Response, caller: Admin, runtime: RuntimeDep
) -> CredentialIssued:
    """Issue a client id and secret; the secret is in this answer only."""
    with _writing(runtime) as session:
        issued = credentials.issue(
            session=session, data=body, actor=caller.actor, hasher=runtime.hasher
        )
    _created(response, f"/registry/credentials/{issued.client_id}")
    response.headers.update(NO_STORE)
    return issued


@router.get("/credentials/{client_id}")
def get_credential(*, client_id: str, caller: Admin, runtime: RuntimeDep) -> CredentialRead:
    """One credential, without its secret."""
    with _transaction(runtime) as session:
        return credentials.get_or_raise(session=session, client_id=client_id)


@router.patch("/credentials/{client_id}")
def update_credential(
    *, client_id: str, body: CredentialUpdate, caller: Admin, runtime: RuntimeDep
) -> CredentialRead:
    """Change a live credential's scopes or description."""
    with _writing(runtime) as session:
        return credentials.update(
            session=session, client_id=client_id, data=body, actor=caller.actor
        )


@router.delete("/credentials/{client_id}")
def revoke_credential(*, client_id: str, caller: Admin, runtime: RuntimeDep) -> CredentialRead:
    """Revoke a credential for good (its tokens stop working within the refresh bound)."""
    with _writing(runtime) as session:
        return credentials.revoke(session=session, client_id=client_id, actor=caller.actor)


# History and declarative loading


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
    with _transaction(runtime) as session:
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
    with _transaction(runtime) as session:
        change = changes.get(session=session, change_id=change_id)
    if change is None:
        raise NotFound(f"no change {change_id}")
    return change


async def yaml_body(request: Request) -> bytes:
    """The request body, which must be `application/yaml` (else a 415 problem)."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != YAML_MEDIA_TYPE:
        raise Problem(UNSUPPORTED_MEDIA_TYPE, f"send the registry file as {YAML_MEDIA_TYPE}")
    return await request.body()


@router.post(
    "/load",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {YAML_MEDIA_TYPE: {"schema": {"type": "string"}}},
        }
    },
)
def load_document(
    *,
    caller: Admin,
    runtime: RuntimeDep,
    response: Response,
    body: Annotated[bytes, Depends(yaml_body)],
    prune: bool = False,
) -> LoadReport:
    """Make the registry what the YAML file says; the answer holds new secrets, once."""
    with _writing(runtime) as session:
        report = loader.load(session, body, actor=caller.actor, hasher=runtime.hasher, prune=prune)
    if report.secrets:
        response.headers.update(NO_STORE)
    return report
