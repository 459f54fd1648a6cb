"""The PNG chart: throughput and p99 against concurrency, one column per worker count."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bench.report import BASELINES, Point


def series(points: Sequence[Point], workers: int) -> dict[str, list[Point]]:
    """The lines of one column: each baseline, and each (scenario, store) of `workers`."""
    lines: dict[str, list[Point]] = {}
    for point in sorted(points, key=lambda p: p.connections):
        if point.scenario in BASELINES:
            label = point.scenario
        elif point.workers == workers:
            label = f"{point.scenario} ({point.store})"
        else:
            continue
        lines.setdefault(label, []).append(point)
    return lines


def draw(points: Sequence[Point], path: Path, *, title: str) -> None:
    """Write the chart to `path` (matplotlib's Agg backend: no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    worker_counts = sorted({p.workers for p in points if p.workers is not None}) or [1]
    figure, axes = plt.subplots(
        2, len(worker_counts), figsize=(6.5 * len(worker_counts), 8), squeeze=False
    )
    for column, workers in enumerate(worker_counts):
        throughput, p99 = axes[0][column], axes[1][column]
        for label, line in series(points, workers).items():
            x = [p.connections for p in line]
            style = "--" if line[0].scenario in BASELINES else "-"
            marker = "x" if any(p.errors for p in line) else "o"
            throughput.plot(x, [p.wrk.rps for p in line], style, marker=marker, label=label)
            p99.plot(x, [p.wrk.p99_ms for p in line], style, marker=marker, label=label)
        throughput.set_title(f"{workers} worker{'s' if workers > 1 else ''}: throughput")
        throughput.set_ylabel("requests/s (log)")
        p99.set_title(f"{workers} worker{'s' if workers > 1 else ''}: p99 latency")
        p99.set_ylabel("p99 ms (log)")
        for axis in (throughput, p99):
            axis.set_yscale("log")
            axis.set_xlabel("connections (wrk)")
            axis.set_xticks(sorted({p.connections for p in points}))
            axis.grid(True, which="both", alpha=0.3)
        throughput.legend(fontsize="small")
    figure.suptitle(title, fontsize="medium")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
