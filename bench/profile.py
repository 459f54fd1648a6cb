"""Where the exchange's time goes per request: py-spy on a worker under wrk load.

    .venv/bin/python -m bench.profile [--store sqlite] [--workers 1] [--connections 32]
                                      [--seconds 20] [--rate 200] [--no-native]

Starts the upstream and the exchange as bench.run does, drives the exchange with wrk,
records one worker with `py-spy record --gil --format raw` (needs ptrace: root, or
kernel.yama.ptrace_scope=0), and prints the samples by pipeline step, by step and
library, and by leaf function, with microseconds of worker CPU per request. Writes
bench/results/profile.md and the raw stacks (profile.collapsed).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from bench import exchange, machine, procs, province, stacks, tools, wrk
from bench.payload import field_report_body

ROOT = Path(__file__).resolve().parents[1]


def _cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            t = process.cpu_times()
        except psutil.Error:
            continue
        total += t.user + t.system
    return total


def render(summary: stacks.Summary, *, us_per_sample: float, header: str) -> str:
    """The Markdown summary: steps with their share and µs per request, pairs, leaves."""

    def us(samples: int) -> str:
        return f"{samples * us_per_sample:,.0f}"

    def share(samples: int) -> str:
        return f"{samples / summary.total:.1%}" if summary.total else "—"

    lines = [
        header,
        "",
        "## By pipeline step",
        "",
        "| step | share | µs / request |",
        "|---|---:|---:|",
    ]
    lines += [f"| {step} | {share(n)} | {us(n)} |" for step, n in summary.steps]
    lines += [
        "",
        "## By step and the library the time is spent in",
        "",
        "| step | library (leaf) | share | µs / request |",
        "|---|---|---:|---:|",
    ]
    lines += [f"| {s} | {lib} | {share(n)} | {us(n)} |" for s, lib, n in summary.step_libraries]
    lines += [
        "",
        "## Leaf functions (self time)",
        "",
        "| function | share | µs / request |",
        "|---|---:|---:|",
    ]
    lines += [f"| `{f}` | {share(n)} | {us(n)} |" for f, n in summary.leaves]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Start the servers, profile one worker under load, print and write the summary."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rate", type=int, default=100, help="py-spy samples per second")
    parser.add_argument("--native", action="store_true", help="native frames too (slower)")
    parser.add_argument(
        "--wall",
        action="store_true",
        help="every thread's samples (waits included), not only the thread holding the GIL",
    )
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", exchange.DEFAULT_PG_URL))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "profile")
    arguments = parser.parse_args()

    tools.ensure(("wrk",))
    py_spy = str(Path(sys.executable).with_name("py-spy"))
    if not Path(py_spy).exists():
        raise SystemExit("py-spy is missing: .venv/bin/pip install -r bench/requirements.txt")
    body = field_report_body()
    with tempfile.TemporaryDirectory(prefix="lgsp-profile-") as temp, procs.Fleet() as fleet:
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
            script = workdir / "post.lua"
            script.write_text(
                wrk.post_script(body, exchange.bearer_headers(server, ready.secret)())
            )
            url = server.url + province.PATH
            wrk.run(url, script=script, connections=arguments.connections, seconds=2)
            workers = server.workers()
            record = workdir / "stacks.txt"
            cpu_before = _cpu_seconds(workers)
            window = max(1, int(arguments.seconds - 3))
            load = subprocess.Popen(
                wrk.command(
                    url,
                    script=script,
                    connections=arguments.connections,
                    seconds=arguments.seconds,
                    threads=2,
                ),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            try:
                time.sleep(1.0)
                spy = [
                    py_spy,
                    "record",
                    "--pid",
                    str(workers[0].pid),
                    "--rate",
                    str(arguments.rate),
                    "--duration",
                    str(window),
                    "--format",
                    "raw",
                    "--output",
                    str(record),
                ]
                if arguments.native:
                    spy.append("--native")
                if not arguments.wall:
                    spy.append("--gil")
                subprocess.run(
                    spy, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
                output, _ = load.communicate(timeout=arguments.seconds + 30)
            finally:
                if load.poll() is None:
                    load.kill()
                    load.wait()
            cpu = _cpu_seconds(workers) - cpu_before
            measured = wrk.parse(output.decode("utf-8", errors="replace"))
            server.check_alive()
            # Read before the temporary directory goes.
            collapsed = record.read_text(encoding="utf-8") if record.exists() else ""
    summary = stacks.summarise(stacks.parse(collapsed))
    per_request = cpu / measured.requests * 1e6 if measured.requests else 0.0
    # Each sample stands for 1/rate s of one thread; the worker served its share of the
    # requests (rps / workers) during the window.
    served = measured.rps / arguments.workers * window
    sampled_us = 1e6 / arguments.rate / served if served else 0.0
    what = "all threads, waits included" if arguments.wall else "the thread holding the GIL"
    header = (
        f"# Profile of the exchange under load\n\nRevision {machine.git_revision(ROOT)}: "
        f"{arguments.store}, {arguments.workers} "
        f"worker(s), {arguments.connections} connections, {arguments.seconds:g} s of wrk: "
        f"{measured.rps:,.0f} req/s, p99 {measured.p99_ms:.1f} ms, {measured.errors} errors. "
        f"Worker CPU (psutil, user+system) {cpu:.1f} s for {measured.requests:,} requests = "
        f"**{per_request:,.0f} µs of CPU per request**. py-spy "
        f"{'--native ' if arguments.native else ''}at {arguments.rate} Hz for {window} s on one "
        f"worker, sampling {what}: {summary.total:,} samples = "
        f"{summary.total * sampled_us:,.0f} µs per request; each row's µs is its samples' "
        "time divided by the requests that worker served meanwhile."
    )
    text = render(summary, us_per_sample=sampled_us, header=header)
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.with_suffix(".md").write_text(text, encoding="utf-8")
    arguments.out.with_suffix(".collapsed").write_text(collapsed, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
