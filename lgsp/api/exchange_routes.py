"""The synchronous exchange route: `/x/{service path}[/{provider path}]`, any method.

A plain Starlette route, matched before FastAPI's routes: the exchange takes the
raw request itself, so FastAPI's dependency and routing machinery (about a tenth
of the CPU per request when profiled) buys it nothing.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lgsp.exchange.pipeline import ExchangeServices, run

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
TEMPLATE = "/x/{service_path:path}"


async def exchange(request: Request) -> Response:
    """Call a registered service through the exchange (see the README's pipeline section)."""
    services = request.app.state.exchange
    assert isinstance(services, ExchangeServices)
    return await run(request, services=services)


route = Route(TEMPLATE, endpoint=exchange, methods=METHODS, include_in_schema=False)
