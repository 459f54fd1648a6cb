"""Memory and leak check: the full exchange under moderate load for minutes, RSS per worker.

    .venv/bin/python -m bench.soak [--minutes 10] [--store sqlite] [--workers 2]
                                   [--connections 16] [--interval 5]

Not part of any test run. Starts the upstream and the exchange as bench.run does, drives the
exchange with wrk in one-minute segments (a fresh token each: tokens live five minutes at
most), samples each worker's RSS every `--interval` seconds, and reports each worker's growth:
the mean of the last quarter's samples against the first quarter's. Writes
bench/results/soak.json and soak.md. Reports; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from pathlib import Path

import psutil

from bench import exchange, memory, procs, province, tools, wrk
from bench.payload import field_report_body

ROOT = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024
SEGMENT_SECONDS = 60.0


class Sampler:
    """Reads every worker's RSS each `interval` seconds in a thread."""

    def __init__(self, server: procs.Server, *, interval: float) -> None:
        self.samples: list[memory.Sample] = []
        self._server = server
        self._interval = interval
        self._stop = threading.Event()
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="soak-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            now = time.monotonic() - self._started
            for process in self._server.workers():
                try:
                    rss = process.memory_info().rss
                except psutil.Error:
                    continue
                self.samples.append(memory.Sample(now, process.pid, rss / MIB))
            self._stop.wait(self._interval)

    def start(self) -> None:
        """Start sampling; the soak's clock starts now."""
        self._started = time.monotonic()
        self._thread.start()

    def stop(self) -> float:
        """Stop sampling; the seconds sampled."""
        self._stop.set()
        self._thread.join()
        return time.monotonic() - self._started


def render(
    growths: list[memory.Growth], *, header: str, tolerance_mb: float, segments: list[str]
) -> str:
    """The Markdown report."""
    lines = [
        header,
        "",
        "| worker pid | samples | first quarter MiB | last quarter MiB | growth MiB | growth | "
        "peak MiB | verdict |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for g in growths:
        verdict = "flat" if g.flat(tolerance_mb=tolerance_mb) else "GROWS"
        lines.append(
            f"| {g.pid} | {g.samples} | {g.first_quarter_mb:.1f} | {g.last_quarter_mb:.1f} | "
            f"{g.growth_mb:+.1f} | {g.growth_ratio:+.1%} | {g.peak_mb:.1f} | {verdict} |"
        )
    lines += ["", "Load segments (wrk):", "", *(f"- {s}" for s in segments), ""]
    return "\n".join(lines)


def main() -> None:
    """Run the soak and write its report."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between samples")
    parser.add_argument("--tolerance-mb", type=float, default=10.0, help="growth called flat")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", exchange.DEFAULT_PG_URL))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "soak")
    arguments = parser.parse_args()

    tools.ensure(("wrk",))
    body = field_report_body()
    total = arguments.minutes * 60
    segments: list[str] = []
    errors = 0
    with tempfile.TemporaryDirectory(prefix="lgsp-soak-") as temp, procs.Fleet() as fleet:
        workdir = Path(temp)
        with exchange.served(
            fleet,
            workdir=workdir,
            root=ROOT,
            store=arguments.store,
            pg_url=arguments.pg_url,
            workers=arguments.workers,
            body=body,
        ) as ready:
            server = ready.server
            headers = exchange.bearer_headers(server, ready.secret)
            url = server.url + province.PATH
            script = workdir / "post.lua"
            sampler = Sampler(server, interval=arguments.interval)
            sampler.start()
            started = time.monotonic()
            try:
                while (left := total - (time.monotonic() - started)) >= 1:
                    # A fresh token per segment: tokens live at most five minutes.
                    script.write_text(wrk.post_script(body, headers()), encoding="utf-8")
                    run = wrk.run(
                        url,
                        script=script,
                        connections=arguments.connections,
                        seconds=min(SEGMENT_SECONDS, left),
                    )
                    r = run.result
                    errors += r.errors
                    segments.append(
                        f"{len(segments) + 1}: {r.rps:,.0f} req/s, p99 {r.p99_ms:.1f} ms, "
                        f"{r.errors} errors"
                    )
                    print(f"segment {segments[-1]}", flush=True)
                    server.check_alive()
            finally:
                sampled = sampler.stop()
    growths = memory.growth(sampler.samples, duration_s=sampled)
    header = (
        f"# Soak: RSS per exchange worker\n\n{arguments.store}, {arguments.workers} worker(s), "
        f"{arguments.connections} connections, {sampled / 60:.1f} minutes, RSS every "
        f"{arguments.interval:g} s; {errors} errors. Growth = mean of the last quarter's "
        f"samples minus the first quarter's; flat if at most {arguments.tolerance_mb:g} MiB."
    )
    text = render(growths, header=header, tolerance_mb=arguments.tolerance_mb, segments=segments)
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.with_suffix(".md").write_text(text, encoding="utf-8")
    document = {
        "config": {k: str(v) for k, v in vars(arguments).items() if k != "pg_url"},
        "errors": errors,
        "segments": segments,
        "workers": [
            {
                "pid": g.pid,
                "samples": g.samples,
                "first_quarter_mb": round(g.first_quarter_mb, 1),
                "last_quarter_mb": round(g.last_quarter_mb, 1),
                "growth_mb": round(g.growth_mb, 1),
                "peak_mb": round(g.peak_mb, 1),
                "flat": g.flat(tolerance_mb=arguments.tolerance_mb),
            }
            for g in growths
        ],
        "samples": [[round(s.seconds, 1), s.pid, round(s.rss_mb, 1)] for s in sampler.samples],
    }
    arguments.out.with_suffix(".json").write_text(json.dumps(document, indent=1) + "\n")
    print(text)


if __name__ == "__main__":
    main()
