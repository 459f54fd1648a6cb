"""Real servers on loopback for end-to-end tests: a recording provider, a started exchange."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvicorn
from starlette.requests import Request
from starlette.responses import Response

LGSP = str(Path(sys.executable).with_name("lgsp"))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    """One request as the provider saw it on the wire."""

    method: str
    raw_path: bytes
    query: bytes
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        """The first value of header `name`, if sent."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)


@dataclass
class RecordingProvider:
    """A provider that records every request; `/slow` answers after `slow_seconds`."""

    port: int = 0
    received: list[Received] = field(default_factory=list)
    slow_seconds: float = 2.0

    @property
    def url(self) -> str:
        """Its base URL."""
        return f"http://127.0.0.1:{self.port}"

    async def __call__(self, scope: dict, receive: object, send: object) -> None:  # type: ignore[type-arg]
        """The ASGI application."""
        if scope["type"] != "http":
            return
        request = Request(scope, receive)  # type: ignore[arg-type]
        body = await request.body()
        self.received.append(
            Received(
                method=request.method,
                raw_path=scope["raw_path"],
                query=scope["query_string"],
                headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]],
                body=body,
            )
        )
        if scope["raw_path"].endswith(b"/slow"):
            await asyncio.sleep(self.slow_seconds)
        answer = Response(
            content=b'{"ok":true,"echo_bytes":' + str(len(body)).encode() + b"}",
            status_code=201 if request.method == "POST" else 200,
            media_type="application/json",
            headers={"X-Provider": "recording", "Connection": "keep-alive"},
        )
        await answer(scope, receive, send)  # type: ignore[arg-type]


@contextmanager
def serve_provider(provider: RecordingProvider) -> Iterator[RecordingProvider]:
    """Run `provider` on a free loopback port in a thread."""
    provider.port = free_port()
    config = uvicorn.Config(
        provider, host="127.0.0.1", port=provider.port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("provider did not start")
        time.sleep(0.02)
    try:
        yield provider
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class StartedExchange:
    """An `lgsp up` process and what it printed."""

    url: str
    data_dir: Path
    process: subprocess.Popen[str]

    @property
    def database_url(self) -> str:
        """The SQLite store it uses."""
        return f"sqlite:///{(self.data_dir / 'lgsp.sqlite3').as_posix()}"


@contextmanager
def run_exchange(data_dir: Path, **env_overrides: str) -> Iterator[StartedExchange]:
    """`lgsp up` on a free port with its data in `data_dir`; stopped afterwards."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LGSP_")}
    env["LGSP_DATA_DIR"] = str(data_dir)
    env.update(env_overrides)
    process = subprocess.Popen(
        [LGSP, "up", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, process)
        yield StartedExchange(url=url, data_dir=data_dir, process=process)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def wait_ready(url: str, process: subprocess.Popen[str], seconds: float = 30) -> None:
    """Wait until `/readyz` answers 200, failing early if the process died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"lgsp up exited with {process.returncode}:\n{out}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("the exchange did not become ready")
