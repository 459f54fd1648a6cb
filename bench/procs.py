"""Server processes of a benchmark: each in a process group of its own, always stopped."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

STOP_SECONDS = 10.0


class ServerFailed(RuntimeError):
    """A server exited, or did not answer in time."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """One started server: its name, process (a group leader), log file and port."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    port: int

    @property
    def url(self) -> str:
        """Its base URL on loopback."""
        return f"http://127.0.0.1:{self.port}"

    def processes(self) -> list[psutil.Process]:
        """The process and all its descendants that are alive."""
        try:
            root = psutil.Process(self.process.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def workers(self) -> list[psutil.Process]:
        """The processes that serve requests: the children of a supervisor, else the process.

        uvicorn with one worker serves in its own process; with more it forks workers and
        also starts multiprocessing's resource tracker, which serves nothing.
        """
        everyone = self.processes()
        if not everyone:
            return []
        serving = [p for p in everyone[1:] if not _is_helper(p)]
        return serving or everyone[:1]

    def log_tail(self, lines: int = 25) -> str:
        """The last lines the server wrote, to show why it failed."""
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def check_alive(self) -> None:
        """`ServerFailed` with the end of its log if the server has exited."""
        if self.process.poll() is not None:
            raise ServerFailed(
                f"{self.name} exited with status {self.process.returncode}; "
                f"its log ends with:\n{self.log_tail()}"
            )


def _is_helper(process: psutil.Process) -> bool:
    try:
        return "resource_tracker" in " ".join(process.cmdline())
    except psutil.Error:
        return True


def start(
    name: str,
    argv: Sequence[str],
    *,
    port: int,
    log: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Server:
    """Start `argv` as the leader of a new process group, its output in `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        process = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            # Its own group, so that stopping it reaches the workers it forks too.
            start_new_session=True,
        )
    return Server(name=name, process=process, log=log, port=port)


def wait_http(server: Server, path: str = "/", *, seconds: float = 60.0) -> None:
    """Wait until `GET path` answers 200; `ServerFailed` if the server exits or is too slow."""
    deadline = time.monotonic() + seconds
    url = server.url + path
    while True:
        server.check_alive()
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise ServerFailed(f"{server.name} did not answer {url} in {seconds:g} s")
        time.sleep(0.1)


def stop(server: Server, *, seconds: float = STOP_SECONDS) -> None:
    """Stop the server's whole process group: SIGTERM, then SIGKILL for what is left."""
    descendants = server.processes()[1:]
    pgid = server.process.pid  # a session leader's group id is its pid
    if server.process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
        try:
            server.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
            server.process.wait()
    # Workers that outlived their supervisor: by pid, since the group may now be empty.
    _, alive = psutil.wait_procs(descendants, timeout=seconds)
    for process in alive:
        with contextlib.suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(alive, timeout=seconds)


class Fleet:
    """The servers of one benchmark; leaving the `with` block stops them all, newest first."""

    def __init__(self) -> None:
        self._servers: list[Server] = []

    def add(self, server: Server) -> Server:
        """Keep `server` to be stopped with the fleet."""
        self._servers.append(server)
        return server

    def stop(self, server: Server) -> None:
        """Stop one server now."""
        stop(server)
        if server in self._servers:
            self._servers.remove(server)

    def __enter__(self) -> Fleet:
        return self

    def __exit__(self, *_: object) -> None:
        while self._servers:
            server = self._servers.pop()
            try:
                stop(server)
            except Exception as exc:  # go on stopping the others, but say so
                print(
                    f"could not stop {server.name} (pid {server.process.pid}): {exc}",
                    file=sys.stderr,
                )
