"""The synchronous exchange route: `/x/{service path}[/{provider path}]`, any method."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from lgsp.exchange.pipeline import ExchangeServices, run

router = APIRouter(tags=["exchange"])

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


@router.api_route("/x/{service_path:path}", methods=METHODS, include_in_schema=True)
async def exchange(request: Request, service_path: str) -> Response:
    """Call a registered service through the exchange (see the README's pipeline section)."""
    services = request.app.state.exchange
    assert isinstance(services, ExchangeServices)
    return await run(request, services=services)
