"""One measured point: warm-up, then wrk with CPU time by role and RSS of serving processes."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench import wrk
from bench.report import Point

MIB = 1024 * 1024


@dataclass
class Target:
    """What wrk drives: a URL, the server processes behind it, the headers to send."""

    scenario: str
    url: str
    server: Callable[[], list[psutil.Process]]
    workers: Callable[[], list[psutil.Process]]
    headers: Callable[[], dict[str, str]]
    store: str | None = None
    worker_count: int | None = None


def _cpu(processes: Sequence[psutil.Process]) -> dict[int, float]:
    times = {}
    for process in processes:
        with contextlib.suppress(psutil.Error):
            t = process.cpu_times()
            times[process.pid] = t.user + t.system
    return times


def _postgres() -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["name"]):
        if process.info["name"] == "postgres":
            found.append(process)
    return found


def _busy_seconds() -> float:
    t = psutil.cpu_times()
    return float(sum(t)) - t.idle - getattr(t, "iowait", 0.0)


class RssSampler:
    """Samples the RSS of the serving processes in a thread; keeps each one's highest."""

    def __init__(self, processes: Callable[[], list[psutil.Process]], interval: float = 0.5):
        self._processes = processes
        self._interval = interval
        self._stop = threading.Event()
        self._peak: dict[int, int] = {}
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(self._interval):
                return

    def sample(self) -> None:
        """Take one sample now."""
        for process in self._processes():
            with contextlib.suppress(psutil.Error):
                rss = process.memory_info().rss
                self._peak[process.pid] = max(rss, self._peak.get(process.pid, 0))

    @contextlib.contextmanager
    def running(self) -> Iterator[RssSampler]:
        """Sample for the duration of the `with` block."""
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join()
            self.sample()

    def peaks_mb(self) -> tuple[float, ...]:
        """The highest RSS of each process seen, in MiB, by pid."""
        return tuple(self._peak[pid] / MIB for pid in sorted(self._peak))


@dataclass
class Measurer:
    """Measures points on one machine with fixed run lengths and a shared upstream."""

    workdir: Path
    upstream: Callable[[], list[psutil.Process]]
    body: bytes
    seconds: float
    warmup_seconds: float
    threads: int = 2
    say: Callable[[str], None] = print

    def script(self, target: Target) -> Path:
        """Write the wrk script for `target` (headers fetched now: tokens expire)."""
        path = self.workdir / f"post-{target.scenario}.lua"
        path.write_text(wrk.post_script(self.body, target.headers()), encoding="utf-8")
        return path

    def point(self, target: Target, connections: int) -> Point:
        """Warm up, then measure `target` at `connections`."""
        script = self.script(target)
        if self.warmup_seconds > 0:
            wrk.run(
                target.url,
                script=script,
                connections=connections,
                seconds=self.warmup_seconds,
                threads=self.threads,
            )
        server = target.server()
        upstream = self.upstream()
        database = _postgres() if target.store == "postgres" else []
        before = {
            name: _cpu(ps)
            for name, ps in (("server", server), ("upstream", upstream), ("postgres", database))
        }
        busy_before = _busy_seconds()
        sampler = RssSampler(target.workers)
        with sampler.running():
            run = wrk.run(
                target.url,
                script=script,
                connections=connections,
                seconds=self.seconds,
                threads=self.threads,
            )
        busy = _busy_seconds() - busy_before
        cpu = {"loadgen": run.cpu_seconds, "machine": busy}
        for name, ps in (("server", server), ("upstream", upstream), ("postgres", database)):
            after = _cpu(ps)
            cpu[name] = sum(after[pid] - t for pid, t in before[name].items() if pid in after)
        point = Point(
            scenario=target.scenario,
            connections=connections,
            wrk=run.result,
            store=target.store,
            workers=target.worker_count,
            cpu_seconds=cpu,
            rss_mb=sampler.peaks_mb() if target.scenario in ("exchange", "reference") else (),
            cores=os.cpu_count() or 1,
        )
        result = run.result
        flag = f"  ERRORS: {result.errors}" if result.errors else ""
        self.say(
            f"  {target.scenario:<9} {target.store or '':<8} w={target.worker_count or '-'} "
            f"c={connections:<3} {result.rps:9,.0f} req/s  p50 {result.p50_ms:7.2f} ms  "
            f"p99 {result.p99_ms:7.2f} ms  wrk cpu {point.cpu_share('loadgen'):4.0%}{flag}"
        )
        return point
