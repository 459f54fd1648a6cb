"""The exchange forwarding to NDXP through the `ndxp` adapter, against a real loopback platform.

The whole application (authentication, registry, audit) runs in a TestClient; the national
platform is the client tests' loopback server, on its own event loop in a thread. The
`ndxp` factory is put next to the discovered ones, as `lgsp` does once the entry point is
installed.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from adapters.discovery import discover
from adapters.ndxp import NdxpAdapterFactory
from lgsp.app import create_app
from lgsp.bootstrap import Runtime
from lgsp.exchange.providers import Providers
from ndxp_client import protocol
from registry.loader import load
from tests.unit.ndxp_client.national import (
    CITIZEN_SERVICE,
    CLIENT,
    HMAC_SECRET,
    HMAC_SYSTEM,
    NationalServer,
    Scripted,
    closed_port,
    national_server,
)

HUE = "000.00.00.H57"
NATIONAL = "000.00.00.G06"
LOOKUP = f"{NATIONAL}:CSDLQGDC/tra-cuu-cong-dan/v1"
SLOW = f"{NATIONAL}:CSDLQGDC/tra-cuu-cham/v1"
DOWN = f"{NATIONAL}:CSDLQGDC/tra-cuu-dung/v1"
SECRET_ENV = "NDXP_HMAC_SECRET"
BODY = b'{"SoDinhDanh": "001099012345"}'


@contextlib.contextmanager
def national_in_thread(**settings: object) -> Iterator[NationalServer]:
    """A `national_server` serving from its own event loop in a thread."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="national", daemon=True)
    thread.start()
    manager = national_server(**settings)
    try:
        yield asyncio.run_coroutine_threadsafe(manager.__aenter__(), loop).result(5)
    finally:
        asyncio.run_coroutine_threadsafe(manager.__aexit__(None, None, None), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


def _options(base_url: str) -> dict[str, object]:
    return {
        "base_url": base_url,
        "client": CLIENT,
        "service": CITIZEN_SERVICE,
        "auth": {"scheme": "hmac", "system": HMAC_SYSTEM, "secret_env": SECRET_ENV},
    }


def _registry(national_url: str, closed_url: str) -> dict[str, object]:
    def service(service_id: str, base_url: str, timeout: float) -> dict[str, object]:
        return {
            "id": service_id,
            "name": "Tra cứu công dân (NDXP)",
            "adapter": "ndxp",
            "adapter_options": _options(base_url),
            "timeout_seconds": timeout,
        }

    return {
        "version": 1,
        "members": [
            {"code": HUE, "name": "Ủy ban nhân dân tỉnh Thừa Thiên Huế"},
            {"code": NATIONAL, "name": "Cơ sở dữ liệu quốc gia về dân cư (placeholder)"},
        ],
        "systems": [
            {"id": f"{HUE}:MOT-CUA", "name": "Một cửa điện tử"},
            {"id": f"{NATIONAL}:CSDLQGDC", "name": "CSDLQG dân cư"},
        ],
        "services": [
            service(LOOKUP, national_url, 5),
            service(SLOW, national_url, 0.5),
            service(DOWN, closed_url, 2),
        ],
        "access_rules": [
            {
                "client_system_id": f"{HUE}:MOT-CUA",
                "service_id": service_id,
                "method": "*",
                "path_template": "*",
            }
            for service_id in (LOOKUP, SLOW, DOWN)
        ],
        "credentials": [
            {"client_id": "mot-cua", "system_id": f"{HUE}:MOT-CUA", "scopes": ["exchange"]}
        ],
    }


@dataclass
class Province:
    """The running exchange, the national platform behind it, and the caller's token."""

    client: TestClient
    national: NationalServer
    token: str

    def post(self, service_id: str, path: str = "", **headers: str) -> httpx.Response:
        """POST the look-up body to `service_id` through the exchange."""
        return self.client.post(
            f"/x/{service_id}{path}",
            content=BODY,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json",
                **headers,
            },
        )


@pytest.fixture
def province(runtime: Runtime) -> Iterator[Province]:
    """An exchange whose NDXP services point at a loopback platform."""
    factory = NdxpAdapterFactory(environ={SECRET_ENV: HMAC_SECRET.decode()})
    runtime.providers = Providers({**discover(), "ndxp": factory})
    with national_in_thread(scheme="hmac") as national, closed_port() as port:
        with Session(runtime.engine) as session, session.begin():
            report = load(
                session,
                _registry(national.url, f"http://127.0.0.1:{port}"),
                actor="test",
                hasher=runtime.hasher,
            )
        secret = report.secrets["mot-cua"]
        with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
            answer = client.post(
                "/oauth/token", data={"grant_type": "client_credentials"}, auth=("mot-cua", secret)
            )
            assert answer.status_code == 200, answer.text
            yield Province(client, national, answer.json()["access_token"])


def test_a_call_reaches_ndxp_with_the_exchange_id_as_message_id(province: Province) -> None:
    answer = province.post(LOOKUP, "/chi-tiet?x=1", **{"X-Road-UserId": "can-bo-17"})
    assert answer.status_code == 200, answer.text
    assert answer.content == b'{"ok": true}'
    exchange_id = answer.headers["X-LGSP-Exchange-Id"]
    (seen,) = province.national.seen
    assert seen.target == f"/r1/{CITIZEN_SERVICE}/chi-tiet?x=1"
    assert seen.values(protocol.MESSAGE_ID) == [exchange_id]
    assert seen.values(protocol.IDEMPOTENCY_KEY) == [exchange_id]
    assert seen.values(protocol.CLIENT) == [CLIENT]
    assert seen.values(protocol.USER_ID) == ["can-bo-17"]
    assert seen.body == BODY
    # The caller's token for the exchange never reaches NDXP; our signature does.
    assert seen.values("Authorization") == []
    assert seen.header(protocol.HMAC_SIGNATURE)
    assert answer.headers[protocol.MESSAGE_ID] == exchange_id


def test_ndxp_refusals_and_service_errors_reach_the_caller_once(province: Province) -> None:
    province.national.answer_next(
        Scripted(status=409, error=protocol.ERROR_DUPLICATE_MESSAGE_ID),
        Scripted(status=503, body=b"busy", headers=(("Retry-After", "1"),)),
    )
    refused = province.post(LOOKUP)
    assert refused.status_code == 409
    assert refused.headers[protocol.ERROR] == protocol.ERROR_DUPLICATE_MESSAGE_ID
    assert refused.json()["type"] == protocol.ERROR_DUPLICATE_MESSAGE_ID
    busy = province.post(LOOKUP)
    assert (busy.status_code, busy.content) == (503, b"busy")
    assert len(province.national.seen) == 2, "a POST is sent once by the synchronous exchange"


def test_a_slow_or_unreachable_ndxp_is_504_or_502(province: Province) -> None:
    province.national.answer_next(Scripted(delay=2.0))
    slow = province.post(SLOW)
    assert slow.status_code == 504
    assert slow.headers["content-type"] == "application/problem+json"
    down = province.post(DOWN)
    assert down.status_code == 502
    assert down.json()["type"].endswith("upstream-unavailable")
