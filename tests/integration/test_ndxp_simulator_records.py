"""Deduplication by message id, and the records of sends and effects that prove it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from ndxp_client import protocol
from tests.unit.ndxp_simulator import payloads
from tests.unit.ndxp_simulator.support import (
    DOCUMENTS,
    LOOKUP,
    OTHER,
    SCHEMES,
    SYNC,
    RunningSimulator,
    running_simulator,
)


@pytest.fixture(scope="module")
def module_sim() -> Iterator[RunningSimulator]:
    with running_simulator() as sim:
        yield sim


@pytest.fixture
def sim(module_sim: RunningSimulator) -> RunningSimulator:
    assert module_sim.control("POST", "/reset").status_code == 204
    return module_sim


def _sync(code: str = "H57.HS.1") -> bytes:
    return payloads.envelope("DongBoHoSoMC", [payloads.dossier(code)])


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_same_message_twice_has_one_effect_and_the_same_answer(
    sim: RunningSimulator, scheme: str
) -> None:
    caller = sim.caller()
    body = payloads.edxml()
    first = caller.call(
        DOCUMENTS, body, scheme=scheme, content_type="application/xml", message_id="dup-1"
    )
    again = caller.call(
        DOCUMENTS, body, scheme=scheme, content_type="application/xml", message_id="dup-1"
    )
    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    assert first.headers[protocol.REQUEST_HASH] == again.headers[protocol.REQUEST_HASH]
    assert len(sim.control("GET", "/documents").json()["documents"]) == 1
    [effect] = sim.effects()
    assert (effect["kind"], effect["message_id"]) == ("document-received", "dup-1")
    assert [r["duplicate"] for r in sim.records()] == [False, True]


def test_a_different_request_under_a_used_id_is_409(sim: RunningSimulator) -> None:
    caller = sim.caller()
    assert caller.call(SYNC, _sync("H57.HS.A"), message_id="m-9").status_code == 200
    answer = caller.call(SYNC, _sync("H57.HS.B"), message_id="m-9")
    assert answer.status_code == 409
    assert answer.headers[protocol.ERROR] == protocol.ERROR_DUPLICATE_MESSAGE_ID
    assert answer.json()["type"] == protocol.ERROR_DUPLICATE_MESSAGE_ID
    assert [d["MaHoSo"] for d in sim.control("GET", "/dossiers").json()["dossiers"]] == ["H57.HS.A"]


def test_the_idempotency_key_wins_over_the_message_id(sim: RunningSimulator) -> None:
    caller = sim.caller()
    first = caller.call(SYNC, _sync(), message_id="a", idempotency_key="k-1")
    retry = caller.call(SYNC, _sync(), message_id="b", idempotency_key="k-1")
    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.headers[protocol.MESSAGE_ID] == "b"
    assert len(sim.effects()) == 1
    assert (
        caller.call(SYNC, _sync("H57.HS.2"), message_id="c", idempotency_key="k-1").status_code
        == 409
    )


def test_message_ids_are_scoped_to_the_client(sim: RunningSimulator) -> None:
    body = json.dumps(payloads.lookup(sim.citizens()[0])).encode()
    assert sim.caller().call(LOOKUP, body, message_id="shared").status_code == 200
    assert sim.caller(OTHER).call(LOOKUP, body + b" ", message_id="shared").status_code == 200
    assert [e["client"] for e in sim.effects()] == ["lgsp-h57", "qlvb-h49"]


def test_a_refused_request_leaves_its_id_free(sim: RunningSimulator) -> None:
    caller = sim.caller()
    bad = payloads.envelope("DongBoHoSoMC", [payloads.dossier(TrangThaiHoSo="11")])
    assert caller.call(SYNC, bad, message_id="fix-me").status_code == 400
    assert caller.call(SYNC, _sync(), message_id="fix-me").status_code == 200


def test_records_list_every_send_and_effect_and_reset_empties_them(sim: RunningSimulator) -> None:
    caller = sim.caller()
    citizen = sim.citizens()[0]
    caller.call(
        LOOKUP, json.dumps(payloads.lookup(citizen, MaYeuCau="YC-7")).encode(), message_id="1"
    )
    caller.call(SYNC, _sync(), scheme="hmac", message_id="2")
    caller.call(SYNC, _sync(), scheme="hmac", message_id="2")
    caller.call(SYNC, _sync(), scheme="api-key", message_id="3", extra={protocol.CLIENT: "X/Y/Z/W"})
    records = sim.records()
    assert [(r["message_id"], r["status"], r["duplicate"], r["outcome"]) for r in records] == [
        ("1", 200, False, "answered"),
        ("2", 200, False, "answered"),
        ("2", 200, True, "answered"),
        ("3", 401, False, "refused"),
    ]
    assert all(r["request_hash"] and r["time"] and r["protocol"] == "rest" for r in records)
    effects = sim.effects()
    assert [(e["kind"], e["subject"], e["message_id"]) for e in effects] == [
        ("lookup-answered", "YC-7", "1"),
        ("dossier-stored", "H57.HS.1", "2"),
    ]
    # Nothing personal: the look-up is known by its request id, not the citizen's number or name.
    assert citizen["SoDinhDanh"] not in json.dumps(records + effects)
    assert citizen["HoVaTen"] not in json.dumps(records + effects, ensure_ascii=False)
    assert sim.control("POST", "/reset").status_code == 204
    assert (sim.records(), sim.effects()) == ([], [])
    assert caller.call(SYNC, _sync("H57.HS.9"), scheme="hmac", message_id="2").status_code == 200


@pytest.mark.parametrize("header", [protocol.MESSAGE_ID, protocol.IDEMPOTENCY_KEY])
def test_a_malformed_message_id_is_refused(sim: RunningSimulator, header: str) -> None:
    answer = sim.caller().call(SYNC, _sync(), extra={header: "x" * 129})
    assert (answer.status_code, answer.headers[protocol.ERROR]) == (400, "Client.BadRequest")
    assert sim.effects() == []


def test_without_any_message_id_one_is_made_and_nothing_deduplicated(sim: RunningSimulator) -> None:
    target = protocol.service_path(SYNC)
    caller, body = sim.caller(), _sync()
    headers = {
        "Content-Type": "application/json",
        protocol.CLIENT: "VN/GOV/000.00.00.H57/LGSP",
        **caller.auth_headers("hmac", target=target, message_id="", body=body),
    }
    first = sim.http.post(target, content=body, headers=headers)
    second = sim.http.post(target, content=body, headers=headers)
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.headers[protocol.MESSAGE_ID] != second.headers[protocol.MESSAGE_ID]
    assert len(sim.effects()) == 2
