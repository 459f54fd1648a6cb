"""`lgsp demo` as a newcomer runs it: one command, then the printed curl sequence pasted into bash.

The demo runs as a subprocess on free ports with a temporary data directory; what it prints is
read line by line, the curl sequence is cut out exactly as printed and run with bash, and each
answer is checked. A second start on the same data directory must load nothing new.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from lgsp.demo.banner import BEGIN, END, LOOKUP_SERVICE, REPORTS_SERVICE
from lgsp.demo.ndxp import CONFIG_FILE, sample_citizen
from lgsp.demo.providers.hue_s_data import SEED_REPORTS, THANH_PHO_HUE
from ndxp_client.simulator.config import load_config
from tests.support.servers import free_port

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

START_SECONDS = 90.0
PORT_NAMES = ("port", "ndxp-port", "hue-s-port", "stations-port", "vessels-port")


@dataclass
class RunningDemo:
    """A started `lgsp demo` and every line it has printed so far."""

    process: subprocess.Popen[str]
    data_dir: Path
    ports: dict[str, int]
    lines: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The exchange's URL."""
        return f"http://127.0.0.1:{self.ports['port']}"

    @property
    def output(self) -> str:
        """Everything printed so far."""
        return "\n".join(self.lines)

    def sequence(self) -> str:
        """The curl sequence exactly as printed, between its markers."""
        start = self.lines.index(BEGIN) + 1
        return "\n".join(self.lines[start : self.lines.index(END)]) + "\n"


