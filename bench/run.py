"""The benchmark harness: the full exchange against a bare passthrough and nginx, same run.

    .venv/bin/python -m bench.run [--quick] [--stores sqlite,postgres] [--workers 1,2]
                                  [--connections 8,32,64] [--duration 10]

Starts on 127.0.0.1 an upstream, nginx in front of it, the reference passthrough and the
exchange (`lgsp up`), drives each with wrk and writes bench/results/latest.{json,md,png}
(`--quick`: quick.*). See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from bench.report import Point

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def _ints(text: str) -> list[int]:
    values = [int(v) for v in text.split(",") if v.strip()]
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"expected positive integers separated by commas: {text}")
    return values


def _stores(text: str) -> list[str]:
    values = [v.strip() for v in text.split(",") if v.strip()]
    unknown = set(values) - {"sqlite", "postgres"}
    if not values or unknown:
        raise argparse.ArgumentTypeError("stores are sqlite and/or postgres")
    return values


@dataclass(frozen=True)
class Config:
    """What one run measures and for how long."""

    stores: list[str]
    workers: list[int]
    connections: list[int]
    seconds: float
    warmup_seconds: float
    threads: int
    upstream_processes: int
    pg_url: str
    out: Path
    quick: bool
    render: Path | None = None
    journal_writers: int | None = None

    def to_json(self) -> dict[str, object]:
        """The configuration as JSON-ready values (the database URL without credentials)."""
        return {
            "stores": self.stores,
            "workers": self.workers,
            "connections": self.connections,
            "duration_s": self.seconds,
            "warmup_s": self.warmup_seconds,
            "wrk_threads": self.threads,
            "upstream_processes": self.upstream_processes,
            "journal_writers": self.journal_writers,
            "quick": self.quick,
        }


def parse_arguments(argv: Sequence[str] | None = None) -> Config:
    """The run's configuration from the command line (`--quick` changes the defaults)."""
    from bench.exchange import DEFAULT_PG_URL

    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="32 connections, 3 s runs")
    parser.add_argument("--stores", type=_stores, default=["sqlite", "postgres"])
    parser.add_argument("--workers", type=_ints, default=[1, 2])
    parser.add_argument("--connections", type=_ints, default=None, help="default 8,32,64")
    parser.add_argument("--duration", type=float, default=None, help="seconds per point (10)")
    parser.add_argument("--warmup", type=float, default=None, help="seconds before each (2)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--upstream-processes", type=int, default=1)
    parser.add_argument(
        "--journal-writers",
        type=int,
        default=None,
        help="LGSP_JOURNAL_WRITERS for the exchange (default: the exchange's own default)",
    )
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument("--out", type=Path, default=None, help="results path without suffix")
    parser.add_argument(
        "--render", type=Path, default=None, help="only rewrite .md and .png from this .json"
    )
    arguments = parser.parse_args(argv)
    quick = bool(arguments.quick)
    return Config(
        stores=arguments.stores,
        workers=arguments.workers,
        connections=arguments.connections or ([32] if quick else [8, 32, 64]),
        seconds=arguments.duration or (3.0 if quick else 10.0),
        warmup_seconds=arguments.warmup
        if arguments.warmup is not None
        else (1.0 if quick else 2.0),
        threads=arguments.threads,
        upstream_processes=arguments.upstream_processes,
        journal_writers=arguments.journal_writers,
        pg_url=arguments.pg_url,
        out=arguments.out or RESULTS / ("quick" if quick else "latest"),
        quick=quick,
        render=arguments.render,
    )


