"""Dropping a connection without an answer, as a failing network or proxy would.

ASGI has no way to say "close the socket without answering", so the outermost
layer (`ConnectionAccess`) finds the server's transport and hands its `abort`
to the handlers through the scope. This works under uvicorn (which the CLI and
the tests use): the `send` it gives the application is a method of the
request's cycle object, which holds the connection's transport. Under a server
without that, a drop raises `DropUnsupported` out of the application instead,
which such a server turns into an error of its own.
"""

from __future__ import annotations

import asyncio
from typing import Final

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

ABORT: Final = "ndxp.simulator.abort"


class DropUnsupported(RuntimeError):
    """The server running the simulator does not expose its transport."""


class ConnectionAccess:
    """Outermost ASGI layer: puts the connection's `abort` into the scope's extensions."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, with `scope["extensions"][ABORT]` when the transport is known."""
        if scope["type"] == "http":
            transport = getattr(getattr(send, "__self__", None), "transport", None)
            # Duck-typed: uvloop's transports are not asyncio.Transport subclasses.
            abort = getattr(transport, "abort", None)
            if callable(abort):
                extensions = dict(scope.get("extensions") or {})
                extensions[ABORT] = abort
                scope = {**scope, "extensions": extensions}
        await self.app(scope, receive, send)


async def drop(request: Request) -> None:
    """Close the request's TCP connection at once, unanswered."""
    abort = (request.scope.get("extensions") or {}).get(ABORT)
    if abort is None:
        raise DropUnsupported("this server does not let the simulator drop connections")
    abort()
    # Let the server see the connection is lost before anything tries to answer on it.
    for _ in range(3):
        await asyncio.sleep(0)
