"""Serving the three demo providers from one process, each on a port of its own.

One uvicorn server listens on the three sockets and hands each connection to the provider of
the port it arrived on. One server rather than three, because uvicorn's signal handling is per
server: three in one event loop would each replace the others' handlers, and Ctrl-C would stop
only one of them.
"""

from __future__ import annotations

import socket
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette

from lgsp.demo.providers import hue_s, stations, vessels

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

DEFAULT_HUE_S_PORT = 9101
DEFAULT_STATIONS_PORT = 9102
DEFAULT_VESSELS_PORT = 9103


@dataclass(frozen=True, slots=True)
class ProviderPorts:
    """Where each demo provider listens."""

    hue_s: int = DEFAULT_HUE_S_PORT
    stations: int = DEFAULT_STATIONS_PORT
    vessels: int = DEFAULT_VESSELS_PORT

    def urls(self, host: str) -> dict[str, str]:
        """Each provider's base URL, by name."""
        return {
            "hue_s": f"http://{host}:{self.hue_s}",
            "stations": f"http://{host}:{self.stations}",
            "vessels": f"http://{host}:{self.vessels}",
        }


class ByPort:
    """An ASGI application that serves each listening port with its own application."""

    def __init__(self, apps: Mapping[int, Starlette]) -> None:
        self._apps = dict(apps)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Dispatch on the local port the connection arrived on."""
        if scope["type"] != "http":
            return  # lifespan is off and nothing here speaks WebSocket
        _host, port = scope["server"]
        await self._apps[int(port)](scope, receive, send)


def build_apps(ports: ProviderPorts) -> dict[int, Starlette]:
    """A freshly seeded provider for each port."""
    if len({ports.hue_s, ports.stations, ports.vessels}) != 3:
        raise ValueError("the three demo providers need three different ports")
    return {
        ports.hue_s: hue_s.create_app(),
        ports.stations: stations.create_app(),
        ports.vessels: vessels.create_app(),
    }


def _listen(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def serve_providers(*, host: str, ports: ProviderPorts) -> None:
    """Serve the three providers until interrupted (SIGINT or SIGTERM)."""
    import uvicorn

    apps = build_apps(ports)
    sockets: list[socket.socket] = []
    try:
        for port in apps:
            sockets.append(_listen(host, port))
        config = uvicorn.Config(
            ByPort(apps),
            lifespan="off",
            # The access log would print paths and queries; nothing personal goes to logs.
            access_log=False,
            log_level="warning",
            server_header=False,
        )
        uvicorn.Server(config).run(sockets=sockets)
    finally:
        for sock in sockets:
            sock.close()
