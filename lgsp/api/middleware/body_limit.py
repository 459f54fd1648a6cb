"""Refuse request bodies larger than the configured limit with 413, without reading them all."""

from __future__ import annotations

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lgsp.api.problems import BODY_TOO_LARGE, Problem, problem_response


class BodyLimitMiddleware:
    """Check `Content-Length` up front and count streamed bytes as they arrive."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # FastAPI re-raises HTTPException from body reading as is, so
                    # the problem handler answers 413 rather than a parse error.
                    raise HTTPException(status_code=413, detail=self._detail())
            return message

        await self.app(scope, counting_receive, send)

    def _detail(self) -> str:
        return too_large_detail(self.max_bytes)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        exchange_id = scope.get("state", {}).get("exchange_id")
        response = problem_response(
            Problem(BODY_TOO_LARGE, self._detail(), headers={"Connection": "close"}),
            exchange_id=exchange_id,
        )
        await response(scope, receive, send)


def too_large_detail(max_bytes: int) -> str:
    """The `detail` of a 413 for a body over `max_bytes`."""
    return f"the request body exceeds the limit of {max_bytes} bytes"


def declared_length(scope: Scope) -> int | None:
    """The request's `Content-Length`, or None when absent or not a number."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
