"""Registry route: reconcile the registry with a declarative YAML file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from lgsp.api.problems import UNSUPPORTED_MEDIA_TYPE, Problem
from lgsp.api.registry.common import NO_STORE, Admin, RuntimeDep, media_type, writing
from registry import loader
from registry.document import MEDIA_TYPE as YAML_MEDIA_TYPE
from registry.report import LoadReport

router = APIRouter()


async def yaml_body(request: Request) -> bytes:
    """The request body, which must be `application/yaml` (else a 415 problem)."""
    if media_type(request) != YAML_MEDIA_TYPE:
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
    with writing(runtime) as session:
        report = loader.load(
            session,
            body,
            actor=caller.actor,
            hasher=runtime.hasher,
            prune=prune,
            schemas=runtime.validators.catalogue,
        )
    if report.secrets:
        response.headers.update(NO_STORE)
    return report
