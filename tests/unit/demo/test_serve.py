"""One process, three providers: each connection goes to the provider of its port."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from lgsp.demo.providers.serve import ByPort, ProviderPorts, build_apps


def _get(app: ByPort, *, port: int, path: str) -> tuple[int, bytes]:
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")],
        "server": ("127.0.0.1", port),
        "client": ("127.0.0.1", 50000),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body


def test_each_port_serves_its_own_provider() -> None:
    ports = ProviderPorts(hue_s=1, stations=2, vessels=3)
    app = ByPort(build_apps(ports))
    assert _get(app, port=1, path="/reports")[0] == 200
    assert _get(app, port=1, path="/stations")[0] == 404
    assert _get(app, port=2, path="/stations")[0] == 200
    assert _get(app, port=3, path="/vessels")[0] == 200
    assert b"TTH-90123-TS" in _get(app, port=3, path="/vessels")[1]
    assert _get(app, port=2, path="/healthz") == (200, b'{"status":"ok"}')


def test_three_providers_need_three_ports() -> None:
    with pytest.raises(ValueError, match="three different ports"):
        build_apps(ProviderPorts(hue_s=1, stations=1, vessels=3))


def test_urls_name_each_provider() -> None:
    assert ProviderPorts().urls("127.0.0.1") == {
        "hue_s": "http://127.0.0.1:9101",
        "stations": "http://127.0.0.1:9102",
        "vessels": "http://127.0.0.1:9103",
    }
