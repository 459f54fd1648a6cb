"""Results of a run: points, ratios to the same-run reference and to nginx, scaling, goals,
and their rendering as text and Markdown. Pure: no servers, no clock."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bench.wrk import WrkResult

REFERENCE = "reference"
EXCHANGE = "exchange"
NGINX = "nginx"
UPSTREAM = "upstream"
# Store- and worker-independent scenarios, measured once and shown in every block.
BASELINES = (NGINX, UPSTREAM)
ORDER = {UPSTREAM: 0, NGINX: 1, REFERENCE: 2, EXCHANGE: 3}

# The goals of issue 5, reported (never asserted).
GOAL_CONNECTIONS = 32
GOAL_THROUGHPUT_RATIO = 0.60
GOAL_P99_RATIO = 1.5
GOAL_RSS_MB = 150.0  # decimal megabytes
MB_PER_MIB = 1.048576


@dataclass(frozen=True, slots=True)
class Point:
    """One measured scenario at one concurrency."""

    scenario: str
    connections: int
    wrk: WrkResult
    store: str | None = None
    workers: int | None = None
    # CPU seconds over the measured run, by role (loadgen, server, upstream, postgres, machine).
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    # Highest RSS of each serving process during the run, in MiB.
    rss_mb: tuple[float, ...] = ()
    cores: int = 2

    @property
    def errors(self) -> int:
        """Requests without a 2xx/3xx answer."""
        return self.wrk.errors

    def cpu_share(self, role: str) -> float:
        """`role`'s CPU time as a share of the machine's capacity over the run (all cores)."""
        capacity = self.wrk.duration_s * self.cores
        return self.cpu_seconds.get(role, 0.0) / capacity if capacity > 0 else 0.0

    @property
    def server_us_per_request(self) -> float:
        """CPU time of the server under test per request, in microseconds."""
        requests = self.wrk.requests
        return self.cpu_seconds.get("server", 0.0) / requests * 1e6 if requests else 0.0

    def to_json(self) -> dict[str, object]:
        """The point as JSON-ready values."""
        return {
            "scenario": self.scenario,
            "store": self.store,
            "workers": self.workers,
            "connections": self.connections,
            "wrk": self.wrk.to_json(),
            "cpu_seconds": {k: round(v, 3) for k, v in self.cpu_seconds.items()},
            "cpu_share": {k: round(self.cpu_share(k), 4) for k in self.cpu_seconds},
            "server_cpu_us_per_request": round(self.server_us_per_request, 1),
            "rss_mb": [round(r, 1) for r in self.rss_mb],
        }


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a block's table: a point and its ratios."""

    point: Point
    rps_vs_reference: float | None
    p99_vs_reference: float | None
    rps_vs_nginx: float | None
    # True when this point or one it is compared with had errors: its ratios are not clean.
    tainted: bool


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator > 0 else None


def find(
    points: Iterable[Point],
    scenario: str,
    connections: int,
    *,
    store: str | None = None,
    workers: int | None = None,
) -> Point | None:
    """The point of `scenario` at `connections` in the block (`store`, `workers`), if any;
    baselines belong to no block."""
    for point in points:
        if point.scenario != scenario or point.connections != connections:
            continue
        if scenario in BASELINES or (point.store == store and point.workers == workers):
            return point
    return None


def blocks(points: Iterable[Point]) -> list[tuple[str, int]]:
    """The (store, workers) blocks measured, in a stable order."""
    found = {
        (p.store, p.workers)
        for p in points
        if p.scenario not in BASELINES and p.store is not None and p.workers is not None
    }
    return sorted((s, w) for s, w in found if s is not None and w is not None)


