"""Registry routes: services; their ids hold `/`, hence the path converter."""

from __future__ import annotations

from fastapi import APIRouter, Response

from lgsp.api.registry.common import Admin, RuntimeDep, created, transaction, writing
from registry import services
from registry.dto import ServiceCreate, ServiceRead, ServiceUpdate

router = APIRouter()


@router.get("/services")
def list_services(
    *, caller: Admin, runtime: RuntimeDep, system: str | None = None
) -> list[ServiceRead]:
    """Every service, or those of one system."""
    with transaction(runtime) as session:
        return services.list_all(session=session, system_id=system)


@router.post("/services", status_code=201)
def create_service(
    *, body: ServiceCreate, response: Response, caller: Admin, runtime: RuntimeDep
) -> ServiceRead:
    """Add a service version to an existing system."""
    with writing(runtime) as session:
        new = services.create(
            session=session,
            data=body,
            actor=caller.actor,
            schemas=runtime.validators.catalogue,
        )
    created(response, f"/registry/services/{new.id}")
    return new


@router.get("/services/{service_id:path}")
def get_service(*, service_id: str, caller: Admin, runtime: RuntimeDep) -> ServiceRead:
    """One service."""
    with transaction(runtime) as session:
        return services.get_or_raise(session=session, service_id=service_id)


@router.patch("/services/{service_id:path}")
def update_service(
    *, service_id: str, body: ServiceUpdate, caller: Admin, runtime: RuntimeDep
) -> ServiceRead:
    """Change how a service is reached."""
    with writing(runtime) as session:
        return services.update(
            session=session,
            service_id=service_id,
            data=body,
            actor=caller.actor,
            schemas=runtime.validators.catalogue,
        )


@router.delete("/services/{service_id:path}", status_code=204)
def delete_service(*, service_id: str, caller: Admin, runtime: RuntimeDep) -> Response:
    """Remove a service no access rule names (409 otherwise)."""
    with writing(runtime) as session:
        services.delete(session=session, service_id=service_id, actor=caller.actor)
    return Response(status_code=204)
