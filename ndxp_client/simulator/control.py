"""`/_sim/*`: what tests and developers use to steer and inspect the simulator.

With a `control_token` configured, every control call needs it as a Bearer
token, wherever it comes from. Without one, control calls are answered to
loopback callers only (the demo binds to 127.0.0.1, so that is everyone who
can reach it); the CLI refuses to listen elsewhere without a token.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from ndxp_client.simulator.dedup import DedupStore
from ndxp_client.simulator.faults import FaultInjector, FaultSettings
from ndxp_client.simulator.records import RecordStore
from ndxp_client.simulator.services.citizens import CitizenLookup
from ndxp_client.simulator.services.documents import DocumentStore
from ndxp_client.simulator.services.dossiers import DossierStore


@dataclass(frozen=True, slots=True)
class ControlState:
    """Everything the control API reads or resets."""

    faults: FaultInjector
    records: RecordStore
    dedup: DedupStore
    dossiers: DossierStore
    documents: DocumentStore
    lookup: CitizenLookup


def _is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def control_guard(token: str | None) -> Callable[[Request], None]:
    """The dependency that admits a control call, or refuses it with 401 or 403."""

    def guard(request: Request) -> None:
        if token is None:
            if not _is_loopback(request.client.host if request.client else None):
                raise HTTPException(403, "control calls are answered to loopback callers only")
            return
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            presented.strip().encode("utf-8"), token.encode("utf-8")
        ):
            raise HTTPException(
                401, "the control token is required", headers={"WWW-Authenticate": "Bearer"}
            )

    return guard


def control_router(state: ControlState, *, token: str | None) -> APIRouter:
    """The `/_sim` routes over `state`."""
    router = APIRouter(prefix="/_sim", dependencies=[Depends(control_guard(token))])

    @router.get("/records")
    def records() -> dict[str, object]:
        """Every send kept, oldest first."""
        return {"records": state.records.sends()}

    @router.get("/effects")
    def effects() -> dict[str, object]:
        """Every effect kept, oldest first."""
        return {"effects": state.records.effects()}

    @router.post("/reset", status_code=204)
    def reset() -> Response:
        """Forget records, effects, message ids, dossiers and documents (faults stay)."""
        state.records.reset()
        state.dedup.reset()
        state.dossiers.reset()
        state.documents.reset()
        return Response(status_code=204)

    @router.get("/faults")
    def get_faults() -> FaultSettings:
        """The faults in force."""
        return state.faults.settings

    @router.put("/faults")
    def put_faults(settings: FaultSettings) -> FaultSettings:
        """Replace the faults in force."""
        state.faults.set(settings)
        return settings

    @router.delete("/faults")
    def delete_faults() -> FaultSettings:
        """No faults any more."""
        state.faults.clear()
        return state.faults.settings

    @router.get("/dossiers")
    def dossiers() -> dict[str, object]:
        """Every dossier the portal holds, with its status history."""
        return {"dossiers": state.dossiers.all()}

    @router.get("/dossiers/{code}")
    def dossier(code: str) -> dict[str, object]:
        """One dossier, with its status history."""
        found = state.dossiers.get(code)
        if found is None:
            raise HTTPException(404, "no such dossier")
        return found

    @router.get("/documents")
    def documents() -> dict[str, object]:
        """Every document received."""
        return {"documents": state.documents.all()}

    @router.get("/documents/{document_id}")
    def document(document_id: str) -> dict[str, object]:
        """One received document."""
        found = state.documents.get(document_id)
        if found is None:
            raise HTTPException(404, "no such document")
        return found

    @router.get("/citizens")
    def citizens() -> dict[str, object]:
        """The synthetic register (nobody in it is real)."""
        return {"citizens": [c.as_json() for c in state.lookup.register]}

    return router
