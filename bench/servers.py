"""Which ASGI server serves the exchange: uvicorn against granian, measured in one run.

    .venv/bin/python -m bench.servers [--workers 1] [--connections 32] [--duration 8]
                                      [--rounds 2]

One upstream; for each server, the reference passthrough and the exchange (SQLite, the
benchmark registry) under that server with the same worker count, driven by wrk
alternately, `--rounds` times. Prints req/s, p50, p99 and the server's CPU microseconds
per request, and writes `bench/results/servers.md`. granian comes with the `bench` extra.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bench import exchange, procs, province, report, tools
from bench import reference as reference_app
from bench.measure import Measurer, Target
from bench.payload import field_report_body
from bench.report import Point

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results" / "servers.md"
SERVERS = ("uvicorn", "granian")
PLAIN = {"Content-Type": "application/json"}


def _reference_argv(server: str, *, port: int, workers: int) -> list[str]:
    if server == "uvicorn":
        return reference_app.uvicorn_command(port=port, workers=workers)
    return [
        *(sys.executable, "-m", "granian", "--interface", "asgi", "--loop", "uvloop"),
        *("--http", "1", "--no-access-log", "--log-level", "warning"),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
        "bench.reference:app",
    ]


def _exchange_command(server: str) -> tuple[str, ...]:
    return (
        (exchange.LGSP, "up") if server == "uvicorn" else (sys.executable, "-m", "bench.granian_up")
    )


@contextmanager
def _pair(
    fleet: procs.Fleet,
    server: str,
    *,
    workdir: Path,
    upstream: procs.Server,
    workers: int,
    body: bytes,
) -> Iterator[tuple[Target, Target]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BENCH_UPSTREAM_URL": upstream.url}
    port = procs.free_port()
    reference = fleet.add(
        procs.start(
            f"reference-{server}",
            _reference_argv(server, port=port, workers=workers),
            port=port,
            log=workdir / f"reference-{server}.log",
            env=env,
            cwd=ROOT,
        )
    )
    procs.wait_http(reference, "/healthz")
    data_dir = workdir / f"var-{server}"
    served = exchange.start(
        fleet,
        workers=workers,
        data_dir=data_dir,
        database_url=None,
        log=workdir / f"exchange-{server}.log",
        command=_exchange_command(server),
    )
    secret = exchange.serving(
        served, data_dir=data_dir, upstream_url=upstream.url, body=body, workers=workers
    )
    bearer = exchange.bearer_headers(served, secret)
    try:
        yield (
            Target(
                f"reference-{server}",
                reference.url + "/reports",
                reference.processes,
                reference.workers,
                lambda: PLAIN,
                "sqlite",
                workers,
            ),
            Target(
                f"exchange-{server}",
                served.url + province.PATH,
                served.processes,
                served.workers,
                bearer,
                "sqlite",
                workers,
            ),
        )
    finally:
        fleet.stop(served)
        fleet.stop(reference)


def summary(points: Sequence[Point]) -> list[list[str]]:
    """One line per scenario: medians over the rounds."""
    lines = []
    for scenario in dict.fromkeys(p.scenario for p in points):
        mine = [p for p in points if p.scenario == scenario]
        rps = statistics.median(p.wrk.rps for p in mine)
        lines.append(
            [
                scenario,
                f"{rps:,.0f}",
                f"{statistics.median(p.wrk.p50_ms for p in mine):.2f}",
                f"{statistics.median(p.wrk.p99_ms for p in mine):.2f}",
                f"{statistics.median(p.server_us_per_request for p in mine):,.0f}",
                str(sum(p.errors for p in mine)),
            ]
        )
    return lines


HEADER = ("scenario", "req/s", "p50 ms", "p99 ms", "server µs/req", "errors")


def verdict(points: Sequence[Point]) -> str:
    """Each server's exchange throughput against uvicorn's, in words."""

    def median_rps(scenario: str) -> float:
        return statistics.median(p.wrk.rps for p in points if p.scenario == scenario)

    parts = []
    for kind in ("reference", "exchange"):
        base = median_rps(f"{kind}-uvicorn")
        other = median_rps(f"{kind}-granian")
        parts.append(f"{kind}: granian {100 * (other / base - 1):+.0f}% req/s against uvicorn")
    return "; ".join(parts) + "."


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, default=OUT)
    arguments = parser.parse_args(argv)
    try:
        tools.ensure(("wrk",))
    except tools.ToolsMissing as exc:
        raise SystemExit(str(exc)) from None
    body = field_report_body()
    points: list[Point] = []
    say: Callable[[str], None] = print
    with tempfile.TemporaryDirectory(prefix="lgsp-servers-") as temp, procs.Fleet() as fleet:
        workdir = Path(temp)
        upstream = exchange.start_upstream(fleet, workdir=workdir, root=ROOT)
        measurer = Measurer(
            workdir=workdir,
            upstream=upstream.processes,
            body=body,
            seconds=arguments.duration,
            warmup_seconds=arguments.warmup,
        )
        for server in SERVERS:
            with _pair(
                fleet,
                server,
                workdir=workdir,
                upstream=upstream,
                workers=arguments.workers,
                body=body,
            ) as targets:
                for _ in range(arguments.rounds):
                    for target in targets:
                        points.append(measurer.point(target, arguments.connections))
    table = report.text_table(HEADER, summary(points))
    say("\n" + table + "\n" + verdict(points))
    arguments.out.write_text(
        "# uvicorn or granian\n\n"
        f"`python -m bench.servers --workers {arguments.workers} --connections "
        f"{arguments.connections} --duration {arguments.duration:g} --rounds {arguments.rounds}`"
        ": SQLite, the same upstream, wrk with a ~2 KB field report; medians over the rounds. "
        "`server µs/req` is the CPU time of the server's processes per request.\n\n"
        + report.markdown_table(HEADER, summary(points))
        + f"\n\n{verdict(points)}\n",
        encoding="utf-8",
    )
    say(f"written: {arguments.out}")
    return 1 if any(p.errors for p in points) else 0


if __name__ == "__main__":
    sys.exit(main())
