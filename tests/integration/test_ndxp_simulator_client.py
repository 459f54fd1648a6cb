"""The project's own NDXP client against the simulator: both sides of one wire protocol."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest

from ndxp_client import (
    AuthScheme,
    HmacSignedHeaders,
    NdxpClient,
    NdxpUnavailable,
    OAuth2ClientCredentials,
    RetryPolicy,
    TimestampedHashCredential,
)
from tests.unit.ndxp_simulator import payloads
from tests.unit.ndxp_simulator.support import CLIENT, RunningSimulator, running_simulator

SECRET = CLIENT.secret.get_secret_value()


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    with running_simulator() as running:
        yield running


def _scheme(name: str, sim: RunningSimulator) -> AuthScheme:
    if name == "oauth2":
        return OAuth2ClientCredentials(
            token_url=f"{sim.url}/oauth/token", client_id=CLIENT.client_id, client_secret=SECRET
        )
    if name == "hmac":
        return HmacSignedHeaders(system=CLIENT.system, secret=SECRET.encode())
    assert CLIENT.api_key is not None
    return TimestampedHashCredential(
        api_key=CLIENT.api_key.get_secret_value(), user=CLIENT.user, secret=SECRET
    )


def _envelope(code: str) -> dict[str, object]:
    return dict(json.loads(payloads.envelope("DongBoHoSoMC", [payloads.dossier(code)])))


@pytest.mark.parametrize("scheme", ["oauth2", "hmac", "api-key"])
def test_the_client_looks_up_and_syncs_with_every_scheme(
    sim: RunningSimulator, scheme: str
) -> None:
    sim.control("POST", "/reset")
    citizen = sim.citizens()[0]

    async def run() -> None:
        async with NdxpClient(
            base_url=sim.url,
            client=CLIENT.xroad_client,
            auth=_scheme(scheme, sim),
            require_request_hash=True,
        ) as ndxp:
            found = await ndxp.lookup_citizen(query=payloads.lookup(citizen))
            assert (found.status, found.request_hash_ok) == (200, True)
            assert found.json() == {
                "MaYeuCau": "YC-0001",
                "MaKetQua": "00",
                "MoTaKetQua": "Tìm thấy thông tin công dân",
                "CongDan": citizen,
            }
            first = await ndxp.sync_dossiers(envelope=_envelope("C-1"), message_id=f"{scheme}-1")
            again = await ndxp.sync_dossiers(envelope=_envelope("C-1"), message_id=f"{scheme}-1")
            assert (first.status, again.status, first.body) == (200, 200, again.body)

    asyncio.run(run())
    assert [e["kind"] for e in sim.effects()] == ["lookup-answered", "dossier-stored"]


def test_an_answer_lost_after_the_effect_is_recovered_by_resending(sim: RunningSimulator) -> None:
    sim.control("POST", "/reset")
    sim.faults(drop_rate=1, after_effect=True)
    retry = RetryPolicy(attempts=2, backoff_seconds=0.01, jitter_seconds=0)

    async def send() -> int:
        async with NdxpClient(
            base_url=sim.url, client=CLIENT.xroad_client, auth=_scheme("hmac", sim), retry=retry
        ) as ndxp:
            answer = await ndxp.sync_dossiers(envelope=_envelope("LOST"), message_id="lost-1")
            return answer.status

    try:
        with pytest.raises(NdxpUnavailable):
            asyncio.run(send())
    finally:
        sim.control("DELETE", "/faults")
    assert asyncio.run(send()) == 200
    assert [e["kind"] for e in sim.effects()] == ["dossier-stored"]
    assert [r["outcome"] for r in sim.records()] == ["dropped", "dropped", "answered"]
    assert [r["duplicate"] for r in sim.records()] == [False, True, True]
