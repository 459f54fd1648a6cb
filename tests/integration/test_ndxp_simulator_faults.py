"""Fault injection over HTTP: latency, error answers, outages and dropped connections."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator

import aiohttp
import httpx
import pytest

from ndxp_client import protocol
from tests.unit.ndxp_simulator import payloads
from tests.unit.ndxp_simulator.support import (
    LOOKUP,
    SYNC,
    RunningSimulator,
    running_simulator,
)


@pytest.fixture(scope="module")
def module_sim() -> Iterator[RunningSimulator]:
    with running_simulator() as sim:
        yield sim


@pytest.fixture
def sim(module_sim: RunningSimulator) -> Iterator[RunningSimulator]:
    """The module's simulator, emptied; its faults cleared afterwards."""
    assert module_sim.control("POST", "/reset").status_code == 204
    yield module_sim
    assert module_sim.control("DELETE", "/faults").json()["drop_rate"] == 0


def _sync(code: str = "H57.HS.1") -> bytes:
    return payloads.envelope("DongBoHoSoMC", [payloads.dossier(code)])


def _lookup(sim: RunningSimulator) -> bytes:
    return json.dumps(payloads.lookup(sim.citizens()[0])).encode()


def test_faults_are_read_back_and_cleared(sim: RunningSimulator) -> None:
    sim.faults(latency_ms=5, error_rate=0.5, error_status=502, services=[SYNC], seed=3)
    current = sim.control("GET", "/faults").json()
    assert (current["latency_ms"], current["error_status"], current["services"]) == (5, 502, [SYNC])
    refused = sim.control("PUT", "/faults", json={"error_rate": 2})
    assert refused.status_code == 422
    assert sim.control("DELETE", "/faults").json()["error_rate"] == 0


def test_latency_delays_the_answer_and_clears(sim: RunningSimulator) -> None:
    caller = sim.caller()
    sim.faults(latency_ms=300)
    started = time.monotonic()
    assert caller.call(SYNC, _sync()).status_code == 200
    slow = time.monotonic() - started
    sim.control("DELETE", "/faults")
    started = time.monotonic()
    assert caller.call(SYNC, _sync("H57.HS.2")).status_code == 200
    fast = time.monotonic() - started
    assert slow >= 0.3
    assert fast < 0.2
    assert [r["fault"] for r in sim.records()] == ["latency", None]


def test_error_rate_is_what_was_asked_and_a_seed_repeats_it(sim: RunningSimulator) -> None:
    caller, body = sim.caller(), _lookup(sim)

    def run() -> list[int]:
        sim.faults(error_rate=0.3, error_status=503, seed=2024)
        return [caller.call(LOOKUP, body).status_code for _ in range(150)]

    first, second = run(), run()
    assert first == second
    errors = first.count(503)
    # Binomial(150, 0.3): mean 45, standard deviation 5.6; the bounds are 4 deviations out.
    assert 22 <= errors <= 68
    assert first.count(200) == 150 - errors
    sim.control("DELETE", "/faults")
    assert {caller.call(LOOKUP, body).status_code for _ in range(20)} == {200}


def test_an_injected_error_carries_its_status_and_x_road_error(sim: RunningSimulator) -> None:
    sim.faults(error_rate=1, error_status=502)
    answer = sim.caller().call(SYNC, _sync())
    assert answer.status_code == 502
    assert answer.headers[protocol.ERROR] == "Server.ServerProxy.ServiceFailed"
    assert answer.json()["type"] == "Server.ServerProxy.ServiceFailed"
    assert sim.effects() == []
    sim.faults(error_rate=1, error_status=429, retry_after=7)
    limited = sim.caller().call(SYNC, _sync())
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "7")


