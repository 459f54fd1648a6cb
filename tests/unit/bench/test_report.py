"""Ratios to the same-run reference and to nginx, scaling, goals, and the tables."""

from __future__ import annotations

import json

import pytest

from bench import report, results
from bench.report import Point
from bench.wrk import WrkResult


def _wrk(rps: float, p99: float, *, non_2xx: int = 0, timeouts: int = 0) -> WrkResult:
    return WrkResult(
        requests=int(rps * 10),
        duration_s=10.0,
        rps=rps,
        latency_avg_ms=p99 / 2,
        p50_ms=p99 / 3,
        p75_ms=p99 / 2,
        p90_ms=p99 / 1.5,
        p99_ms=p99,
        non_2xx=non_2xx,
        timeouts=timeouts,
    )


def _points(*, exchange_errors: int = 0) -> list[Point]:
    return [
        Point("nginx", 32, _wrk(20_000, 3.0)),
        Point("upstream", 32, _wrk(21_000, 2.0)),
        Point("reference", 32, _wrk(5_000, 10.0), store="sqlite", workers=1),
        Point(
            "exchange",
            32,
            _wrk(3_500, 14.0, non_2xx=exchange_errors),
            "sqlite",
            1,
            cpu_seconds={"server": 7.0, "loadgen": 1.0},
            rss_mb=(120.0,),
        ),
        Point("reference", 32, _wrk(8_000, 8.0), store="sqlite", workers=2),
        Point("exchange", 32, _wrk(4_000, 16.0), store="sqlite", workers=2, rss_mb=(140.0, 160.0)),
        Point("reference", 32, _wrk(5_100, 10.0), store="postgres", workers=1),
        Point("exchange", 32, _wrk(2_000, 20.0), store="postgres", workers=1),
    ]


def test_blocks_are_each_store_and_worker_count() -> None:
    assert report.blocks(_points()) == [("postgres", 1), ("sqlite", 1), ("sqlite", 2)]


def test_rows_compare_with_the_reference_of_the_same_block_and_with_nginx() -> None:
    rows = {r.point.scenario: r for r in report.block_rows(_points(), "sqlite", 1)}
    assert list(rows) == ["upstream", "nginx", "reference", "exchange"]
    exchange = rows["exchange"]
    assert exchange.rps_vs_reference == pytest.approx(0.70)
    assert exchange.p99_vs_reference == pytest.approx(1.4)
    assert exchange.rps_vs_nginx == pytest.approx(0.175)
    assert rows["reference"].rps_vs_reference == pytest.approx(1.0)
    assert rows["nginx"].rps_vs_nginx == pytest.approx(1.0)
    assert not exchange.tainted


def test_the_other_store_has_its_own_reference() -> None:
    rows = {r.point.scenario: r for r in report.block_rows(_points(), "postgres", 1)}
    assert rows["exchange"].rps_vs_reference == pytest.approx(2_000 / 5_100)


def test_errors_taint_the_point_and_what_is_compared_with_it() -> None:
    rows = report.block_rows(_points(exchange_errors=5), "sqlite", 1)
    tainted = {r.point.scenario: r.tainted for r in rows}
    assert tainted == {"upstream": False, "nginx": False, "reference": False, "exchange": True}
    cells = report.row_cells(next(r for r in rows if r.point.scenario == "exchange"))
    assert cells[5] == "5 !"
    assert cells[6].endswith("*")
    assert [p.scenario for p in report.error_points(_points(exchange_errors=5))] == ["exchange"]


def test_scaling_is_two_workers_over_one_per_store() -> None:
    scaling = {(s.scenario, s.store): s.factor for s in report.scaling(_points())}
    assert scaling == {
        ("reference", "sqlite"): pytest.approx(1.6),
        ("exchange", "sqlite"): pytest.approx(4_000 / 3_500),
    }


def test_goals_give_a_verdict_per_block() -> None:
    verdicts = {(g.store, g.workers, g.goal.split()[0]): g.verdict for g in report.goals(_points())}
    assert verdicts[("sqlite", 1, "throughput")] == "met"  # 70% ≥ 60%
    assert verdicts[("sqlite", 1, "p99")] == "met"  # 1.4x ≤ 1.5x
    assert verdicts[("sqlite", 1, "RSS")] == "met"
    assert verdicts[("sqlite", 2, "throughput")] == "not met"  # 50%
    assert verdicts[("sqlite", 2, "p99")] == "not met"  # 2x
    assert verdicts[("sqlite", 2, "RSS")] == "not met"  # one worker at 160 MiB
    assert verdicts[("postgres", 1, "distance")] == "reported"


