"""The reference: a bare passthrough as one raw ASGI callable, forwarding with aiohttp.

    uvicorn bench.reference:app  (BENCH_UPSTREAM_URL=http://127.0.0.1:PORT)

No framework, no validation, no audit: the body is read, POSTed to the same path on the
upstream with one pooled aiohttp session per worker (pool sized as the exchange's REST
adapter: 100 connections, 15 s keep-alive), and the answer relayed. What the exchange does
on top of this is what the benchmark measures.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import aiohttp

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

UPSTREAM_ENV = "BENCH_UPSTREAM_URL"
_HEALTH = b'{"ok":true}'


class Passthrough:
    """The ASGI application: `GET /healthz` answers locally, everything else is forwarded."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._upstream = os.environ.get(UPSTREAM_ENV, "").rstrip("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection scope."""
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                # The session belongs to the worker's event loop: created here, not at import.
                connector = aiohttp.TCPConnector(limit=100, keepalive_timeout=15.0)
                self._session = aiohttp.ClientSession(connector=connector)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._session is not None:
                    await self._session.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] == "/healthz":
            await _answer(send, 200, b"application/json", _HEALTH)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        assert self._session is not None, "the lifespan did not start"
        target = self._upstream + scope["raw_path"].decode("latin-1")
        if scope["query_string"]:
            target += "?" + scope["query_string"].decode("latin-1")
        content_type = next(
            (v for k, v in scope["headers"] if k == b"content-type"), b"application/octet-stream"
        )
        try:
            async with self._session.request(
                scope["method"],
                target,
                data=b"".join(chunks),
                headers={"Content-Type": content_type.decode("latin-1")},
            ) as upstream:
                body = await upstream.read()
                await _answer(
                    send,
                    upstream.status,
                    upstream.headers.get("Content-Type", "application/json").encode("latin-1"),
                    body,
                )
        except aiohttp.ClientError:
            await _answer(send, 502, b"text/plain", b"upstream unavailable")


async def _answer(send: Send, status: int, content_type: bytes, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


app = Passthrough()


def uvicorn_command(*, port: int, workers: int) -> list[str]:
    """The reference under uvicorn on 127.0.0.1:`port`, with `lgsp up`'s serving defaults."""
    return [
        *(sys.executable, "-m", "uvicorn", "bench.reference:app"),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
        *("--no-access-log", "--no-server-header", "--no-proxy-headers"),
        *("--log-level", "warning", "--lifespan", "on"),
    ]
