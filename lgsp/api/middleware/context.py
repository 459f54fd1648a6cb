"""Give every request its exchange id and record its metrics by route template."""

from __future__ import annotations

import logging
import time

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uuid6 import uuid7

from lgsp.api.metrics import UNMATCHED_ROUTE, Metrics

# Route templates only: raw paths and query strings can carry personal data.
access_log = logging.getLogger("lgsp.access")


def log_access(*, method: str, route: str, status: int, seconds: float, exchange_id: str) -> None:
    """One access-log line: method, route template (never the raw path), status, time, id."""
    access_log.info(
        "%s %s %d %.1fms exchange=%s", method, route, status, seconds * 1000, exchange_id
    )


class RequestContextMiddleware:
    """Outermost layer: exchange id (UUIDv7) in `request.state` and the answer, then metrics."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        exchange_id = str(uuid7())
        scope.setdefault("state", {})["exchange_id"] = exchange_id
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = MutableHeaders(scope=message)
                if "x-lgsp-exchange-id" not in headers:
                    headers.append("X-LGSP-Exchange-Id", exchange_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None)
            route_name = template if isinstance(template, str) else UNMATCHED_ROUTE
            method = str(scope.get("method", ""))
            seconds = time.perf_counter() - started
            self.metrics.observe(method=method, route=route_name, status=status, seconds=seconds)
            log_access(
                method=method,
                route=route_name,
                status=status,
                seconds=seconds,
                exchange_id=exchange_id,
            )