def test_an_outage_answers_503_with_retry_after_until_cleared(sim: RunningSimulator) -> None:
    caller = sim.caller()
    sim.faults(outage=True, retry_after=11)
    answer = caller.call(SYNC, _sync(), message_id="during-outage")
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "11"
    assert answer.headers[protocol.ERROR] == protocol.ERROR_SERVICE_UNAVAILABLE
    assert sim.effects() == []
    sim.control("DELETE", "/faults")
    assert caller.call(SYNC, _sync(), message_id="during-outage").status_code == 200
    assert len(sim.effects()) == 1


def test_faults_apply_only_to_the_services_named(sim: RunningSimulator) -> None:
    caller = sim.caller()
    sim.faults(outage=True, services=[SYNC])
    assert caller.call(SYNC, _sync()).status_code == 503
    assert caller.call(LOOKUP, _lookup(sim)).status_code == 200


def test_a_drop_is_a_connection_error_for_the_client(sim: RunningSimulator) -> None:
    caller = sim.caller()
    sim.faults(drop_rate=1)
    with pytest.raises(httpx.RemoteProtocolError):
        caller.call(SYNC, _sync(), message_id="lost")
    [record] = sim.records()
    assert (record["outcome"], record["status"], record["fault"]) == ("dropped", None, "drop")
    assert sim.effects() == []
    sim.control("DELETE", "/faults")
    assert caller.call(SYNC, _sync(), message_id="lost").status_code == 200
    assert len(sim.effects()) == 1


def test_aiohttp_sees_a_drop_as_a_disconnection(sim: RunningSimulator) -> None:
    sim.faults(drop_rate=1)
    body = _sync()
    target = protocol.service_path(SYNC)
    headers = {
        "Content-Type": "application/json",
        protocol.CLIENT: "VN/GOV/000.00.00.H57/LGSP",
        protocol.MESSAGE_ID: "aio-1",
        **sim.caller().auth_headers("hmac", target=target, message_id="aio-1", body=body),
    }

    async def send() -> None:
        async with (
            aiohttp.ClientSession() as session,
            session.post(sim.url + target, data=body, headers=headers) as answer,
        ):
            await answer.read()

    with pytest.raises(aiohttp.ServerDisconnectedError):
        asyncio.run(send())


@pytest.mark.parametrize(("http", "loop"), [("h11", "asyncio"), ("httptools", "asyncio")])
def test_drops_work_on_each_uvicorn_protocol(http: str, loop: str) -> None:
    with running_simulator(http=http, loop=loop) as other:
        other.faults(drop_rate=1)
        with pytest.raises(httpx.RemoteProtocolError):
            other.caller().call(SYNC, _sync())
        other.control("DELETE", "/faults")
        assert other.caller().call(SYNC, _sync()).status_code == 200


def test_after_effect_the_work_is_done_but_the_answer_lost(sim: RunningSimulator) -> None:
    caller = sim.caller()
    sim.faults(drop_rate=1, after_effect=True)
    with pytest.raises(httpx.RemoteProtocolError):
        caller.call(SYNC, _sync(), message_id="exactly-once")
    assert [e["kind"] for e in sim.effects()] == ["dossier-stored"]
    sim.faults(error_rate=1, error_status=500, after_effect=True)
    assert caller.call(SYNC, _sync(), message_id="exactly-once").status_code == 500
    sim.control("DELETE", "/faults")
    retry = caller.call(SYNC, _sync(), message_id="exactly-once")
    assert (retry.status_code, retry.json()["received"]) == (200, 1)
    assert len(sim.effects()) == 1
    assert [r["duplicate"] for r in sim.records()] == [False, True, True]


def test_before_effect_a_failed_request_has_no_effect_and_its_retry_is_new(
    sim: RunningSimulator,
) -> None:
    caller = sim.caller()
    sim.faults(error_rate=1, latency_ms=50)
    assert caller.call(SYNC, _sync(), message_id="before").status_code == 500
    assert sim.effects() == []
    sim.control("DELETE", "/faults")
    assert caller.call(SYNC, _sync(), message_id="before").status_code == 200
    assert [r["duplicate"] for r in sim.records()] == [False, False]
