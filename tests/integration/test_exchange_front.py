"""The exchange's own front door (`/x/...` as raw ASGI) gives the answers the middleware gives."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lgsp.api import exchange_front
from lgsp.app import create_app
from lgsp.bootstrap import Runtime
from lgsp.exchange.answer import Answer
from lgsp.exchange.inbound import Inbound
from lgsp.settings import Settings
from tests.integration.test_errors import CITIZEN_NUMBER, assert_problem

pytestmark = pytest.mark.storage

SERVICE = "/x/000.00.00.H57:HUE-S/phan-anh-hien-truong/v1"


async def _call(
    app: FastAPI, raw_path: bytes, *, method: str = "GET", messages: list[dict[str, object]]
) -> list[dict[str, object]]:
    """Drive `app` with this exact request target and these receive messages; what it sent."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": raw_path.decode("latin-1").split("?", 1)[0],
        "raw_path": raw_path.split(b"?", 1)[0],
        "query_string": raw_path.partition(b"?")[2],
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }
    pending = list(messages)
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


def _response(sent: list[dict[str, object]]) -> httpx.Response:
    start = sent[0]
    headers = [(bytes(k), bytes(v)) for k, v in start["headers"]]  # type: ignore[attr-defined]
    body = b"".join(bytes(m.get("body", b"")) for m in sent[1:])  # type: ignore[arg-type]
    return httpx.Response(int(start["status"]), headers=headers, content=body)  # type: ignore[call-overload]


@pytest.fixture
def small_app(settings: Settings, runtime: Runtime) -> FastAPI:
    runtime.settings = settings.model_copy(update={"max_body_bytes": 1024})
    return create_app(runtime)


@pytest.mark.parametrize(
    "raw_path",
    [
        f"{SERVICE}/a%2Fb".encode(),
        f"{SERVICE}//reports".encode(),
        f"{SERVICE}/%2e%2e/reports".encode(),
        f"{SERVICE}/reports?q=a b".encode(),
    ],
)
def test_a_bad_path_is_400_before_anything_else(app: FastAPI, raw_path: bytes) -> None:
    body = b'{"a": 1}'
    sent = asyncio.run(_call(app, raw_path, method="POST", messages=[_chunk(body)]))
    assert_problem(_response(sent), 400, "bad-path")


def test_an_unknown_method_is_405_naming_the_allowed_ones(client: TestClient) -> None:
    answer = client.request("TRACE", f"{SERVICE}/reports")
    body = assert_problem(answer, 405, "method-not-allowed")
    assert answer.headers["Allow"] == ", ".join(exchange_front.METHODS)
    assert body["instance"] == exchange_front.TEMPLATE


def test_a_declared_body_over_the_limit_is_413_and_closes(small_app: FastAPI) -> None:
    with TestClient(small_app) as client:
        answer = client.post(f"{SERVICE}/reports", content=b"x" * 2048)
    assert_problem(answer, 413, "body-too-large")
    assert answer.headers["Connection"] == "close"


def test_a_streamed_body_over_the_limit_is_413(small_app: FastAPI) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(8):
            yield b"y" * 300

    with TestClient(small_app) as client:
        answer = client.post(f"{SERVICE}/reports", content=chunks())
    assert_problem(answer, 413, "body-too-large")


def test_the_pipeline_gets_the_whole_body_and_the_raw_target(
    small_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Inbound] = []

    async def recording(call: Inbound, **_kwargs: object) -> Answer:
        seen.append(call)
        return Answer(status=204, headers=[(b"x-lgsp-exchange-id", b"-")], body=b"")

    def chunks() -> Iterator[bytes]:
        for n in range(3):
            yield bytes([65 + n]) * 300

    monkeypatch.setattr(exchange_front, "run", recording)
    with TestClient(small_app) as client:
        answer = client.post(
            f"{SERVICE}/reports?ma=1",
            content=chunks(),
            headers={"Authorization": "Bearer t", "Idempotency-Key": "k-1"},
        )
    assert answer.status_code == 204
    (call,) = seen
    assert call.body == b"A" * 300 + b"B" * 300 + b"C" * 300
    assert call.method == "POST"
    assert call.service_path == "/000.00.00.H57:HUE-S/phan-anh-hien-truong/v1/reports"
    assert call.query == "ma=1"
    assert call.authorization == "Bearer t"
    assert call.idempotency_key == "k-1"
    assert call.raw_target == b"/000.00.00.H57:HUE-S/phan-anh-hien-truong/v1/reports?ma=1"


def test_a_caller_gone_before_its_body_arrived_gets_nothing_and_is_counted(
    client: TestClient, app: FastAPI
) -> None:
    parts = [_chunk(b'{"a":', more=True)]  # then the client disconnects
    sent = asyncio.run(_call(app, f"{SERVICE}/reports".encode(), method="POST", messages=parts))
    assert sent == []
    metrics = client.get("/metrics").text
    assert 'route="/x/{service_path:path}",status="499"' in metrics


def test_an_unexpected_failure_is_a_500_without_its_trace(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError(f"database password=hunter2 citizen {CITIZEN_NUMBER}")

    monkeypatch.setattr(exchange_front, "run", broken)
    with caplog.at_level(logging.ERROR, logger="lgsp.exchange"):
        answer = client.post(f"{SERVICE}/reports", json={"a": 1})
    body = assert_problem(answer, 500, "internal")
    assert body["instance"] == exchange_front.TEMPLATE
    assert "hunter2" not in answer.text
    assert "RuntimeError" not in answer.text
    # The operator's log has the trace.
    assert any(record.exc_info for record in caplog.records)


def test_every_exchange_is_counted_and_logged_by_template_only(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="lgsp.access"):
        answer = client.get(f"{SERVICE}/citizens/{CITIZEN_NUMBER}")
    assert answer.status_code == 401
    lines = [r.getMessage() for r in caplog.records if r.name == "lgsp.access"]
    assert len(lines) == 1
    assert lines[0].startswith(f"GET {exchange_front.TEMPLATE} 401 ")
    assert answer.headers["X-LGSP-Exchange-Id"] in lines[0]
    assert CITIZEN_NUMBER not in lines[0]
    metrics = client.get("/metrics").text
    assert 'method="GET",route="/x/{service_path:path}",status="401"' in metrics


def test_paths_outside_x_still_go_through_the_framework(client: TestClient) -> None:
    # `/x` alone and look-alike prefixes are ordinary (unknown) routes.
    for path in ("/x", "/xy/a"):
        body = assert_problem(client.get(path), 404, "not-found")
        assert "instance" not in body


def _chunk(body: bytes, *, more: bool = False) -> dict[str, object]:
    return {"type": "http.request", "body": body, "more_body": more}
