"""`lgsp up` as a newcomer runs it: a real server process, a real curl."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import psutil
import pytest

from tests.support.servers import LGSP, free_port, run_exchange, wait_ready

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]


def test_up_prints_a_credential_that_works_with_curl(tmp_path: Path) -> None:
    with run_exchange(tmp_path / "var") as exchange:
        credential_file = exchange.data_dir / "admin-credential.json"
        credential = json.loads(credential_file.read_text())
        assert credential_file.stat().st_mode & 0o077 == 0

        # Without a credential nothing of the registry is open.
        assert httpx.get(f"{exchange.url}/registry/members").status_code == 401

        basic = f"{credential['client_id']}:{credential['client_secret']}"
        token_url = f"{exchange.url}/oauth/token"
        curl = shutil.which("curl")
        if curl:
            out = subprocess.run(
                [curl, "-s", "-u", basic, "-d", "grant_type=client_credentials", token_url],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        else:
            out = httpx.post(
                token_url,
                auth=(credential["client_id"], credential["client_secret"]),
                data={"grant_type": "client_credentials"},
            ).text
        token = json.loads(out)["access_token"]
        answer = httpx.get(
            f"{exchange.url}/registry/members", headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 200


def test_a_single_worker_serves_without_the_command_line_s_imports(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [LGSP, "up", "--port", str(port)],
        env={**_clean_env(), "LGSP_DATA_DIR": str(tmp_path / "var")},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_ready(f"http://127.0.0.1:{port}", process)
        # Same process id, now a fresh uvicorn: migrations ran in the command before it.
        command = " ".join(psutil.Process(process.pid).cmdline())
        assert "uvicorn lgsp.app:create_app_from_env" in command
    finally:
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=20)
    # What `lgsp up` printed before handing over is not lost.
    assert "LGSP exchange at" in out
    # And what that fresh worker builds leaves out what only preparing needs.
    probe = (
        "import sys\n"
        "from lgsp.app import create_app_from_env\n"
        "create_app_from_env()\n"
        "print(sorted(m for m in ('alembic', 'mako', 'typer', 'rich') if m in sys.modules))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe],
        env={**_clean_env(), "LGSP_DATA_DIR": str(tmp_path / "var")},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert loaded.strip() == "[]"


def _up_once(data_dir: Path, *extra: str) -> tuple[str, str]:
    """Start `lgsp up`, wait until ready, stop it; returns (its output, its URL)."""
    port = free_port()
    env = {"LGSP_DATA_DIR": str(data_dir)}
    process = subprocess.Popen(
        [LGSP, "up", "--port", str(port), *extra],
        env={**_clean_env(), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_ready(f"http://127.0.0.1:{port}", process)
    finally:
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=20)
    return out, f"http://127.0.0.1:{port}"


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("LGSP_")}


def test_up_twice_keeps_the_first_credential(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    first_out, _ = _up_once(data_dir)
    second_out, _ = _up_once(data_dir)
    first = json.loads((data_dir / "admin-credential.json").read_text())
    assert first["client_id"] in first_out
    assert first["client_secret"] in first_out
    # The secret is shown once; later starts name the file instead.
    assert first["client_secret"] not in second_out
    assert "admin-credential.json" in second_out


def test_two_workers_share_one_prepared_store_and_merge_metrics(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [LGSP, "up", "--port", str(port), "--workers", "2"],
        env={**_clean_env(), "LGSP_DATA_DIR": str(tmp_path / "var")},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, process)
        with httpx.Client(base_url=url) as client:
            # New connections spread over both workers' accept loops.
            for _ in range(40):
                assert client.get("/healthz", headers={"Connection": "close"}).status_code == 200
            metrics = client.get("/metrics").text
    finally:
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=20)
    line = next(
        m
        for m in metrics.splitlines()
        if m.startswith('lgsp_http_requests_total{method="GET",route="/healthz",status="200"}')
    )
    # Whichever worker answered the scrape, it reports the requests of both.
    assert float(line.rsplit(" ", 1)[1]) >= 40
    assert out.count("Started server process") == 2
    assert "First admin credential" in out
