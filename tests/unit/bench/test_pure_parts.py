"""The harness's other pure parts: the body, the registry, nginx's config, stacks, memory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bench import machine, memory, nginx, payload, province, stacks
from schemas.documents import JSONValue


def test_the_body_is_a_valid_field_report_of_about_two_kilobytes() -> None:
    body = payload.field_report_body()
    assert 1900 <= len(body) <= payload.TARGET_BYTES
    report = json.loads(body)
    assert len(report[payload.PADDED_FIELD]) <= 4000  # the schema's maxLength


def test_padding_reaches_the_target_without_passing_it() -> None:
    report: dict[str, JSONValue] = {"NoiDungPhanAnh": "ngắn", "n": 1}
    for target in (100, 513, 2048):
        body = payload.padded(report, target_bytes=target)
        assert target - 4 <= len(body) <= target  # a character is at most 4 bytes


def test_a_report_already_long_enough_is_left_alone() -> None:
    report: dict[str, JSONValue] = {"NoiDungPhanAnh": "x" * 50}
    assert payload.padded(report, target_bytes=10) == payload.encode(report)


def test_a_report_without_the_text_field_is_refused() -> None:
    with pytest.raises(ValueError, match="NoiDungPhanAnh"):
        payload.padded({"TieuDe": "x"})


def test_the_registry_lets_the_client_post_reports_to_the_upstream() -> None:
    document = yaml.safe_load(province.registry_document("http://127.0.0.1:9/api"))
    (service,) = document["services"]
    assert service["adapter_options"] == {"base_url": "http://127.0.0.1:9/api"}
    assert service["request_schema"] == payload.SCHEMA_ID
    (rule,) = document["access_rules"]
    assert (rule["method"], rule["path_template"]) == ("POST", "/reports")
    assert f"/x/{service['id']}/reports" == province.PATH
    (credential,) = document["credentials"]
    assert credential["client_id"] == province.CLIENT_ID
    assert credential["scopes"] == ["exchange"]


def test_the_postgres_url_selects_the_schema() -> None:
    assert province.schema_url("postgresql+psycopg://u@h/db", "s1") == (
        "postgresql+psycopg://u@h/db?options=-csearch_path%3Ds1"
    )
    assert province.schema_url("postgresql://h/db?a=1", "s2").endswith(
        "?a=1&options=-csearch_path%3Ds2"
    )


def test_nginx_proxies_to_the_upstream_with_one_worker_and_kept_alive_connections() -> None:
    conf = nginx.config(prefix=Path("/tmp/p"), port=8001, upstream_port=9001, as_root=False)
    assert "worker_processes 1;" in conf
    assert "listen 127.0.0.1:8001" in conf
    assert "server 127.0.0.1:9001;" in conf
    assert "keepalive 128;" in conf
    assert 'proxy_set_header Connection "";' in conf
    assert "user " not in conf
    assert conf.count("{") == conf.count("}")
    assert nginx.config(prefix=Path("/p"), port=1, upstream_port=2, as_root=True).startswith(
        "user root root;"
    )


def test_collapsed_stacks_go_to_the_deepest_pipeline_step() -> None:
    text = (
        "run (/s/lgsp/exchange/pipeline.py:80);authenticate (/s/lgsp/exchange/authenticate.py:20);"
        "verify (/v/lib/python3.11/site-packages/joserfc/jws.py:9) 3\n"
        "run (/s/lgsp/exchange/pipeline.py:80);body (/v/site-packages/starlette/requests.py:5) 2\n"
        "run (uvicorn/server.py:1);data_received (uvicorn/protocols/http/httptools_impl.py:1) 4\n"
        "run (uvicorn/server.py:1);data_received (aiohttp/client_proto.py:1) 5\n"
        "_run_once (/usr/lib/python3.11/asyncio/base_events.py:1) 1\n"
        "not a stack line\n"
    )
    parsed = stacks.parse(text)
    assert [s.samples for s in parsed] == [3, 2, 4, 5, 1]
    summary = stacks.summarise(parsed)
    assert summary.total == 15
    assert dict(summary.steps) == {
        "authenticate (token)": 3,
        "framework (starlette, fastapi)": 2,
        "HTTP server (uvicorn, httptools)": 4,
        "forward (adapter, aiohttp)": 5,
        stacks.OTHER: 1,
    }
    assert ("authenticate (token)", "joserfc", 3) in summary.step_libraries


@pytest.mark.parametrize(
    ("frame", "library"),
    [
        ("f (/v/lib/python3.11/site-packages/sqlalchemy/engine/base.py:1)", "sqlalchemy"),
        ("f (/v/lib/python3.11/site-packages/_cffi_backend.so)", "_cffi_backend"),
        ("g (/usr/lib/python3.11/asyncio/tasks.py:3)", "asyncio"),
        ("fdatasync (libc.so.6)", "libc"),
        ("run (/work/main/lgsp/exchange/pipeline.py:9)", "lgsp"),
        ("send (aiohttp/client.py:12)", "aiohttp"),
        ("wait (threading.py:327)", "threading"),
        ("fe_mul (cryptography/hazmat/bindings/_rust.abi3.so)", "cryptography"),
        ("Mapping.__contains__ (<frozen _collections_abc>)", "_collections_abc"),
        ("run (lgsp/exchange/pipeline.py:9)", "lgsp"),
    ],
)
def test_frames_are_named_by_their_library(frame: str, library: str) -> None:
    assert stacks.library_of(frame) == library


def test_leaf_functions_drop_line_numbers_and_install_paths() -> None:
    frame = "match_rule (/work/main/registry/access.py:41)"
    assert stacks.function_of(frame) == "match_rule (registry/access.py)"


def test_rss_growth_compares_the_last_quarter_with_the_first() -> None:
    samples = [memory.Sample(t, 7, 100.0 + t / 10) for t in range(0, 100, 5)]
    samples += [memory.Sample(t, 8, 90.0) for t in range(0, 100, 5)]
    samples.append(memory.Sample(50, 9, 50.0))  # one sample only: no quarters to compare
    growth = {g.pid: g for g in memory.growth(samples, duration_s=100)}
    assert set(growth) == {7, 8}
    assert growth[7].first_quarter_mb == pytest.approx(101.0)  # t = 0..20
    assert growth[7].last_quarter_mb == pytest.approx(108.5)  # t = 75..95
    assert growth[7].growth_mb == pytest.approx(7.5)
    assert growth[7].peak_mb == pytest.approx(109.5)
    assert growth[7].flat(tolerance_mb=10)
    assert not growth[7].flat(tolerance_mb=5)
    assert growth[8].growth_mb == 0.0
    assert growth[8].growth_ratio == 0.0


def test_the_machine_is_described_from_proc() -> None:
    cpuinfo = "processor\t: 0\nmodel name\t: Intel(R)  Xeon(R) Processor\n"
    assert machine.cpu_model(cpuinfo) == "Intel(R) Xeon(R) Processor"
    assert machine.cpu_model("") == "unknown"
    assert machine.memory_gib("MemTotal:       24683520 kB\n") == pytest.approx(23.54, abs=0.01)
