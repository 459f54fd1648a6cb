"""Parsing what wrk prints, and the Lua script it runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench import wrk

CLEAN = """Running 1s test @ http://127.0.0.1:9555/r
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   623.59us    1.05ms  14.92ms   97.20%
    Req/Sec     8.24k   624.30     9.29k    70.00%
  Latency Distribution
     50%  438.00us
     75%  547.00us
     90%  669.00us
     99%    6.64ms
  16423 requests in 1.00s, 3.16MB read
Requests/sec:  16394.24
Transfer/sec:      3.16MB
"""

WITH_ERRORS = """Running 10s test @ http://127.0.0.1:8080/x
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    1.20s   300.00ms   2.00s    80.00%
    Req/Sec    20.00     5.00    40.00     70.00%
  Latency Distribution
     50%    1.10s
     75%    1.30s
     90%    1.60s
     99%    2.00s
  400 requests in 1.00m, 80.00KB read
  Socket errors: connect 1, read 2, write 3, timeout 4
  Non-2xx or 3xx responses: 17
Requests/sec:      6.66
Transfer/sec:      1.33KB
"""


def test_a_clean_run_is_parsed_with_its_units() -> None:
    result = wrk.parse(CLEAN)
    assert result.requests == 16423
    assert result.duration_s == pytest.approx(1.0)
    assert result.rps == pytest.approx(16394.24)
    assert result.latency_avg_ms == pytest.approx(0.62359)
    assert result.p50_ms == pytest.approx(0.438)
    assert result.p75_ms == pytest.approx(0.547)
    assert result.p90_ms == pytest.approx(0.669)
    assert result.p99_ms == pytest.approx(6.64)
    assert result.errors == 0


def test_errors_are_counted_never_dropped() -> None:
    result = wrk.parse(WITH_ERRORS)
    assert result.duration_s == pytest.approx(60.0)
    assert result.p50_ms == pytest.approx(1100.0)
    assert result.p99_ms == pytest.approx(2000.0)
    assert (result.connect_errors, result.read_errors, result.write_errors) == (1, 2, 3)
    assert result.timeouts == 4
    assert result.non_2xx == 17
    assert result.socket_errors == 10
    assert result.errors == 27
    assert result.to_json()["errors"] == 27


def test_output_without_the_latency_distribution_is_refused() -> None:
    without = re.sub(r"  Latency Distribution\n(     \d+%.*\n)+", "", CLEAN)
    with pytest.raises(wrk.WrkOutputError, match="--latency"):
        wrk.parse(without)


def test_output_of_a_failed_run_is_refused() -> None:
    with pytest.raises(wrk.WrkOutputError):
        wrk.parse("unable to connect to 127.0.0.1:9 Connection refused\n")


@pytest.mark.parametrize(
    ("text", "ms"),
    [("812.00us", 0.812), ("1.23ms", 1.23), ("2.00s", 2000.0), ("1.50m", 90_000.0)],
)
def test_times_are_converted_to_milliseconds(text: str, ms: float) -> None:
    assert wrk.milliseconds(text) == pytest.approx(ms)


def test_a_time_without_a_unit_is_refused() -> None:
    with pytest.raises(wrk.WrkOutputError):
        wrk.milliseconds("12")


def _unlua(literal: str) -> bytes:
    """Undo `lua_string` the way Lua reads it: `\\ddd` is one byte."""
    assert literal.startswith('"')
    assert literal.endswith('"')
    inner = literal[1:-1]
    assert '"' not in inner.replace('\\"', "")
    return re.sub(rb"\\(\d{3})", lambda m: bytes([int(m.group(1))]), inner.encode("ascii"))


def test_lua_strings_carry_any_bytes() -> None:
    data = 'ấ "q" \\ \n\t{"a":1}9'.encode() + bytes(range(256))
    literal = wrk.lua_string(data)
    assert literal.isascii()
    assert _unlua(literal) == data


def test_the_post_script_sets_method_body_and_headers() -> None:
    script = wrk.post_script(b'{"x":"\xc4\x91"}', {"Authorization": "Bearer abc"})
    assert 'wrk.method = "POST"' in script
    assert 'wrk.headers["Authorization"] = "Bearer abc"' in script
    body = re.search(r"^wrk\.body = (.*)$", script, flags=re.MULTILINE)
    assert body is not None
    assert _unlua(body.group(1)) == b'{"x":"\xc4\x91"}'


def test_the_command_asks_for_the_latency_distribution_and_bounds_threads(tmp_path: Path) -> None:
    argv = wrk.command(
        "http://127.0.0.1:1/x", script=tmp_path / "s.lua", connections=1, seconds=2.4, threads=2
    )
    assert "--latency" in argv
    assert "--threads=1" in argv  # wrk refuses more threads than connections
    assert "--duration=2s" in argv
    assert argv[-1] == "http://127.0.0.1:1/x"