def _read(process: subprocess.Popen[str], lines: list[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line.rstrip("\n"))


@contextmanager
def run_demo(data_dir: Path, ports: dict[str, int]) -> Iterator[RunningDemo]:
    """`lgsp demo` until its banner is printed; stopped with Ctrl-C after."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LGSP_")}
    command = [sys.executable, "-m", "lgsp.cli.main", "demo", f"--data-dir={data_dir}"]
    command += [f"--{name}={port}" for name, port in ports.items()]
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        # Its own process group: if it hangs, the group (it and its children) can be killed.
        start_new_session=True,
    )
    demo = RunningDemo(process=process, data_dir=data_dir, ports=ports)
    reader = threading.Thread(target=_read, args=(process, demo.lines), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + START_SECONDS
        while END not in demo.lines:
            assert process.poll() is None, f"lgsp demo exited early:\n{demo.output}"
            assert time.monotonic() < deadline, f"no banner in time:\n{demo.output}"
            time.sleep(0.1)
        yield demo
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        reader.join(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def _documents(text: str) -> list[Any]:
    """The JSON documents printed one after another."""
    decoder, documents, at = json.JSONDecoder(), [], 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            return documents
        document, at = decoder.raw_decode(text, at)
        documents.append(document)


def _run_sequence(sequence: str) -> tuple[bytes, list[Any]]:
    done = subprocess.run(["bash"], input=sequence.encode("utf-8"), capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert done.stderr == b"", done.stderr.decode("utf-8", "replace")
    return done.stdout, _documents(done.stdout.decode("utf-8"))


def _change_rows(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "lgsp.sqlite3") as connection:
        (count,) = connection.execute("SELECT count(*) FROM registry_changes").fetchone()
    return int(count)


def _closed(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
    except httpx.TransportError:
        return True
    return False


def _check_answers(demo: RunningDemo, raw: bytes, documents: list[Any]) -> None:
    reports, lookup, audit = documents
    # 2. The IOC's listing: the seeded reports of the city, unanswered, Vietnamese unchanged.
    expected = sorted(
        (
            {k: v for k, v in r.items() if k != "NguoiPhanAnh"}
            for r in SEED_REPORTS
            if r["DonViThuLy"] == THANH_PHO_HUE and "NoiDungTraLoi" not in r
        ),
        key=lambda r: r["NgayPhanAnh"],
        reverse=True,
    )
    assert reports["items"] == expected[:5]
    assert reports["total"] == len(expected)
    title = expected[0]["TieuDe"]
    assert unicodedata.is_normalized("NFC", title)
    assert title.encode("utf-8") in raw
    # 3. The citizen the simulator's register holds, found through NDXP.
    config = load_config(path=demo.data_dir / CONFIG_FILE)
    assert config is not None
    citizen = sample_citizen(config)
    assert lookup.get("MaKetQua") == "00", lookup
    assert lookup["CongDan"]["SoDinhDanh"] == citizen.number
    assert lookup["CongDan"]["HoVaTen"] == citizen.full_name
    # 4. The auditor sees the two exchanges, each with its request and outcome.
    seen = {(e["client_id"], e["service_id"], e["kind"], e["status"]) for e in audit["entries"]}
    for client_id, service in (("ioc-dashboard", REPORTS_SERVICE), ("mot-cua", LOOKUP_SERVICE)):
        assert (client_id, service, "outcome", 200) in seen
        assert any(s[:3] == (client_id, service, "request") for s in seen)
    assert all(e["signature"] and e["entry_hash"].startswith("sha256:") for e in audit["entries"])


@pytest.fixture(scope="module")
def ports() -> dict[str, int]:
    """Free ports for the exchange, the simulator and the three providers."""
    return {name: free_port() for name in PORT_NAMES}


def test_the_printed_sequence_works_and_a_second_start_changes_nothing(
    tmp_path: Path, ports: dict[str, int]
) -> None:
    data_dir = tmp_path / "var"
    with run_demo(data_dir, ports) as first:
        assert f"LGSP demo province at {first.url}" in first.output
        credentials_file = data_dir / "demo-credentials.json"
        assert credentials_file.stat().st_mode & 0o077 == 0
        saved = json.loads(credentials_file.read_text(encoding="utf-8"))["clients"]
        assert set(saved) == {"ioc-dashboard", "hue-s", "mot-cua", "qlvb", "thanh-tra-so"}
        for client_id, entry in saved.items():
            line = rf"^  {client_id} +{re.escape(entry['client_secret'])}  {entry['scopes'][0]} "
            assert re.search(line, first.output, re.M), client_id
        sequence = first.sequence()
        curl_file = data_dir / "demo-curl.sh"
        assert curl_file.stat().st_mode & 0o077 == 0
        assert curl_file.read_text(encoding="utf-8").endswith(sequence)
        raw, documents = _run_sequence(sequence)
        _check_answers(first, raw, documents)
        changes = _change_rows(data_dir)
    assert "Demo stopped" in first.output
    assert first.process.returncode == 0
    assert all(_closed(port) for port in ports.values())

    with run_demo(data_dir, ports) as second:
        assert "already loaded, unchanged" in second.output
        assert _change_rows(data_dir) == changes
        assert second.sequence() == sequence
        assert json.loads(credentials_file.read_text(encoding="utf-8"))["clients"] == saved
        raw, documents = _run_sequence(second.sequence())
        _check_answers(second, raw, documents)
    assert all(_closed(port) for port in ports.values())


def test_nothing_personal_reaches_the_logs(tmp_path: Path, ports: dict[str, int]) -> None:
    data_dir = tmp_path / "var"
    with run_demo(data_dir, ports) as demo:
        saved = json.loads((data_dir / "demo-credentials.json").read_text())["clients"]
        token = httpx.post(
            f"{demo.url}/oauth/token",
            auth=("hue-s", saved["hue-s"]["client_secret"]),
            data={"grant_type": "client_credentials"},
        ).json()["access_token"]
        report = {k: v for k, v in SEED_REPORTS[2].items() if k != "PhanAnhID"}
        report["NguoiPhanAnh"] = {"TaiKhoan": "hues-user-e2e-4711", "HoVaTen": "Hồ Thị Xuân"}
        created = httpx.post(
            f"{demo.url}/x/{REPORTS_SERVICE}/reports",
            json={"PhanAnhID": 1, **report},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert created.status_code == 201, created.text
        _run_sequence(demo.sequence())
        config = load_config(path=data_dir / CONFIG_FILE)
        assert config is not None
        citizen = sample_citizen(config)
    logs = "".join(p.read_text(encoding="utf-8") for p in (data_dir / "logs").glob("*.log"))
    printed_after_banner = "\n".join(demo.lines[demo.lines.index(END) + 1 :])
    for personal in ("hues-user-e2e-4711", "Hồ Thị Xuân", citizen.number, citizen.full_name):
        assert personal not in logs
        assert personal not in printed_after_banner

    # Secrets lost: the demo says which and how to recover, and prints no sequence that fails.
    (data_dir / "demo-credentials.json").unlink()
    with run_demo(data_dir, ports) as lost:
        assert "The secrets of hue-s, ioc-dashboard, mot-cua, qlvb, thanh-tra-so are not" in (
            lost.output
        )
        assert f"remove {data_dir}" in lost.output
        assert "curl" not in lost.sequence()


def test_a_port_in_use_stops_the_demo_before_it_starts_anything(
    tmp_path: Path, ports: dict[str, int]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", ports["stations-port"]))
        taken.listen()
        command = [sys.executable, "-m", "lgsp.cli.main", "demo", f"--data-dir={tmp_path}"]
        command += [f"--{name}={port}" for name, port in ports.items()]
        env = {k: v for k, v in os.environ.items() if not k.startswith("LGSP_")}
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"port {ports['stations-port']} on 127.0.0.1 is in use" in done.stderr
    assert done.stderr.rstrip().endswith("choose another with --stations-port")
    assert not (tmp_path / "lgsp.sqlite3").exists()
