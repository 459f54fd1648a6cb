"""`lgsp up` as a newcomer runs it: a real server process, a real curl."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]

LGSP = str(Path(sys.executable).with_name("lgsp"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(url: str, process: subprocess.Popen[str], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"lgsp up exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("the exchange did not become ready")


@pytest.fixture
def started(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    """`lgsp up` on a free port with its data under the test's directory."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LGSP_")}
    env["LGSP_DATA_DIR"] = str(tmp_path / "var")
    process = subprocess.Popen(
        [LGSP, "up", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process)
        yield url, tmp_path / "var", process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def test_up_prints_a_credential_that_works_with_curl(
    started: tuple[str, Path, subprocess.Popen[str]],
) -> None:
    url, data_dir, _process = started
    credential = json.loads((data_dir / "admin-credential.json").read_text())
    assert (data_dir / "admin-credential.json").stat().st_mode & 0o077 == 0

    # Without a credential nothing of the registry is open.
    assert httpx.get(f"{url}/registry/members").status_code == 401

    curl = shutil.which("curl")
    basic = f"{credential['client_id']}:{credential['client_secret']}"
    if curl:
        out = subprocess.run(
            [curl, "-s", "-u", basic, "-d", "grant_type=client_credentials", f"{url}/oauth/token"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    else:
        out = httpx.post(
            f"{url}/oauth/token",
            auth=(credential["client_id"], credential["client_secret"]),
            data={"grant_type": "client_credentials"},
        ).text
    token = json.loads(out)["access_token"]
    answer = httpx.get(f"{url}/registry/members", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200


def test_up_twice_keeps_the_first_credential(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LGSP_")}
    env["LGSP_DATA_DIR"] = str(data_dir)
    outputs = []
    for _ in range(2):
        port = _free_port()
        process = subprocess.Popen(
            [LGSP, "up", "--port", str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            _wait_ready(f"http://127.0.0.1:{port}", process)
        finally:
            process.send_signal(signal.SIGINT)
            out, _ = process.communicate(timeout=15)
        outputs.append(out)
    first = json.loads((data_dir / "admin-credential.json").read_text())
    assert first["client_id"] in outputs[0]
    assert first["client_secret"] in outputs[0]
    # The secret is shown once; later starts name the file instead.
    assert first["client_secret"] not in outputs[1]
    assert "admin-credential.json" in outputs[1]


def test_two_workers_share_one_prepared_store_and_merge_metrics(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LGSP_")}
    env["LGSP_DATA_DIR"] = str(tmp_path / "var")
    process = subprocess.Popen(
        [LGSP, "up", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process)
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
