"""Registry routes: OAuth2 client credentials; a secret is shown once, at issue."""

from __future__ import annotations

from fastapi import APIRouter, Response

from lgsp.api.registry.common import NO_STORE, Admin, RuntimeDep, created, transaction, writing
from registry import credentials
from registry.dto import CredentialCreate, CredentialIssued, CredentialRead, CredentialUpdate

router = APIRouter()


@router.get("/credentials")
def list_credentials(
    *, caller: Admin, runtime: RuntimeDep, system: str | None = None, include_revoked: bool = True
) -> list[CredentialRead]:
    """Every credential (never a secret), or those of one system."""
    with transaction(runtime) as session:
        return credentials.list_all(
            session=session, system_id=system, include_revoked=include_revoked
        )


@router.post("/credentials", status_code=201)
def issue_credential(
    *, body: CredentialCreate, response: Response, caller: Admin, runtime: RuntimeDep
) -> CredentialIssued:
    """Issue a client id and secret; the secret is in this answer only."""
    with writing(runtime) as session:
        issued = credentials.issue(
            session=session, data=body, actor=caller.actor, hasher=runtime.hasher
        )
    created(response, f"/registry/credentials/{issued.client_id}")
    response.headers.update(NO_STORE)
    return issued


@router.get("/credentials/{client_id}")
def get_credential(*, client_id: str, caller: Admin, runtime: RuntimeDep) -> CredentialRead:
    """One credential, without its secret."""
    with transaction(runtime) as session:
        return credentials.get_or_raise(session=session, client_id=client_id)


@router.patch("/credentials/{client_id}")
def update_credential(
    *, client_id: str, body: CredentialUpdate, caller: Admin, runtime: RuntimeDep
) -> CredentialRead:
    """Change a live credential's scopes or description."""
    with writing(runtime) as session:
        return credentials.update(
            session=session, client_id=client_id, data=body, actor=caller.actor
        )


@router.delete("/credentials/{client_id}")
def revoke_credential(*, client_id: str, caller: Admin, runtime: RuntimeDep) -> CredentialRead:
    """Revoke a credential for good (its tokens stop working within the refresh bound)."""
    with writing(runtime) as session:
        return credentials.revoke(session=session, client_id=client_id, actor=caller.actor)
