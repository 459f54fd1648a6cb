"""Writing a run's results: JSON, a Markdown report with the machine's description, a chart;
and the console summary."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from bench import report
from bench.report import Point
from bench.wrk import WrkResult


def console(points: Sequence[Point]) -> str:
    """The tables printed at the end of a run."""
    parts = []
    for store, workers in report.blocks(points):
        rows = report.block_rows(points, store, workers)
        parts.append(
            f"\n== {store}, {workers} worker{'s' if workers > 1 else ''} ==\n"
            + report.text_table(report.HEADER, [report.row_cells(r) for r in rows])
        )
    scaling = report.scaling(points)
    if scaling:
        parts.append(
            "\n== 1 -> 2 workers ==\n"
            + report.text_table(report.SCALING_HEADER, report.scaling_lines(scaling))
        )
    parts.append(
        "\n== goals (issue 5) ==\n"
        + report.text_table(report.GOAL_HEADER, report.goal_lines(report.goals(points)))
    )
    return "\n".join(parts)


def to_json(
    points: Sequence[Point],
    *,
    machine: Mapping[str, object],
    config: Mapping[str, object],
    elapsed_s: float,
) -> dict[str, object]:
    """Everything measured and derived, as one JSON document."""
    return {
        "machine": dict(machine),
        "config": dict(config),
        "elapsed_s": round(elapsed_s, 1),
        "points": [p.to_json() for p in points],
        "tables": {
            f"{store}/{workers}": [
                {
                    "scenario": r.point.scenario,
                    "connections": r.point.connections,
                    "rps": round(r.point.wrk.rps, 1),
                    "p50_ms": r.point.wrk.p50_ms,
                    "p99_ms": r.point.wrk.p99_ms,
                    "errors": r.point.errors,
                    "rps_vs_reference": _round(r.rps_vs_reference),
                    "p99_vs_reference": _round(r.p99_vs_reference),
                    "rps_vs_nginx": _round(r.rps_vs_nginx),
                    "tainted_by_errors": r.tainted,
                }
                for r in report.block_rows(points, store, workers)
            ]
            for store, workers in report.blocks(points)
        },
        "scaling": [
            {
                "scenario": s.scenario,
                "store": s.store,
                "connections": s.connections,
                "rps_1_worker": round(s.rps_1, 1),
                "rps_2_workers": round(s.rps_2, 1),
                "factor": round(s.factor, 3),
            }
            for s in report.scaling(points)
        ],
        "goals": [
            {
                "store": g.store,
                "workers": g.workers,
                "goal": g.goal,
                "measured": g.measured,
                "verdict": g.verdict,
            }
            for g in report.goals(points)
        ],
        "points_with_errors": len(report.error_points(points)),
    }


def points_from_json(document: Mapping[str, object]) -> list[Point]:
    """The points of a results document written by `to_json` (to render it again)."""
    raw = document.get("points")
    if not isinstance(raw, list):
        raise ValueError("the document has no points")
    machine = document.get("machine")
    cores = machine.get("cores", 2) if isinstance(machine, dict) else 2
    points = []
    for item in raw:
        measured = {k: v for k, v in item["wrk"].items() if k not in ("errors", "socket_errors")}
        points.append(
            Point(
                scenario=item["scenario"],
                connections=item["connections"],
                wrk=WrkResult(**measured),
                store=item["store"],
                workers=item["workers"],
                cpu_seconds=dict(item["cpu_seconds"]),
                rss_mb=tuple(item["rss_mb"]),
                cores=int(cores),
            )
        )
    return points


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def markdown(
    points: Sequence[Point],
    *,
    machine: Mapping[str, object],
    config: Mapping[str, object],
    elapsed_s: float,
    chart: str,
) -> str:
    """The Markdown report: machine, set-up, a table per block, scaling, goals, CPU, errors."""
    packages = machine.get("packages", {})
    assert isinstance(packages, Mapping)
    lines = [
        "# Benchmark results: the exchange against a bare passthrough and nginx",
        "",
        f"Measured {machine.get('date_utc')} by `python -m bench.run` "
        f"({'--quick, ' if config.get('quick') else ''}{elapsed_s:.0f} s); "
        f"revision {machine.get('revision')}.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        f"| CPU | {machine.get('cpu_model')}, {machine.get('cores')} cores |",
        f"| memory | {machine.get('memory_gib')} GiB |",
        f"| kernel | {machine.get('kernel')} |",
        f"| Python | {machine.get('python')} |",
        f"| load generator | {machine.get('wrk')} |",
        f"| reference proxy | {machine.get('nginx')} |",
        f"| stores | SQLite {machine.get('sqlite')}; {machine.get('postgresql')} |",
        "| packages | " + ", ".join(f"{k} {v}" for k, v in packages.items()) + " |",
        "",
        "## Set-up",
        "",
        f"Each point: {config.get('warmup_s'):g} s of warm-up, then {config.get('duration_s'):g} s "
        f"of wrk (`--latency`, {config.get('wrk_threads')} threads) POSTing the same "
        "~2 KB field report (a valid `phan-anh-hien-truong/v1` example, padded in "
        "`NoiDungPhanAnh`). Everything runs on this one machine on 127.0.0.1 and shares its "
        "cores: wrk, the server under test, the upstream and PostgreSQL.",
        "",
        "- **upstream**: aiohttp's low-level server (uvloop), reads the body, answers a small "
        f"JSON; {config.get('upstream_processes')} process(es). Driven directly: its own ceiling.",
        "- **nginx**: one worker, proxying to the upstream with kept-alive connections: the "
        "physical limit of a hop here.",
        "- **reference**: a raw ASGI callable under uvicorn (same worker count and defaults as "
        "`lgsp up`), forwarding the body with one pooled aiohttp session per worker.",
        "- **exchange**: `lgsp up` with a registry loaded through `POST /registry/load`: bearer "
        "token, access rule, Draft 2020-12 validation, signed audit entries committed (request "
        "and outcome), forward with the REST adapter, answer.",
        "",
        "Reference and exchange are measured alternately at each concurrency in the same block, "
        "so each ratio compares figures taken seconds apart. `*` marks a ratio where one "
        "of the points had errors: not a clean figure. `wrk cpu` is the load generator's CPU "
        "time over the capacity of all cores; `rss` the highest RSS of each serving process "
        "during the point.",
        "",
    ]
    for store, workers in report.blocks(points):
        rows = report.block_rows(points, store, workers)
        lines += [
            f"## {store}, {workers} worker{'s' if workers > 1 else ''}",
            "",
            report.markdown_table(report.HEADER, [report.row_cells(r) for r in rows]),
            "",
        ]
    scaling = report.scaling(points)
    if scaling:
        lines += [
            "## Scaling from 1 to 2 workers",
            "",
            report.markdown_table(report.SCALING_HEADER, report.scaling_lines(scaling)),
            "",
        ]
    lines += [
        "## Goals (issue 5; reported, never asserted)",
        "",
        report.markdown_table(report.GOAL_HEADER, report.goal_lines(report.goals(points))),
        "",
        "## Where the cores went",
        "",
        "CPU time of each role over the point, as a share of all cores' capacity; `machine busy` "
        "counts every process on the machine.",
        "",
        report.markdown_table(report.CPU_HEADER, report.cpu_lines(points)),
        "",
    ]
    bad = report.error_points(points)
    lines += ["## Errors", ""]
    if bad:
        for p in bad:
            w = p.wrk
            lines.append(
                f"- {p.scenario} {p.store or ''} w={p.workers or '-'} c={p.connections}: "
                f"{w.non_2xx} non-2xx, connect {w.connect_errors}, read {w.read_errors}, "
                f"write {w.write_errors}, timeout {w.timeouts}"
            )
    else:
        lines.append("None: every request of every point got a 2xx answer.")
    lines += [
        "",
        "## What limits these figures",
        "",
        "- All processes share the machine's cores (see *Where the cores went*): with one "
        "worker the server under test takes one core and the upstream and wrk part of the "
        "other; with two workers they all compete, so the 1 → 2 worker scaling cannot reach 2x.",
        "- nginx is bounded by the upstream, a single Python process (compare it with "
        "`upstream` alone): the hop limit measured here is the upstream's, not nginx's.",
        "- The machine is virtual: a point can move by 10-30% from one run to the next; the "
        "ratios, taken seconds apart, move less than the absolute figures.",
        "",
        "## Chart",
        "",
        f"![throughput and p99 against concurrency]({chart})",
        "",
    ]
    return "\n".join(lines)


def write(
    points: Sequence[Point],
    *,
    out: Path,
    machine: Mapping[str, object],
    config: Mapping[str, object],
    elapsed_s: float,
) -> list[Path]:
    """Write `out`.json, `out`.md and `out`.png; the paths written."""
    from bench import chart

    out.parent.mkdir(parents=True, exist_ok=True)
    json_path, md_path, png_path = (out.with_suffix(s) for s in (".json", ".md", ".png"))
    document = to_json(points, machine=machine, config=config, elapsed_s=elapsed_s)
    json_path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", "utf-8")
    chart.draw(
        points,
        png_path,
        title=f"LGSP exchange vs reference vs nginx — {machine.get('cpu_model')}, "
        f"{machine.get('cores')} cores, {machine.get('date_utc')}",
    )
    md_path.write_text(
        markdown(points, machine=machine, config=config, elapsed_s=elapsed_s, chart=png_path.name),
        "utf-8",
    )
    return [json_path, md_path, png_path]