def test_a_goal_measured_with_errors_is_invalid_not_met() -> None:
    goals = report.goals(_points(exchange_errors=1))
    throughput = next(g for g in goals if g.store == "sqlite" and g.workers == 1)
    assert throughput.verdict == "invalid (errors)"


def test_a_goal_without_its_concurrency_is_not_measured() -> None:
    assert {g.verdict for g in report.goals(_points(), connections=64)} == {
        "not measured",
        "met",
        "not met",
    }


def test_cpu_shares_are_of_all_cores_over_the_run() -> None:
    exchange = next(p for p in _points() if p.scenario == "exchange")
    assert exchange.cpu_share("server") == pytest.approx(7.0 / (10.0 * 2))
    assert exchange.cpu_share("postgres") == 0.0
    assert exchange.server_us_per_request == pytest.approx(7.0 / 35_000 * 1e6)


def test_text_tables_align_columns() -> None:
    text = report.text_table(("name", "n"), [["a", "1"], ["long", "100"]])
    lines = text.splitlines()
    assert len({len(line) for line in lines}) == 1
    assert lines[2].startswith("a   ")
    assert lines[3].endswith("100")


def test_markdown_tables_have_a_header_and_alignment_row() -> None:
    table = report.markdown_table(("name", "n"), [["a", "1"]])
    assert table.splitlines() == ["| name | n |", "| --- | ---: |", "| a | 1 |"]


def test_the_rss_goal_is_in_decimal_megabytes() -> None:
    point = Point("exchange", 8, _wrk(1_000, 10.0), "sqlite", 1, rss_mb=(144.0,))
    (rss,) = [g for g in report.goals([point]) if g.goal.startswith("RSS")]
    assert rss.measured == "max 144 MiB = 151 MB"
    assert rss.verdict == "not met"


def test_results_read_back_from_their_json_are_the_same_points() -> None:
    points = _points(exchange_errors=3)
    document = results.to_json(points, machine={"cores": 2}, config={}, elapsed_s=1.0)
    again = results.points_from_json(json.loads(json.dumps(document)))
    assert [p.to_json() for p in again] == [p.to_json() for p in points]
    assert results.to_json(again, machine={"cores": 2}, config={}, elapsed_s=1.0) == document


def test_the_server_comparison_takes_medians_per_scenario_in_order() -> None:
    from bench import servers

    points = [
        Point("reference-uvicorn", 32, _wrk(8_000, 9.0), cpu_seconds={"server": 8.0}),
        Point("exchange-uvicorn", 32, _wrk(1_200, 30.0), cpu_seconds={"server": 9.6}),
        Point("reference-uvicorn", 32, _wrk(9_000, 12.0), cpu_seconds={"server": 9.0}),
        Point("exchange-uvicorn", 32, _wrk(1_000, 40.0, non_2xx=3), cpu_seconds={"server": 8.0}),
    ]
    lines = servers.summary(points)
    assert [line[0] for line in lines] == ["reference-uvicorn", "exchange-uvicorn"]
    assert lines[0][1:5] == ["8,500", "3.50", "10.50", "100"]
    assert lines[1][1:6] == ["1,100", "11.67", "35.00", "800", "3"]


def test_the_server_verdict_compares_granian_with_uvicorn() -> None:
    from bench import servers

    points = [
        Point("reference-uvicorn", 32, _wrk(8_000, 9.0)),
        Point("exchange-uvicorn", 32, _wrk(1_000, 30.0)),
        Point("reference-granian", 32, _wrk(6_000, 9.0)),
        Point("exchange-granian", 32, _wrk(1_100, 30.0)),
    ]
    assert servers.verdict(points) == (
        "reference: granian -25% req/s against uvicorn; "
        "exchange: granian +10% req/s against uvicorn."
    )


def test_the_floor_times_every_step_with_the_project_s_own_functions() -> None:
    from bench import floor

    measured = floor.steps(rounds=8)
    names = [name for name, _ in measured]
    assert names[-1] == "2 Ed25519 signatures"
    assert "validate (jsonschema-rs)" in names
    assert all(us > 0 for _, us in measured)