def _require_modules() -> None:
    missing = []
    for module in ("psutil", "matplotlib"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise SystemExit(
            f"missing Python packages: {', '.join(missing)}; install them with "
            "`.venv/bin/pip install -e '.[dev]'` (or -r bench/requirements.txt)"
        )


def _terminate(signum: int, _frame: FrameType | None) -> None:
    # SIGTERM ends the run through the normal unwinding, so every server is stopped.
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; 0 if every point ran without errors, 2 if some had errors."""
    config = parse_arguments(argv)
    _require_modules()
    if config.render is not None:
        return render(config.render)
    signal.signal(signal.SIGTERM, _terminate)

    from bench import exchange, machine, results, tools
    from bench.payload import field_report_body

    try:
        paths = tools.ensure(("wrk", "nginx"))
    except tools.ToolsMissing as exc:
        raise SystemExit(str(exc)) from None
    postgres = None
    if "postgres" in config.stores:
        try:
            postgres = exchange.postgres_version(config.pg_url)
        except RuntimeError as exc:
            raise SystemExit(str(exc)) from None
    body = field_report_body()
    described = machine.describe(ROOT, wrk=paths["wrk"], nginx=paths["nginx"], postgres=postgres)
    print(
        f"bench: {described['cpu_model']}, {described['cores']} cores; body {len(body)} bytes; "
        f"stores {','.join(config.stores)}, workers {','.join(map(str, config.workers))}, "
        f"connections {','.join(map(str, config.connections))}, {config.seconds:g} s per point"
    )
    started = time.monotonic()
    points: list[Point] = []
    try:
        measure_all(config, points, body=body, nginx=paths["nginx"])
    except BaseException:
        # Keep what was measured before the failure, apart from the committed results.
        if points:
            partial = config.out.with_name(config.out.name + "-partial.json")
            document = results.to_json(
                points,
                machine=described,
                config=config.to_json(),
                elapsed_s=time.monotonic() - started,
            )
            partial.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", "utf-8")
            print(f"\nthe run failed; the {len(points)} points measured are in {partial}")
        raise
    elapsed = time.monotonic() - started
    written = results.write(
        points, out=config.out, machine=described, config=config.to_json(), elapsed_s=elapsed
    )
    print(results.console(points))
    shown = ", ".join(str(p.relative_to(ROOT) if p.is_relative_to(ROOT) else p) for p in written)
    print(f"\nwritten: {shown} ({elapsed:.0f} s)")
    bad = [p for p in points if p.errors]
    if bad:
        print(f"\nWARNING: {len(bad)} point(s) had errors; their figures are not clean (see *).")
        return 2
    return 0


def render(path: Path) -> int:
    """Rewrite the Markdown report and the chart of an earlier run from its JSON."""
    from bench import results

    document = json.loads(path.read_text(encoding="utf-8"))
    points = results.points_from_json(document)
    written = results.write(
        points,
        out=path.with_suffix(""),
        machine=document["machine"],
        config=document["config"],
        elapsed_s=float(document["elapsed_s"]),
    )
    print(results.console(points))
    print(f"\nwritten: {', '.join(str(p) for p in written)}")
    return 0


def measure_all(config: Config, points: list[Point], *, body: bytes, nginx: str) -> None:
    """Start every server, measure every point into `points`, stop everything (whatever
    happens)."""
    from bench import exchange, procs, province
    from bench import nginx as nginx_conf
    from bench import reference as reference_app
    from bench.measure import Measurer, Target

    with tempfile.TemporaryDirectory(prefix="lgsp-bench-") as temp, procs.Fleet() as fleet:
        workdir = Path(temp)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        upstream = exchange.start_upstream(
            fleet, workdir=workdir, root=ROOT, processes=config.upstream_processes
        )
        prefix = workdir / "nginx"
        prefix.mkdir()
        port = procs.free_port()
        conf = prefix / "nginx.conf"
        conf.write_text(
            nginx_conf.config(
                prefix=prefix, port=port, upstream_port=upstream.port, as_root=os.geteuid() == 0
            ),
            encoding="utf-8",
        )
        proxy = fleet.add(
            procs.start(
                "nginx",
                nginx_conf.command(nginx, conf=conf, prefix=prefix),
                port=port,
                log=workdir / "nginx.log",
            )
        )
        procs.wait_http(proxy, "/")

        measurer = Measurer(
            workdir=workdir,
            upstream=upstream.processes,
            body=body,
            seconds=config.seconds,
            warmup_seconds=config.warmup_seconds,
            threads=config.threads,
        )
        plain = {"Content-Type": "application/json"}
        print("baselines (measured once: no store, no Python worker)")
        for connections in config.connections:
            for scenario, server in (("upstream", upstream), ("nginx", proxy)):
                target = Target(
                    scenario=scenario,
                    url=server.url + "/reports",
                    server=server.processes,
                    workers=server.workers,
                    headers=lambda: plain,
                )
                points.append(measurer.point(target, connections))

        for workers in config.workers:
            port = procs.free_port()
            reference = fleet.add(
                procs.start(
                    "reference",
                    reference_app.uvicorn_command(port=port, workers=workers),
                    port=port,
                    log=workdir / f"reference-{workers}.log",
                    cwd=ROOT,
                    env={**env, "BENCH_UPSTREAM_URL": upstream.url},
                )
            )
            procs.wait_http(reference, "/healthz")
            for store in config.stores:
                print(f"{store}, {workers} worker{'s' if workers > 1 else ''}")
                with exchange.database(store, pg_url=config.pg_url) as database_url:
                    data_dir = workdir / f"var-{store}-{workers}"
                    server = exchange.start(
                        fleet,
                        workers=workers,
                        data_dir=data_dir,
                        database_url=database_url,
                        log=workdir / f"exchange-{store}-{workers}.log",
                        settings=(
                            {"journal_writers": str(config.journal_writers)}
                            if config.journal_writers is not None
                            else {}
                        ),
                    )
                    try:
                        secret = exchange.serving(
                            server,
                            data_dir=data_dir,
                            upstream_url=upstream.url,
                            body=body,
                            workers=workers,
                        )
                        bearer = exchange.bearer_headers(server, secret)
                        targets = [
                            Target(
                                "reference",
                                reference.url + "/reports",
                                reference.processes,
                                reference.workers,
                                lambda: plain,
                                store,
                                workers,
                            ),
                            Target(
                                "exchange",
                                server.url + province.PATH,
                                server.processes,
                                server.workers,
                                bearer,
                                store,
                                workers,
                            ),
                        ]
                        for connections in config.connections:
                            for target in targets:
                                points.append(measurer.point(target, connections))
                        server.check_alive()
                    finally:
                        fleet.stop(server)
            fleet.stop(reference)


if __name__ == "__main__":
    sys.exit(main())
