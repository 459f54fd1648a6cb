"""The front door of `/x/...`: the synchronous exchange served as raw ASGI, no framework.

Every exchange passes here, so this one layer does what the middleware stack does for
the other routes (exchange id, path hygiene, body limit, metrics, access log, a 500
problem for the unexpected) in a single pass over the request, then hands an `Inbound`
to the pipeline. Profiled, Starlette's middleware and request objects cost about a
fifth of the CPU of an exchange; this path gives the same answers without them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from uuid6 import uuid7

from lgsp.api.metrics import Metrics
from lgsp.api.middleware.body_limit import declared_length, too_large_detail
from lgsp.api.middleware.context import log_access
from lgsp.api.middleware.paths import request_defect
from lgsp.api.problems import BAD_PATH, BODY_TOO_LARGE, METHOD_NOT_ALLOWED, Problem, unexpected
from lgsp.exchange.answer import Answer
from lgsp.exchange.inbound import Inbound
from lgsp.exchange.pipeline import ExchangeServices, run

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

PREFIX = "/x/"
# The route label of every exchange in metrics, logs and problem `instance`s.
TEMPLATE = "/x/{service_path:path}"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
# nginx's convention for a request the client gave up on before its answer.
CLIENT_CLOSED = 499

log = logging.getLogger("lgsp.exchange")


class _TooLarge(Exception):
    pass


class _Disconnected(Exception):
    pass


class ExchangeFront:
    """An ASGI callable for `http` scopes whose path starts with `/x/`."""

    def __init__(self, services: ExchangeServices, *, metrics: Metrics, max_body_bytes: int):
        self._services = services
        self._metrics = metrics
        self._max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one exchange; the answer always carries `X-LGSP-Exchange-Id`."""
        started = time.perf_counter()
        exchange_id = str(uuid7())
        scope.setdefault("state", {})["exchange_id"] = exchange_id
        status = 500
        try:
            answer = await self._answer(scope, receive, exchange_id)
            if answer is None:
                status = CLIENT_CLOSED
                return
            status = answer.status
            await answer.send(send)
        finally:
            method = str(scope.get("method", ""))
            seconds = time.perf_counter() - started
            self._metrics.observe(method=method, route=TEMPLATE, status=status, seconds=seconds)
            log_access(
                method=method,
                route=TEMPLATE,
                status=status,
                seconds=seconds,
                exchange_id=exchange_id,
            )

    async def _answer(self, scope: Scope, receive: Receive, exchange_id: str) -> Answer | None:
        defect = request_defect(scope)
        if defect is not None:
            return Answer.of_problem(Problem(BAD_PATH, defect), exchange_id=exchange_id)
        if scope["method"] not in METHODS:
            allowed = ", ".join(METHODS)
            problem = Problem(
                METHOD_NOT_ALLOWED,
                f"the exchange takes {allowed}",
                headers={"Allow": allowed},
            )
            return Answer.of_problem(problem, instance=TEMPLATE, exchange_id=exchange_id)
        try:
            body = await self._body(scope, receive)
        except _TooLarge:
            # The rest of the body stays unread, so the connection cannot carry another call.
            problem = Problem(
                BODY_TOO_LARGE,
                too_large_detail(self._max_body_bytes),
                headers={"Connection": "close"},
            )
            return Answer.of_problem(problem, exchange_id=exchange_id)
        except _Disconnected:
            return None
        try:
            return await run(
                Inbound.of(scope, body=body, exchange_id=exchange_id), services=self._services
            )
        except Exception:
            # The trace goes to the operator's log, never to the caller.
            log.exception("unhandled error in an exchange")
            return Answer.of_problem(unexpected(), instance=TEMPLATE, exchange_id=exchange_id)

    async def _body(self, scope: Scope, receive: Receive) -> bytes:
        limit = self._max_body_bytes
        declared = declared_length(scope)
        if declared is not None and declared > limit:
            raise _TooLarge
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)
