"""The synchronous exchange end to end: `lgsp up`, a real provider, real HTTP, the audit log.

One exchange and one provider are started for the module; each test adds
what it needs to the registry through the admin API, as an operator would.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

from tests.support.servers import (
    RecordingProvider,
    StartedExchange,
    free_port,
    run_exchange,
    serve_provider,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

LGSP_AUDIT = str(Path(sys.executable).with_name("lgsp-audit"))
HUE = "000.00.00.H57"
REPORTS = f"{HUE}:HUE-S/phan-anh-hien-truong/v1"
DOWN = f"{HUE}:HUE-S/luu-tru/v1"
SLOW = f"{HUE}:HUE-S/cham/v1"
BROKEN = f"{HUE}:HUE-S/cau-hinh-sai/v1"
EXAMPLES = Path(__file__).parents[2] / "schemas/json/phan-anh-hien-truong/v1.examples.json"


@dataclass
class Province:
    """The started exchange, its provider, and tokens of the registered clients."""

    exchange: StartedExchange
    provider: RecordingProvider
    ioc: str
    hue_s: str
    auditor: str

    def call(self, method: str, path: str, *, token: str, **kwargs: object) -> httpx.Response:
        """Call the exchange with a bearer token."""
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}  # type: ignore[dict-item]
        return httpx.request(
            method, f"{self.exchange.url}{path}", headers=headers, timeout=10, **kwargs
        )  # type: ignore[arg-type]

    def entries(self, exchange_id: str) -> list[dict[str, object]]:
        """The audit entries of one exchange, as an auditor reads them."""
        answer = self.call("GET", f"/audit/entries?exchange_id={exchange_id}", token=self.auditor)
        assert answer.status_code == 200, answer.text
        entries = answer.json()["entries"]
        assert isinstance(entries, list)
        return entries


def _token(url: str, client_id: str, secret: str) -> str:
    answer = httpx.post(
        f"{url}/oauth/token", auth=(client_id, secret), data={"grant_type": "client_credentials"}
    )
    assert answer.status_code == 200, answer.text
    token = answer.json()["access_token"]
    assert isinstance(token, str)
    return token


def _registry(provider_url: str) -> str:
    closed_port = free_port()
    document = {
        "version": 1,
        "members": [{"code": HUE, "name": "Ủy ban nhân dân tỉnh Thừa Thiên Huế"}],
        "systems": [
            {"id": f"{HUE}:HUE-S", "name": "Hue-S"},
            {"id": f"{HUE}:IOC", "name": "IOC"},
        ],
        "services": [
            {
                "id": REPORTS,
                "name": "Phản ánh hiện trường",
                "adapter": "rest",
                "adapter_options": {"base_url": f"{provider_url}/api"},
                "request_schema": "phan-anh-hien-truong/v1",
                "timeout_seconds": 5,
            },
            {
                "id": DOWN,
                "name": "Lưu trữ (down)",
                "adapter": "rest",
                "adapter_options": {"base_url": f"http://127.0.0.1:{closed_port}"},
                "timeout_seconds": 2,
            },
            {
                "id": BROKEN,
                "name": "Cấu hình sai",
                "adapter": "rest",
                "adapter_options": {"base_url": "not a url", "unknown": 1},
                "timeout_seconds": 2,
            },
            {
                "id": SLOW,
                "name": "Chậm",
                "adapter": "rest",
                "adapter_options": {"base_url": provider_url},
                "timeout_seconds": 0.5,
            },
        ],
        "access_rules": [
            {
                "client_system_id": f"{HUE}:IOC",
                "service_id": BROKEN,
                "method": "*",
                "path_template": "*",
            },
            {
                "client_system_id": f"{HUE}:IOC",
                "service_id": REPORTS,
                "method": "GET",
                "path_template": "/reports/{id}",
            },
            {
                "client_system_id": f"{HUE}:IOC",
                "service_id": REPORTS,
                "method": "POST",
                "path_template": "/reports",
            },
            {
                "client_system_id": f"{HUE}:IOC",
                "service_id": DOWN,
                "method": "*",
                "path_template": "*",
            },
            {
                "client_system_id": f"{HUE}:IOC",
                "service_id": SLOW,
                "method": "GET",
                "path_template": "/slow",
            },
        ],
        "credentials": [
            {"client_id": "ioc-dashboard", "system_id": f"{HUE}:IOC", "scopes": ["exchange"]},
            {"client_id": "hue-s-backend", "system_id": f"{HUE}:HUE-S", "scopes": ["exchange"]},
            {"client_id": "thanh-tra", "system_id": f"{HUE}:IOC", "scopes": ["auditor"]},
        ],
    }
    return yaml.safe_dump(document, allow_unicode=True)


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Province]:
    """A started exchange with a registry loaded over the admin API, and a live provider."""
    provider = RecordingProvider(slow_seconds=3.0)
    data_dir = tmp_path_factory.mktemp("exchange") / "var"
    with serve_provider(provider), run_exchange(data_dir) as exchange:
        admin = json.loads((data_dir / "admin-credential.json").read_text())
        admin_token = _token(exchange.url, admin["client_id"], admin["client_secret"])
        loaded = httpx.post(
            f"{exchange.url}/registry/load",
            content=_registry(provider.url).encode("utf-8"),
            headers={"Authorization": f"Bearer {admin_token}", "Content-Type": "application/yaml"},
        )
        assert loaded.status_code == 200, loaded.text
        secrets = loaded.json()["secrets"]
        yield Province(
            exchange=exchange,
            provider=provider,
            ioc=_token(exchange.url, "ioc-dashboard", secrets["ioc-dashboard"]),
            hue_s=_token(exchange.url, "hue-s-backend", secrets["hue-s-backend"]),
            auditor=_token(exchange.url, "thanh-tra", secrets["thanh-tra"]),
        )


def _kinds(entries: list[dict[str, object]]) -> list[object]:
    return [e["kind"] for e in entries]


def test_the_provider_receives_exactly_what_was_sent(province: Province) -> None:
    report = json.loads(EXAMPLES.read_text(encoding="utf-8"))["valid"][0]
    # Odd spacing and key order on purpose: the provider must get these bytes, not a re-encoding.
    body = json.dumps(report, ensure_ascii=False, indent=1).encode("utf-8")
    before = len(province.provider.received)
    answer = province.call(
        "POST",
        f"/x/{REPORTS}/reports?lang=vi&q=%C4%91",
        token=province.ioc,
        content=body,
        headers={"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": "k-1"},
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["echo_bytes"] == len(body)
    assert answer.headers["X-Provider"] == "recording"
    exchange_id = answer.headers["X-LGSP-Exchange-Id"]
    request_hash = answer.headers["X-LGSP-Request-Hash"]

    (seen,) = province.provider.received[before:]
    assert seen.method == "POST"
    assert seen.raw_path == b"/api/reports"
    assert seen.query == b"lang=vi&q=%C4%91"
    assert seen.body == body
    assert seen.header("authorization") is None
    assert seen.header("idempotency-key") == "k-1"
    assert seen.header("x-lgsp-exchange-id") == exchange_id
    assert seen.header("x-lgsp-client") == f"{HUE}:IOC"

    entries = province.entries(exchange_id)
    assert _kinds(entries) == ["request", "outcome"]
    request_entry, outcome = entries
    assert request_entry["entry_hash"] == request_hash
    assert request_entry["route_template"] == "/reports"
    assert outcome["status"] == 201
    signed = json.loads(__import__("base64").b64decode(str(request_entry["entry_bytes"])))
    # Digests only: neither the body nor the query nor the reporter's name is in the log.
    assert "Nguyễn" not in json.dumps(signed, ensure_ascii=False)
    assert "lang=vi" not in json.dumps(signed)
    assert signed["request_digest"].startswith("sha256:")


def test_get_with_a_path_parameter_is_forwarded_and_logged_by_template(province: Province) -> None:
    answer = province.call("GET", f"/x/{REPORTS}/reports/046201001234", token=province.ioc)
    assert answer.status_code == 200
    seen = province.provider.received[-1]
    assert seen.raw_path == b"/api/reports/046201001234"
    entries = province.entries(answer.headers["X-LGSP-Exchange-Id"])
    assert [e["route_template"] for e in entries] == ["/reports/{id}", "/reports/{id}"]
    assert "046201001234" not in json.dumps(entries)


def test_a_caller_without_a_rule_gets_403_and_the_provider_sees_nothing(
    province: Province,
) -> None:
    before = len(province.provider.received)
    answer = province.call("GET", f"/x/{REPORTS}/reports/1", token=province.hue_s)
    assert answer.status_code == 403
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["X-LGSP-Error"] == "forbidden"
    assert len(province.provider.received) == before
    entries = province.entries(answer.headers["X-LGSP-Exchange-Id"])
    assert _kinds(entries) == ["refusal"]
    assert entries[0]["reason"] == "forbidden"
    assert entries[0]["client_system_id"] == f"{HUE}:HUE-S"


def test_an_invalid_payload_gets_422_naming_every_failing_location(province: Province) -> None:
    examples = json.loads(EXAMPLES.read_text(encoding="utf-8"))["invalid"]
    case = max(examples, key=lambda c: len(c["failing"]))
    before = len(province.provider.received)
    answer = province.call(
        "POST", f"/x/{REPORTS}/reports", token=province.ioc, json=case["instance"]
    )
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["type"] == "urn:lgsp:problem:validation"
    pointers = {e["pointer"] for e in problem["errors"]}
    assert pointers == set(case["failing"])
    assert len(province.provider.received) == before
    entries = province.entries(answer.headers["X-LGSP-Exchange-Id"])
    assert _kinds(entries) == ["refusal"]
    assert entries[0]["reason"] == "validation"


def test_malformed_json_and_wrong_media_type_are_refused(province: Province) -> None:
    bad_json = province.call(
        "POST",
        f"/x/{REPORTS}/reports",
        token=province.ioc,
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert bad_json.status_code == 400
    wrong_type = province.call(
        "POST",
        f"/x/{REPORTS}/reports",
        token=province.ioc,
        content=b"a=b",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert wrong_type.status_code == 415
    for answer in (bad_json, wrong_type):
        assert _kinds(province.entries(answer.headers["X-LGSP-Exchange-Id"])) == ["refusal"]


def test_an_unknown_service_is_404_and_logged_once(province: Province) -> None:
    answer = province.call("GET", f"/x/{HUE}:HUE-S/khong-co/v1/x", token=province.ioc)
    assert answer.status_code == 404
    entries = province.entries(answer.headers["X-LGSP-Exchange-Id"])
    assert _kinds(entries) == ["refusal"]
    assert entries[0]["service_id"] == f"{HUE}:HUE-S/khong-co/v1"


def test_no_token_is_401_and_logged_without_a_client(province: Province) -> None:
    answer = httpx.get(f"{province.exchange.url}/x/{REPORTS}/reports/1")
    assert answer.status_code == 401
    entries = province.entries(answer.headers["X-LGSP-Exchange-Id"])
    assert _kinds(entries) == ["refusal"]
    assert entries[0]["client_id"] is None


def test_a_provider_that_is_down_gives_502(province: Province) -> None:
    answer = province.call("GET", f"/x/{DOWN}/anything", token=province.ioc)
    assert answer.status_code == 502
    assert answer.headers["X-LGSP-Error"] == "upstream-unavailable"
    entries = province.entries(answer.headers["X-LGSP-Exchange-Id"])
    assert _kinds(entries) == ["request", "outcome"]
    assert entries[1]["status"] == 502
    assert entries[1]["reason"] == "upstream-unavailable"


def test_a_slow_provider_gives_504(province: Province) -> None:
    answer = province.call("GET", f"/x/{SLOW}/slow", token=province.ioc)
    assert answer.status_code == 504
    assert answer.headers["X-LGSP-Error"] == "upstream-timeout"
    entries = province.entries(answer.headers["X-LGSP-Exchange-Id"])
    assert _kinds(entries) == ["request", "outcome"]
    assert entries[1]["reason"] == "upstream-timeout"
    assert int(str(entries[1]["latency_us"])) >= 500_000


def test_a_misconfigured_service_gives_502_and_is_logged(province: Province) -> None:
    answer = province.call("GET", f"/x/{BROKEN}/x", token=province.ioc)
    assert answer.status_code == 502
    assert "misconfigured" in answer.json()["detail"]
    entries = province.entries(answer.headers["X-LGSP-Exchange-Id"])
    assert _kinds(entries) == ["request", "outcome"]


def _verify(database_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LGSP_AUDIT, "verify", "--db", database_url], capture_output=True, text=True, timeout=60
    )


def test_verify_passes_then_names_the_entry_an_edit_broke(province: Province) -> None:
    # Make sure there is something to verify even if this test runs alone.
    province.call("GET", f"/x/{REPORTS}/reports/7", token=province.ioc)
    database = province.exchange.data_dir / "lgsp.sqlite3"
    good = _verify(province.exchange.database_url)
    assert good.returncode == 0, good.stdout + good.stderr

    copy = database.with_name("tampered.sqlite3")
    source = sqlite3.connect(database)
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    (entry_id,) = target.execute(
        "SELECT id FROM audit_entries WHERE kind = 'outcome' ORDER BY id LIMIT 1"
    ).fetchone()
    target.execute("UPDATE audit_entries SET status = status + 1 WHERE id = ?", (entry_id,))
    target.commit()
    target.close()
    bad = _verify(f"sqlite:///{copy.as_posix()}")
    assert bad.returncode == 1
    assert str(entry_id) in bad.stdout + bad.stderr
