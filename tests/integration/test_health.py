"""Liveness, readiness and metrics as an operator's probes see them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from lgsp.app import create_app
from lgsp.bootstrap import Runtime, build_runtime
from lgsp.settings import Settings

pytestmark = pytest.mark.storage


def test_healthz_is_ok(client: TestClient) -> None:
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}
    assert answer.headers["X-LGSP-Exchange-Id"]


def test_readyz_reports_database_and_migration(client: TestClient) -> None:
    answer = client.get("/readyz")
    assert answer.status_code == 200
    checks = answer.json()["checks"]
    assert checks["database"]["reachable"] is True
    assert checks["database"]["migrations_current"] is True
    assert checks["registry"]["loaded"] is True


def test_readyz_refuses_when_migrations_are_behind(runtime: Runtime) -> None:
    with runtime.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    with TestClient(create_app(runtime)) as client:
        answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["type"] == "urn:lgsp:problem:unavailable"
    assert body["checks"]["database"]["migrations_current"] is False


def test_readyz_refuses_when_the_database_is_gone(settings: Settings, runtime: Runtime) -> None:
    broken = settings.model_copy(
        update={"database_url": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    )
    other = build_runtime(broken)
    other.registry = runtime.registry  # the snapshot was loaded; only the database is gone
    with TestClient(create_app(other)) as client:
        answer = client.get("/readyz")
    assert answer.status_code == 503
    database = answer.json()["checks"]["database"]
    assert database["reachable"] is False
    assert "nobody" not in answer.text


def test_metrics_count_requests_by_route_template(client: TestClient) -> None:
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no/such/route/0123456789")
    text_format = client.get("/metrics").text
    assert 'lgsp_http_requests_total{method="GET",route="/healthz",status="200"} 2.0' in text_format
    assert 'route="<unmatched>",status="404"' in text_format
    assert "0123456789" not in text_format
    assert "lgsp_http_request_duration_seconds_bucket" in text_format
