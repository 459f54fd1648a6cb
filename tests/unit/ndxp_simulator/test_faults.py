"""Fault decisions: reproducible with a seed, limited to the services named."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ndxp_client.simulator.faults import NO_FAULT, FaultInjector, FaultSettings


def _fates(injector: FaultInjector, n: int = 500) -> list[str | None]:
    return [injector.decide("svc").name for _ in range(n)]


def test_a_seed_makes_the_sequence_repeat_and_the_rates_hold() -> None:
    settings = FaultSettings(error_rate=0.2, drop_rate=0.1, seed=9)
    injector = FaultInjector(settings)
    first = _fates(injector)
    injector.set(settings)
    assert _fates(injector) == first
    drops, errors = first.count("drop"), first.count("error")
    # A drop wins over an error on the same call: expect 50 drops and 0.9 * 100 = 90 errors.
    assert 25 <= drops <= 80
    assert 55 <= errors <= 125


def test_no_seed_gives_different_sequences() -> None:
    injector = FaultInjector(FaultSettings(error_rate=0.5))
    assert _fates(injector, 64) != _fates(injector, 64)


def test_faults_apply_to_the_services_named_only() -> None:
    injector = FaultInjector(FaultSettings(outage=True, services=("a",)))
    assert injector.decide("a").outage
    assert injector.decide("b") is NO_FAULT


def test_decisions_carry_what_the_answer_needs() -> None:
    injector = FaultInjector(FaultSettings(error_rate=1, error_status=503, latency_ms=40))
    decision = injector.decide("svc")
    assert (decision.error_status, decision.retry_after, decision.latency_seconds) == (503, 5, 0.04)
    assert decision.error_type == "Server.ServerProxy.ServiceUnavailable"
    assert FaultSettings(error_status=418).error_type() == "Client.Error"
    assert FaultSettings(error_status=500).error_type() == "Server.ServerProxy.InternalError"
    injector.clear()
    assert injector.decide("svc") is NO_FAULT


@pytest.mark.parametrize(
    "bad", [{"error_rate": 1.5}, {"drop_rate": -0.1}, {"error_status": 200}, {"nonsense": 1}]
)
def test_bad_settings_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        FaultSettings.model_validate(bad)
