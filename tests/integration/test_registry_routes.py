"""The admin API under /registry, through the real application and real access tokens."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from lgsp.bootstrap import Runtime
from registry import members, systems
from tests import factories as f
from tests.factories import EXAMPLE_FILE, HUE, IOC, REPORTS, transaction
from tests.integration.conftest import registry_token

pytestmark = pytest.mark.storage

YAML = {"Content-Type": "application/yaml"}
PROBLEM = "application/problem+json"


def _ok(answer: Any, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json() if answer.content else None


def _problem(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    body = answer.json()
    assert isinstance(body, dict)
    return body


def test_an_admin_manages_the_registry(
    client: TestClient, admin: dict[str, str], runtime: Runtime
) -> None:
    answer = client.post("/registry/members", json={"code": HUE, "name": "Huế"}, headers=admin)
    assert _ok(answer, 201)["code"] == HUE
    assert answer.headers["location"] == f"/registry/members/{HUE}"
    _ok(client.patch(f"/registry/members/{HUE}", json={"name": "T.T. Huế"}, headers=admin))
    assert _ok(client.get(f"/registry/members/{HUE}", headers=admin))["name"] == "T.T. Huế"
    for system_id in (IOC, f.HUE_S):
        _ok(
            client.post("/registry/systems", json={"id": system_id, "name": "x"}, headers=admin),
            201,
        )
    listed = _ok(client.get("/registry/systems", params={"member": HUE}, headers=admin))
    assert [s["id"] for s in listed] == [f.HUE_S, IOC]
    service = {"id": REPORTS, "name": "Phản ánh", "adapter": "rest", "timeout_seconds": 5}
    answer = client.post("/registry/services", json=service, headers=admin)
    assert _ok(answer, 201)["version"] == 1
    assert answer.headers["location"] == f"/registry/services/{REPORTS}"
    _ok(client.get(answer.headers["location"], headers=admin))
    patched = _ok(
        client.patch(
            f"/registry/services/{REPORTS}",
            json={"adapter_options": {"base_url": "http://p"}},
            headers=admin,
        )
    )
    assert patched["adapter_options"] == {"base_url": "http://p"}
    rule = {"client_system_id": IOC, "service_id": REPORTS, "method": "get", "path_template": "*"}
    answer = client.post("/registry/access-rules", json=rule, headers=admin)
    created_rule = _ok(answer, 201)
    assert created_rule["method"] == "GET"
    assert answer.headers["location"] == f"/registry/access-rules/{created_rule['id']}"
    _problem(client.post("/registry/access-rules", json=rule, headers=admin), 409)

    # A credential's secret is in the issuing answer only, and works at once on this node.
    answer = client.post(
        "/registry/credentials",
        json={"system_id": IOC, "scopes": ["exchange"], "description": "IOC"},
        headers=admin,
    )
    issued = _ok(answer, 201)
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["location"] == f"/registry/credentials/{issued['client_id']}"
    shown = _ok(client.get(answer.headers["location"], headers=admin))
    assert "client_secret" not in shown
    assert issued["client_secret"] not in str(shown)
    token = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(issued["client_id"], issued["client_secret"]),
    )
    assert token.status_code == 200, token.text
    revoked = _ok(client.delete(answer.headers["location"], headers=admin))
    assert revoked["revoked_at"] is not None
    assert runtime.registry.snapshot.credential(issued["client_id"]).revoked  # type: ignore[union-attr]

    # Deleting what is still referenced is refused; in order, it works.
    body = _problem(client.delete(f"/registry/systems/{f.HUE_S}", headers=admin), 409)
    assert "service" in body["detail"]
    _ok(client.delete(f"/registry/access-rules/{created_rule['id']}", headers=admin), 204)
    _ok(client.delete(f"/registry/services/{REPORTS}", headers=admin), 204)
    _ok(client.delete(f"/registry/systems/{f.HUE_S}", headers=admin), 204)
    _problem(client.get(f"/registry/systems/{f.HUE_S}", headers=admin), 404)
    _problem(client.get("/registry/access-rules/99999", headers=admin), 404)

    # Every change is in the history, with who made it and the before and after.
    history = _ok(
        client.get("/registry/changes", params={"entity": "member", "key": HUE}, headers=admin)
    )
    assert [c["action"] for c in history["items"]] == ["create", "update"]
    update = history["items"][1]
    assert (update["before"]["name"], update["after"]["name"]) == ("Huế", "T.T. Huế")
    assert update["actor"].startswith("client:")
    service_history = _ok(
        client.get("/registry/changes", params={"entity": "service", "key": REPORTS}, headers=admin)
    )
    assert [c["action"] for c in service_history["items"]] == ["create", "update", "delete"]
    assert service_history["items"][2]["after"] is None


def test_the_history_pages_with_a_cursor_and_filters_by_time(
    client: TestClient, admin: dict[str, str], runtime: Runtime
) -> None:
    with transaction(runtime.engine) as session:
        f.service(session)
    first = _ok(client.get("/registry/changes", params={"limit": 2}, headers=admin))
    assert len(first["items"]) == 2
    second = _ok(
        client.get(
            "/registry/changes",
            params={"limit": 2, "cursor": first["next_cursor"]},
            headers=admin,
        )
    )
    assert second["items"][0]["id"] > first["items"][-1]["id"]
    one = _ok(client.get(f"/registry/changes/{second['items'][0]['id']}", headers=admin))
    assert one == second["items"][0]
    since = quote(second["items"][0]["at"])
    later = _ok(client.get(f"/registry/changes?since={since}&limit=1000", headers=admin))
    assert all(c["at"] >= second["items"][0]["at"] for c in later["items"])
    assert later["items"][0]["id"] <= second["items"][0]["id"]
    _problem(client.get("/registry/changes", params={"cursor": "x"}, headers=admin), 422)
    _problem(client.get("/registry/changes", params={"entity": "nope"}, headers=admin), 422)


def test_bad_bodies_are_422_problems_with_pointers(
    client: TestClient, admin: dict[str, str]
) -> None:
    body = _problem(
        client.post("/registry/members", json={"code": "000.00.00.h57", "name": ""}, headers=admin),
        422,
    )
    assert {e["pointer"] for e in body["errors"]} == {"/code", "/name"}
    body = _problem(
        client.post(
            "/registry/systems", json={"id": "000.00.00.H49:X", "name": "x"}, headers=admin
        ),
        422,
    )
    assert body["errors"][0]["pointer"] == "/id"


def test_loading_the_same_file_twice_through_the_api_gives_the_same_state(
    client: TestClient, admin: dict[str, str]
) -> None:
    document = EXAMPLE_FILE.read_bytes()
    first = client.post("/registry/load", content=document, headers={**admin, **YAML})
    report = _ok(first)
    assert first.headers["cache-control"] == "no-store"
    assert set(report["secrets"]) == {"ioc-dashboard", "hue-s-backend"}
    assert report["counts"]["access_rule"]["created"] == 3

    def state() -> list[Any]:
        return [
            _ok(client.get(f"/registry/{kind}", headers=admin))
            for kind in ("members", "systems", "services", "access-rules", "credentials")
        ]

    before = state()
    changes_before = _ok(client.get("/registry/changes?limit=1000", headers=admin))["items"]
    again = _ok(client.post("/registry/load", content=document, headers={**admin, **YAML}))
    assert again["actions"] == []
    assert again["secrets"] == {}
    assert state() == before
    assert _ok(client.get("/registry/changes?limit=1000", headers=admin))["items"] == (
        changes_before
    )


def test_load_takes_yaml_only_and_reports_every_problem(
    client: TestClient, admin: dict[str, str]
) -> None:
    document = EXAMPLE_FILE.read_bytes()
    _problem(
        client.post(
            "/registry/load",
            content=document,
            headers={**admin, "Content-Type": "application/json"},
        ),
        415,
    )
    _problem(client.post("/registry/load", content=document, headers=admin), 415)
    bad = b"version: 1\nsystems:\n  - {id: '000.00.00.H57:X', name: x}\n  - {id: nope, name: y}\n"
    body = _problem(client.post("/registry/load", content=bad, headers={**admin, **YAML}), 422)
    assert {e["pointer"] for e in body["errors"]} == {"/systems/1/id", "/systems/0/id"}


def test_only_admins_may_use_the_registry_api(client: TestClient, runtime: Runtime) -> None:
    exchange_only = {
        "Authorization": f"Bearer {registry_token(runtime, ['exchange'], system_id=IOC)}"
    }
    load = EXAMPLE_FILE.read_bytes()
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/registry/members", {}),
        ("POST", "/registry/members", {"json": {"code": HUE, "name": "x"}}),
        ("GET", f"/registry/services/{REPORTS}", {}),
        ("DELETE", f"/registry/systems/{IOC}", {}),
        ("GET", "/registry/changes", {}),
        ("POST", "/registry/load", {"content": load}),
    ]
    for method, url, extra in requests:
        refused = client.request(method, url, headers={**YAML, **exchange_only}, **extra)
        assert _problem(refused, 403)["type"] == "urn:lgsp:problem:forbidden"
        anonymous = client.request(method, url, headers=YAML, **extra)
        assert _problem(anonymous, 401)["type"] == "urn:lgsp:problem:unauthenticated"
    # Nothing was written by the refused requests.
    with transaction(runtime.engine) as session:
        # Only the exchange client's own member and system exist.
        assert [m.code for m in members.list_all(session=session)] == [HUE]
        assert [s.id for s in systems.list_all(session=session)] == [IOC]


def test_a_service_naming_a_schema_the_catalogue_lacks_is_a_422_at_its_field(
    runtime: Runtime, client: TestClient, admin: dict[str, str]
) -> None:
    _ok(client.post("/registry/members", json={"code": HUE, "name": "Huế"}, headers=admin), 201)
    _ok(client.post("/registry/systems", json={"id": f.HUE_S, "name": "x"}, headers=admin), 201)
    service = {
        "id": REPORTS,
        "name": "Phản ánh",
        "adapter": "rest",
        "request_schema": "phan-anh-hien-truong/v2",
    }
    body = _problem(client.post("/registry/services", json=service, headers=admin), 422)
    assert body["errors"] == [
        {
            "pointer": "/request_schema",
            "detail": "no schema phan-anh-hien-truong/v2 is in the catalogue",
        }
    ]
    service["request_schema"] = "phan-anh-hien-truong/v1"
    _ok(client.post("/registry/services", json=service, headers=admin), 201)
    body = _problem(
        client.patch(
            f"/registry/services/{REPORTS}",
            json={"response_schema": "khong-co/v1"},
            headers=admin,
        ),
        422,
    )
    assert [e["pointer"] for e in body["errors"]] == ["/response_schema"]
    stored = _ok(client.get(f"/registry/services/{REPORTS}", headers=admin))
    assert stored["request_schema"] == "phan-anh-hien-truong/v1"
    assert stored["response_schema"] is None
