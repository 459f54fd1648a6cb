"""The demo's child processes: started with their output in a log file, waited for, stopped."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

STOP_SECONDS = 10.0


class ChildFailed(RuntimeError):
    """A child process exited, or did not become healthy in time."""


@dataclass
class Child:
    """One started child: its name, process, log file and the URL that says it is alive."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    health_url: str

    def log_tail(self, *, lines: int = 20) -> str:
        """The last lines the child wrote, to show why it failed."""
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def ensure_free(host: str, ports: Mapping[str, int]) -> None:
    """`ChildFailed` naming the first port (by its option) that something already listens on."""
    for option, port in ports.items():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            # Without SO_REUSEADDR a port held by a live listener refuses the bind; one left
            # in TIME_WAIT by a demo just stopped does not.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError:
                raise ChildFailed(
                    f"port {port} on {host} is in use (another demo?); choose another with {option}"
                ) from None


def python_module(module: str, *arguments: str) -> list[str]:
    """The command running `module` with this interpreter (so the same virtualenv)."""
    return [sys.executable, "-m", module, *arguments]


def start(
    *,
    name: str,
    command: Sequence[str],
    log: Path,
    health_url: str,
    env: Mapping[str, str] | None = None,
) -> Child:
    """Start `command` with its output appended to `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        # The child keeps its own copy of the descriptor; ours can close at once.
        process = subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
        )
    return Child(name=name, process=process, log=log, health_url=health_url)


def wait_healthy(children: Iterable[Child], *, seconds: float = 30.0) -> None:
    """Wait until every child answers 200 at its health URL; `ChildFailed` if one cannot."""
    deadline = time.monotonic() + seconds
    for child in children:
        while True:
            if child.process.poll() is not None:
                raise ChildFailed(
                    f"{child.name} exited with status {child.process.returncode}; "
                    f"its log ({child.log}) ends with:\n{child.log_tail()}"
                )
            if _answers(child.health_url):
                break
            if time.monotonic() > deadline:
                raise ChildFailed(f"{child.name} did not answer {child.health_url} in time")
            time.sleep(0.1)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1.0).status_code == 200
    except httpx.TransportError:
        return False


def stop(children: Iterable[Child], *, seconds: float = STOP_SECONDS) -> None:
    """Ask every child to stop (SIGTERM), wait, then kill any that would not."""
    running = [c for c in children if c.process.poll() is None]
    for child in running:
        child.process.terminate()
    deadline = time.monotonic() + seconds
    for child in running:
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.process.kill()
            child.process.wait()
