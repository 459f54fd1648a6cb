"""`lgsp ndxp-sim` as a user runs it: a real process, its printed secrets, its config file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import typer
from typer.testing import CliRunner

from lgsp.cli.ndxp_cmd import ndxp_sim
from ndxp_client import protocol
from ndxp_client.simulator.config import ENV_VAR, config_json
from tests.support.servers import LGSP, free_port
from tests.unit.ndxp_simulator.support import CLIENT, LOOKUP, make_config


def _command() -> list[str]:
    return [LGSP, "ndxp-sim"]


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(ndxp_sim)
    return app


def test_a_demo_simulator_prints_and_writes_its_secrets_and_serves(tmp_path: Path) -> None:
    port, written = free_port(), tmp_path / "sim.json"
    env = {k: v for k, v in os.environ.items() if k != ENV_VAR}
    process = subprocess.Popen(
        [*_command(), "--port", str(port), "--write-config", str(written)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            assert time.monotonic() < deadline, "the simulator did not start"
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        config = json.loads(written.read_text(encoding="utf-8"))
        assert written.stat().st_mode & 0o777 == 0o600
        [client] = config["clients"]
        token = httpx.post(
            f"{url}/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(client["client_id"], client["secret"]),
        ).json()["access_token"]
        answer = httpx.post(
            url + protocol.service_path(LOOKUP),
            json={"MaYeuCau": "x"},
            headers={"Authorization": f"Bearer {token}", protocol.CLIENT: client["xroad_client"]},
        )
        assert answer.status_code == 400
        assert answer.headers[protocol.ERROR] == protocol.ERROR_SERVICE_FAILED
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=15)
    assert process.returncode == 0, output
    assert f"NDXP simulator at {url}" in output
    assert client["secret"] in output
    assert client["api_key"] in output


def test_listening_beyond_loopback_needs_a_control_token(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text(config_json(make_config()), encoding="utf-8")
    result = CliRunner().invoke(_app(), ["--config", str(path), "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "needs a control_token" in result.output
    assert CLIENT.secret.get_secret_value() not in result.output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["--write-config", "{dir}/x.json", "--config", "{dir}/good.json"],
            2,
            "applies to the generated",
        ),
        (["--config", "{dir}/bad.json"], 2, "invalid simulator configuration"),
        (["--write-config", "{dir}/good.json"], 1, "exists"),
    ],
)
def test_the_command_refuses_what_it_cannot_do(
    tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    (tmp_path / "good.json").write_text(config_json(make_config()), encoding="utf-8")
    secret = CLIENT.secret.get_secret_value()
    bad = {"clients": [{"client_id": "a:b", "secret": secret, "xroad_client": "x"}]}
    (tmp_path / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    result = CliRunner().invoke(_app(), [a.format(dir=tmp_path) for a in args])
    assert result.exit_code == code, result.output
    assert message in result.output
    assert secret not in result.output
