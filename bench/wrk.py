"""wrk: the POST script it runs, the command, parsing what it prints, its own CPU time."""

from __future__ import annotations

import os
import re
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

# wrk's own default (2 s) would count a slow answer as a socket timeout, not as latency.
TIMEOUT_SECONDS = 10


class WrkOutputError(ValueError):
    """wrk printed something this parser cannot read (it failed, or its format changed)."""


@dataclass(frozen=True, slots=True)
class WrkResult:
    """What one wrk run measured; latencies in milliseconds."""

    requests: int
    duration_s: float
    rps: float
    latency_avg_ms: float
    p50_ms: float
    p75_ms: float
    p90_ms: float
    p99_ms: float
    non_2xx: int = 0
    connect_errors: int = 0
    read_errors: int = 0
    write_errors: int = 0
    timeouts: int = 0

    @property
    def socket_errors(self) -> int:
        """Connect, read and write errors and timeouts together."""
        return self.connect_errors + self.read_errors + self.write_errors + self.timeouts

    @property
    def errors(self) -> int:
        """Every request that did not get a 2xx/3xx answer, as wrk counts them."""
        return self.non_2xx + self.socket_errors

    def to_json(self) -> dict[str, float | int]:
        """The fields, plus the error totals, as JSON-ready values."""
        return {**asdict(self), "socket_errors": self.socket_errors, "errors": self.errors}


_TIME_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}
_TIME = r"([0-9.]+)(us|ms|s|m|h)"


def milliseconds(text: str) -> float:
    """wrk's time notation (`812.00us`, `1.23ms`, `2.00s`, `1.00m`) in milliseconds."""
    match = re.fullmatch(_TIME, text.strip())
    if match is None:
        raise WrkOutputError(f"not a wrk time: {text!r}")
    return float(match.group(1)) * _TIME_UNITS[match.group(2)]


def _search(pattern: str, output: str) -> re.Match[str]:
    match = re.search(pattern, output, flags=re.MULTILINE)
    if match is None:
        raise WrkOutputError(f"wrk output lacks {pattern!r}:\n{output}")
    return match


def parse(output: str) -> WrkResult:
    """Parse the text `wrk --latency` prints; `WrkOutputError` if a figure is missing."""
    percentiles = {
        int(p): milliseconds(t)
        for p, t in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", output, flags=re.MULTILINE)
    }
    if set(percentiles) != {50, 75, 90, 99}:
        raise WrkOutputError(f"wrk output lacks the latency distribution (--latency):\n{output}")
    total = _search(r"^\s*(\d+) requests in " + _TIME + r",", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    connect, read, write, timeout = (int(g) for g in errors.groups()) if errors else (0, 0, 0, 0)
    return WrkResult(
        requests=int(total.group(1)),
        duration_s=milliseconds(total.group(2) + total.group(3)) / 1e3,
        rps=float(_search(r"^Requests/sec:\s+([0-9.]+)", output).group(1)),
        latency_avg_ms=milliseconds(_search(r"^\s+Latency\s+(\S+)", output).group(1)),
        p50_ms=percentiles[50],
        p75_ms=percentiles[75],
        p90_ms=percentiles[90],
        p99_ms=percentiles[99],
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        connect_errors=connect,
        read_errors=read,
        write_errors=write,
        timeouts=timeout,
    )


def lua_string(data: bytes) -> str:
    """`data` as a Lua string literal, every byte outside printable ASCII escaped as `\\ddd`."""
    out = ['"']
    for byte in data:
        if 0x20 <= byte < 0x7F and byte not in (0x22, 0x5C):
            out.append(chr(byte))
        else:
            # Three digits always: a shorter escape followed by a digit would be misread.
            out.append(f"\\{byte:03d}")
    out.append('"')
    return "".join(out)


def post_script(body: bytes, headers: dict[str, str]) -> str:
    """A wrk Lua script that POSTs `body` with `headers` on every request."""
    lines = ['wrk.method = "POST"', f"wrk.body = {lua_string(body)}"]
    for name, value in headers.items():
        lines.append(f"wrk.headers[{lua_string(name.encode())}] = {lua_string(value.encode())}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class WrkRun:
    """One wrk run: its parsed result, and the CPU time and wall time wrk itself took."""

    result: WrkResult
    cpu_seconds: float
    wall_seconds: float
    output: str


def command(url: str, *, script: Path, connections: int, seconds: float, threads: int) -> list[str]:
    """The wrk command line for one run."""
    return [
        "wrk",
        f"--threads={max(1, min(threads, connections))}",
        f"--connections={connections}",
        f"--duration={max(1, round(seconds))}s",
        f"--timeout={TIMEOUT_SECONDS}s",
        "--latency",
        f"--script={script}",
        url,
    ]


def run(url: str, *, script: Path, connections: int, seconds: float, threads: int = 2) -> WrkRun:
    """Run wrk once and return what it measured with its own CPU time (from `wait4`)."""
    argv = command(url, script=script, connections=connections, seconds=seconds, threads=threads)
    started = time.monotonic()
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
    )
    try:
        assert process.stdout is not None
        output = process.stdout.read().decode("utf-8", errors="replace")
        # wait4 reaps wrk and hands back its rusage: user + system time of wrk alone.
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if process.returncode is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
    wall = time.monotonic() - started
    if process.returncode != 0:
        raise WrkOutputError(f"wrk exited with {process.returncode}:\n{output}")
    return WrkRun(
        result=parse(output),
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        wall_seconds=wall,
        output=output,
    )
