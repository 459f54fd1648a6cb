"""The brute-force brake: limit, sliding window, Retry-After, bounded memory."""

from __future__ import annotations

import pytest

from lgsp.auth.ratelimit import FailureBrake
from tests.unit.auth.conftest import FakeClock


def test_refuses_after_limit_failures_within_the_window() -> None:
    clock = FakeClock(now=0.0)
    brake = FailureBrake(limit=3, window_seconds=60, clock=clock)
    for _ in range(3):
        assert brake.retry_after("10.0.0.1") is None
        brake.record_failure("10.0.0.1")
        clock.advance(1)
    assert brake.retry_after("10.0.0.1") == 57  # the first failure leaves the window at t=60
    assert brake.retry_after("10.0.0.2") is None  # other addresses are not affected


def test_window_slides() -> None:
    clock = FakeClock(now=0.0)
    brake = FailureBrake(limit=2, window_seconds=60, clock=clock)
    brake.record_failure("a")
    clock.advance(30)
    brake.record_failure("a")
    assert brake.retry_after("a") == 30
    clock.advance(30)  # the first failure is now exactly one window old
    assert brake.retry_after("a") is None
    brake.record_failure("a")
    assert brake.retry_after("a") == 30


def test_retry_after_is_at_least_one_second() -> None:
    clock = FakeClock(now=0.0)
    brake = FailureBrake(limit=1, window_seconds=60, clock=clock)
    brake.record_failure("a")
    clock.advance(59.9)
    assert brake.retry_after("a") == 1


def test_forgotten_once_quiet() -> None:
    clock = FakeClock(now=0.0)
    brake = FailureBrake(limit=5, window_seconds=60, clock=clock)
    brake.record_failure("a")
    clock.advance(61)
    assert brake.retry_after("a") is None
    assert len(brake) == 0


def test_memory_is_bounded() -> None:
    clock = FakeClock(now=0.0)
    brake = FailureBrake(limit=2, window_seconds=60, max_keys=100, clock=clock)
    for i in range(10_000):
        brake.record_failure(f"10.0.{i // 256}.{i % 256}")
    assert len(brake) == 100
    # The most recent offenders are the ones remembered.
    brake.record_failure("10.0.39.15")
    assert brake.retry_after("10.0.39.15") == 60
    assert brake.retry_after("10.0.0.0") is None


def test_expired_keys_are_evicted_first() -> None:
    clock = FakeClock(now=0.0)
    brake = FailureBrake(limit=1, window_seconds=60, max_keys=2, clock=clock)
    brake.record_failure("old")
    clock.advance(61)
    brake.record_failure("a")
    assert len(brake) == 1  # "old" expired and went on the next write
    brake.record_failure("b")
    assert brake.retry_after("a") is not None
    assert brake.retry_after("b") is not None


@pytest.mark.parametrize(
    "kwargs", [{"limit": 0}, {"limit": 1, "window_seconds": 0}, {"limit": 1, "max_keys": 0}]
)
def test_refuses_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="positive"):
        FailureBrake(**kwargs)  # type: ignore[arg-type]
