"""`create_simulator`: the national platform (NDXP) played by a real HTTP server.

This is the simulator's composition root: the only place that names the
concrete stores, services and fronts and wires them together.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp

from ndxp_client import protocol
from ndxp_client.simulator import soap
from ndxp_client.simulator.auth import Authenticator
from ndxp_client.simulator.config import SimulatorConfig
from ndxp_client.simulator.connection import ConnectionAccess
from ndxp_client.simulator.control import ControlState, control_router
from ndxp_client.simulator.dedup import DedupStore
from ndxp_client.simulator.errors import MethodNotAllowed, Refusal, UnknownService
from ndxp_client.simulator.faults import FaultInjector
from ndxp_client.simulator.oauth import token_router
from ndxp_client.simulator.pipeline import Front, Platform, serve_call
from ndxp_client.simulator.records import Clock, RecordStore
from ndxp_client.simulator.services import citizens, documents, dossiers
from ndxp_client.simulator.services.base import Answer, Service, json_answer
from ndxp_client.simulator.services.register import synthetic_register
from ndxp_client.simulator.tokens import TokenIssuer

_PREFIX = f"/{protocol.PROTOCOL_VERSION}/"


def _rest_error(refusal: Refusal, content_type: str) -> Answer:
    """X-Road REST's error body: `{"type", "message", "detail"}`."""
    body = {"type": refusal.error_type, "message": refusal.message, "detail": refusal.detail}
    return json_answer(body, status=refusal.status)


REST = Front(name="rest", render_error=_rest_error)
SOAP = Front(name="soap", render_error=soap.fault_answer)


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The REST services by id."""

    services: dict[str, Service]

    def resolve(self, *, method: str, raw_path: str) -> tuple[str, Service | Refusal]:
        """The requested service id and the service, or why it cannot be called."""
        segments = raw_path.removeprefix(_PREFIX).split("/")
        service_id, subpath = "/".join(segments[:5]), segments[5:]
        service = self.services.get(service_id)
        if service is None or subpath:
            return service_id, UnknownService(f"no service {service_id} (or no such sub-path)")
        if method not in service.methods:
            allowed = ", ".join(sorted(service.methods))
            refusal = MethodNotAllowed(f"{service_id} takes {allowed}", headers={"Allow": allowed})
            return service_id, refusal
        return service_id, service


def create_simulator(config: SimulatorConfig, *, clock: Clock = time.time) -> ASGIApp:
    """The simulator as an ASGI application, its state fresh."""
    limit = config.history_limit
    tokens = TokenIssuer(
        token_format=config.token_format,
        lifetime_seconds=config.token_lifetime_seconds,
        issuer=config.token_issuer,
        clock=clock,
        limit=limit,
    )
    records = RecordStore(limit=limit, clock=clock)
    platform = Platform(
        auth=Authenticator(config=config, tokens=tokens, clock=clock),
        faults=FaultInjector(config.faults),
        dedup=DedupStore(limit=limit),
        records=records,
        max_body_bytes=config.max_body_bytes,
    )
    lookup = citizens.CitizenLookup(
        synthetic_register(size=config.register_size, seed=config.register_seed)
    )
    dossier_store = dossiers.DossierStore(limit=limit)
    document_store = documents.DocumentStore(limit=limit, max_bytes=config.max_body_bytes)
    catalogue = Catalogue(
        {
            citizens.SERVICE_ID: Service(citizens.SERVICE_ID, lookup.handle),
            dossiers.SYNC_SERVICE_ID: Service(dossiers.SYNC_SERVICE_ID, dossier_store.handle_sync),
            dossiers.PROGRESS_SERVICE_ID: Service(
                dossiers.PROGRESS_SERVICE_ID, dossier_store.handle_progress
            ),
            documents.SERVICE_ID: Service(documents.SERVICE_ID, document_store.handle),
        }
    )
    soap_service = Service(
        citizens.SERVICE_ID, soap.make_handler(lookup, max_bytes=config.max_body_bytes)
    )

    app = FastAPI(title="NDXP simulator", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(token_router(auth=platform.auth, tokens=tokens))
    state = ControlState(
        faults=platform.faults,
        records=records,
        dedup=platform.dedup,
        dossiers=dossier_store,
        documents=document_store,
        lookup=lookup,
    )
    token = config.control_token.get_secret_value() if config.control_token else None
    app.include_router(control_router(state, token=token))

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        """Alive."""
        return {"status": "ok"}

    @app.api_route(
        _PREFIX + "{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]
    )
    async def rest(request: Request) -> Response:
        """Any X-Road REST service call."""
        raw = request.scope.get("raw_path")
        raw_path = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else request.url.path
        service_id, service = catalogue.resolve(method=request.method, raw_path=raw_path)
        return await serve_call(
            request, platform=platform, front=REST, service_id=service_id, service=service
        )

    @app.post(soap.PATH)
    async def soap_call(request: Request) -> Response:
        """The citizen look-up over SOAP 1.1 or 1.2."""
        return await serve_call(
            request,
            platform=platform,
            front=SOAP,
            service_id=citizens.SERVICE_ID,
            service=soap_service,
        )

    @app.get(soap.PATH)
    def soap_wsdl(request: Request) -> Response:
        """The WSDL, at `?wsdl`."""
        if "wsdl" not in {k.lower() for k in request.query_params}:
            return JSONResponse({"detail": "append ?wsdl for the service description"}, 404)
        location = str(request.base_url).rstrip("/") + soap.PATH
        return Response(soap.wsdl(location=location), media_type="text/xml")

    return ConnectionAccess(app)
