"""The benchmarks' provider: reads the POSTed body, answers a small JSON. Its own process.

    python -m bench.upstream --port 9000 [--processes 1]

aiohttp's low-level server on uvloop: no routing, nothing but the answer, so that the
upstream costs as little as possible of the cores everything else shares.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket

from aiohttp import web

ANSWER_PREFIX = b'{"ok":true,"provider":"bench-upstream","received_bytes":'


async def answer(request: web.BaseRequest) -> web.Response:
    """Read the whole body (as a real provider must) and say how many bytes arrived."""
    body = await request.read()
    return web.Response(
        body=ANSWER_PREFIX + str(len(body)).encode() + b"}", content_type="application/json"
    )


async def serve(sock: socket.socket) -> None:
    """Serve on an already bound socket until the process is stopped."""
    runner = web.ServerRunner(web.Server(answer), handle_signals=True, access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock, backlog=4096).start()
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def _socket(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Several processes may listen on the port, the kernel spreading connections among them.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(4096)
    sock.setblocking(False)
    return sock


def main() -> None:
    """Parse the arguments, fork the extra processes, serve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--processes", type=int, default=1)
    arguments = parser.parse_args()
    for _ in range(arguments.processes - 1):
        if os.fork() == 0:
            break  # a child serves; the parent forks the rest, then serves too
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        asyncio.run(serve(_socket(arguments.port)))
    else:
        uvloop.run(serve(_socket(arguments.port)))


if __name__ == "__main__":
    main()
