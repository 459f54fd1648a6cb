"""Every error the exchange gives is RFC 9457 problem+json with a stable type and no trace."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lgsp.app import create_app
from lgsp.bootstrap import Runtime
from lgsp.settings import Settings

pytestmark = pytest.mark.storage

CITIZEN_NUMBER = "046201001234"


def assert_problem(answer: httpx.Response, status: int, slug: str) -> dict[str, object]:
    """The answer is a problem of this status and type, from the exchange, without a trace."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert isinstance(body, dict)
    assert body["type"] == f"urn:lgsp:problem:{slug}"
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert answer.headers["X-LGSP-Error"] == slug
    assert body["exchange_id"] == answer.headers["X-LGSP-Exchange-Id"]
    assert "Traceback" not in answer.text
    assert CITIZEN_NUMBER not in answer.text
    return body


@pytest.mark.parametrize(
    "raw_path", [b"/registry/members/%2F..%2F", b"/registry//members", b"/registry/./members"]
)
def test_400_bad_path(app: FastAPI, raw_path: bytes) -> None:
    # HTTP clients normalise dot-segments and slashes before sending, so the
    # request is handed to the application as the server would receive it.
    answer = asyncio.run(raw_get(app, raw_path))
    assert_problem(answer, 400, "bad-path")


async def raw_get(app: FastAPI, raw_path: bytes) -> httpx.Response:
    """GET with this exact request target, straight through ASGI."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": raw_path.decode("latin-1"),
        "raw_path": raw_path,
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = sent[0]
    headers = [(bytes(k), bytes(v)) for k, v in start["headers"]]  # type: ignore[attr-defined]
    body = b"".join(bytes(m.get("body", b"")) for m in sent[1:])  # type: ignore[arg-type]
    return httpx.Response(int(start["status"]), headers=headers, content=body)  # type: ignore[call-overload]


def test_401_without_token(client: TestClient) -> None:
    answer = client.get("/registry/members")
    assert_problem(answer, 401, "unauthenticated")
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_403_exchange_token_on_registry(client: TestClient, token_for: Callable[..., str]) -> None:
    token = token_for("exchange")
    answer = client.get("/registry/members", headers={"Authorization": f"Bearer {token}"})
    assert_problem(answer, 403, "forbidden")


def test_404_unknown_route_does_not_echo_the_path(client: TestClient) -> None:
    body = assert_problem(client.get(f"/nowhere/{CITIZEN_NUMBER}"), 404, "not-found")
    assert "instance" not in body


def test_405_wrong_method_names_the_allowed_ones(client: TestClient) -> None:
    answer = client.post("/healthz")
    assert_problem(answer, 405, "method-not-allowed")
    assert "GET" in answer.headers["Allow"]


def test_413_declared_body_too_large(settings: Settings, runtime: Runtime) -> None:
    runtime.settings = settings.model_copy(update={"max_body_bytes": 1024})
    with TestClient(create_app(runtime)) as client:
        answer = client.post("/oauth/token", content=b"x" * 2048)
    assert_problem(answer, 413, "body-too-large")


def test_413_streamed_body_too_large(settings: Settings, runtime: Runtime) -> None:
    runtime.settings = settings.model_copy(update={"max_body_bytes": 1024})

    def chunks() -> Iterator[bytes]:
        for _ in range(8):
            yield b"grant_type=client_credentials&" * 10

    with TestClient(create_app(runtime)) as client:
        answer = client.post(
            "/oauth/token",
            content=chunks(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert_problem(answer, 413, "body-too-large")


def test_415_token_endpoint_wants_a_form(client: TestClient) -> None:
    answer = client.post("/oauth/token", json={"grant_type": "client_credentials"})
    assert_problem(answer, 415, "unsupported-media-type")


def test_422_lists_every_failing_location(
    client: TestClient, token_for: Callable[..., str]
) -> None:
    token = token_for("admin")
    answer = client.post(
        "/registry/members",
        json={"code": "not-a-code", "name": 5},
        headers={"Authorization": f"Bearer {token}"},
    )
    body = assert_problem(answer, 422, "validation")
    errors = body["errors"]
    assert isinstance(errors, list)
    pointers = {e["pointer"] for e in errors}
    assert len(pointers) >= 2, errors
    assert all(p.startswith("/") for p in pointers)


def test_429_after_repeated_token_failures(settings: Settings, runtime: Runtime) -> None:
    runtime.settings = settings.model_copy(update={"token_failures_per_minute": 3})
    with TestClient(create_app(runtime)) as client:
        statuses = [
            client.post(
                "/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=("c_unknown", "wrong"),
            ).status_code
            for _ in range(5)
        ]
        last = client.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=("c_x", "y")
        )
    assert statuses[:3] == [401, 401, 401]
    assert_problem(last, 429, "rate-limited")
    assert int(last.headers["Retry-After"]) > 0


def test_500_hides_the_failure(app: FastAPI) -> None:
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError(f"database password=hunter2 citizen {CITIZEN_NUMBER}")

    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/boom")
    assert_problem(answer, 500, "internal")
    assert "hunter2" not in answer.text
    assert "RuntimeError" not in answer.text


def test_415_registry_writes_want_json(client: TestClient, token_for: Callable[..., str]) -> None:
    token = token_for("admin")
    answer = client.post(
        "/registry/members",
        content=b"code=000.00.01.H57&name=x",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert_problem(answer, 415, "unsupported-media-type")
    # The declarative load is the one registry write that takes YAML, not JSON.
    answer = client.post(
        "/registry/load", json={"version": 1}, headers={"Authorization": f"Bearer {token}"}
    )
    assert_problem(answer, 415, "unsupported-media-type")