def block_rows(points: Sequence[Point], store: str, workers: int) -> list[Row]:
    """The block's table: baselines and its own points, each compared with the block's
    reference and with nginx at the same concurrency."""
    mine = [
        p for p in points if p.scenario in BASELINES or (p.store == store and p.workers == workers)
    ]
    rows = []
    for point in sorted(mine, key=lambda p: (p.connections, ORDER.get(p.scenario, 9))):
        reference = find(points, REFERENCE, point.connections, store=store, workers=workers)
        nginx = find(points, NGINX, point.connections)
        compared = [point, *(c for c in (reference, nginx) if c is not None)]
        rows.append(
            Row(
                point=point,
                rps_vs_reference=_ratio(point.wrk.rps, reference.wrk.rps) if reference else None,
                p99_vs_reference=(
                    _ratio(point.wrk.p99_ms, reference.wrk.p99_ms) if reference else None
                ),
                rps_vs_nginx=_ratio(point.wrk.rps, nginx.wrk.rps) if nginx else None,
                tainted=any(c.errors for c in compared),
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class Scaling:
    """Throughput with two workers over one, for one scenario, store and concurrency."""

    scenario: str
    store: str
    connections: int
    rps_1: float
    rps_2: float

    @property
    def factor(self) -> float:
        """rps with 2 workers / rps with 1."""
        return self.rps_2 / self.rps_1 if self.rps_1 > 0 else 0.0


def scaling(points: Sequence[Point]) -> list[Scaling]:
    """The 1 → 2 worker scaling of every scenario measured with both worker counts."""
    out = []
    for store in sorted({p.store for p in points if p.store is not None}):
        for scenario in (REFERENCE, EXCHANGE):
            for connections in sorted({p.connections for p in points}):
                one = find(points, scenario, connections, store=store, workers=1)
                two = find(points, scenario, connections, store=store, workers=2)
                if one and two:
                    out.append(Scaling(scenario, store, connections, one.wrk.rps, two.wrk.rps))
    return out


@dataclass(frozen=True, slots=True)
class Goal:
    """One goal of issue 5 for one block, with the measured figure and its verdict."""

    store: str
    workers: int
    goal: str
    measured: str
    verdict: str  # "met", "not met", "invalid (errors)", "not measured"


def _verdict(ok: bool, tainted: bool) -> str:
    if tainted:
        return "invalid (errors)"
    return "met" if ok else "not met"


def goals(points: Sequence[Point], *, connections: int = GOAL_CONNECTIONS) -> list[Goal]:
    """Each block's standing against the goals: throughput and p99 against the reference
    at `connections`, the distance to nginx, RSS per worker under load."""
    out = []
    for store, workers in blocks(points):
        exchange = find(points, EXCHANGE, connections, store=store, workers=workers)
        reference = find(points, REFERENCE, connections, store=store, workers=workers)
        nginx = find(points, NGINX, connections)
        if exchange is None or reference is None:
            for goal in (
                f"throughput ≥ {GOAL_THROUGHPUT_RATIO:.0%} of reference @ {connections} conn",
                f"p99 ≤ {GOAL_P99_RATIO:g}x reference @ {connections} conn",
            ):
                out.append(Goal(store, workers, goal, "—", "not measured"))
        else:
            tainted = bool(exchange.errors or reference.errors)
            rps = exchange.wrk.rps / reference.wrk.rps if reference.wrk.rps else 0.0
            p99 = exchange.wrk.p99_ms / reference.wrk.p99_ms if reference.wrk.p99_ms else 0.0
            out.append(
                Goal(
                    store,
                    workers,
                    f"throughput ≥ {GOAL_THROUGHPUT_RATIO:.0%} of reference @ {connections} conn",
                    f"{rps:.0%} ({exchange.wrk.rps:,.0f} / {reference.wrk.rps:,.0f} req/s)",
                    _verdict(rps >= GOAL_THROUGHPUT_RATIO, tainted),
                )
            )
            out.append(
                Goal(
                    store,
                    workers,
                    f"p99 ≤ {GOAL_P99_RATIO:g}x reference @ {connections} conn",
                    f"{p99:.2f}x ({exchange.wrk.p99_ms:.2f} / {reference.wrk.p99_ms:.2f} ms)",
                    _verdict(p99 <= GOAL_P99_RATIO, tainted),
                )
            )
            if nginx is not None:
                out.append(
                    Goal(
                        store,
                        workers,
                        f"distance to nginx @ {connections} conn (reported)",
                        f"{exchange.wrk.rps / nginx.wrk.rps:.1%} of nginx's "
                        f"{nginx.wrk.rps:,.0f} req/s",
                        "reported",
                    )
                )
        rss = [
            r
            for p in points
            if p.scenario == EXCHANGE and p.store == store and p.workers == workers
            for r in p.rss_mb
        ]
        if rss:
            out.append(
                Goal(
                    store,
                    workers,
                    f"RSS per worker ≤ {GOAL_RSS_MB:.0f} MB under load",
                    f"max {max(rss):.0f} MiB = {max(rss) * MB_PER_MIB:.0f} MB",
                    # Decimal megabytes, as the goal is written: a unit must not pass it.
                    "met" if max(rss) * MB_PER_MIB <= GOAL_RSS_MB else "not met",
                )
            )
    return out


# -- rendering ------------------------------------------------------------------------------

HEADER = (
    "scenario",
    "conn",
    "req/s",
    "p50 ms",
    "p99 ms",
    "errors",
    "rps/ref",
    "p99/ref",
    "rps/nginx",
    "wrk cpu",
    "rss MiB",
)


def _x(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def row_cells(row: Row) -> list[str]:
    """The cells of one table line."""
    p = row.point
    errors = f"{p.errors} !" if p.errors else "0"
    ratio_mark = " *" if row.tainted else ""
    return [
        p.scenario,
        str(p.connections),
        f"{p.wrk.rps:,.0f}",
        f"{p.wrk.p50_ms:.2f}",
        f"{p.wrk.p99_ms:.2f}",
        errors,
        _x(row.rps_vs_reference) + ratio_mark,
        _x(row.p99_vs_reference) + ratio_mark,
        _x(row.rps_vs_nginx) + ratio_mark,
        f"{p.cpu_share('loadgen'):.0%}",
        "/".join(f"{r:.0f}" for r in p.rss_mb) or "—",
    ]


def text_table(header: Sequence[str], lines: Sequence[Sequence[str]]) -> str:
    """A plain aligned table: text columns left, figures right."""
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]

    def fmt(cells: Sequence[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([fmt(header), fmt(["-" * w for w in widths]), *(fmt(line) for line in lines)])


def markdown_table(header: Sequence[str], lines: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured Markdown table."""
    align = ["---" if i == 0 else "---:" for i in range(len(header))]
    return "\n".join(
        "| " + " | ".join(cells) + " |" for cells in [list(header), align, *map(list, lines)]
    )


def scaling_lines(rows: Sequence[Scaling]) -> list[list[str]]:
    """The cells of the scaling table."""
    return [
        [
            s.scenario,
            s.store,
            str(s.connections),
            f"{s.rps_1:,.0f}",
            f"{s.rps_2:,.0f}",
            f"{s.factor:.2f}x",
        ]
        for s in rows
    ]


SCALING_HEADER = ("scenario", "store", "conn", "req/s 1 worker", "req/s 2 workers", "scaling")
GOAL_HEADER = ("store", "workers", "goal", "measured", "verdict")


def goal_lines(rows: Sequence[Goal]) -> list[list[str]]:
    """The cells of the goals table."""
    return [[g.store, str(g.workers), g.goal, g.measured, g.verdict] for g in rows]


def cpu_lines(points: Sequence[Point]) -> list[list[str]]:
    """Where the cores went during each point: load generator, server, upstream, postgres."""
    roles = ("loadgen", "server", "upstream", "postgres", "machine")
    lines = []
    for p in sorted(
        points,
        key=lambda p: (p.store or "", p.workers or 0, p.connections, ORDER.get(p.scenario, 9)),
    ):
        lines.append(
            [
                p.scenario,
                p.store or "—",
                str(p.workers or "—"),
                str(p.connections),
                *(f"{p.cpu_share(role):.0%}" for role in roles),
                f"{p.server_us_per_request:,.0f}",
            ]
        )
    return lines


CPU_HEADER = (
    "scenario",
    "store",
    "workers",
    "conn",
    "wrk",
    "server",
    "upstream",
    "postgres",
    "machine busy",
    "server µs/req",
)


def error_points(points: Iterable[Point]) -> list[Point]:
    """The points whose run had errors (non-2xx answers or socket errors)."""
    return [p for p in points if p.errors]
