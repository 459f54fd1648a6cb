"""Each simulated service answers correctly over real HTTP, with each authentication scheme."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest

from ndxp_client import protocol
from tests.unit.ndxp_simulator import payloads
from tests.unit.ndxp_simulator.support import (
    DOCUMENTS,
    LOOKUP,
    PROGRESS,
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
    """The module's simulator, emptied and without faults."""
    assert module_sim.control("POST", "/reset").status_code == 204
    assert module_sim.control("DELETE", "/faults").status_code == 200
    return module_sim


def _body(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _request(service: str, sim: RunningSimulator) -> tuple[bytes, str]:
    if service == LOOKUP:
        return _body(payloads.lookup(sim.citizens()[0])), "application/json"
    if service == SYNC:
        return payloads.envelope("DongBoHoSoMC", [payloads.dossier()]), "application/json"
    if service == PROGRESS:
        step = payloads.step("H57.HS.000001", "4", "20250302090000")
        return payloads.envelope("CapNhatTienDoHoSoMC", [step]), "application/json"
    return payloads.edxml(), "application/xml"


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("service", [LOOKUP, SYNC, PROGRESS, DOCUMENTS])
def test_every_service_answers_every_scheme(
    sim: RunningSimulator, service: str, scheme: str
) -> None:
    body, content_type = _request(service, sim)
    answer = sim.caller().call(
        service, body, scheme=scheme, content_type=content_type, message_id="msg-1"
    )
    assert answer.status_code == 200, answer.text
    target = protocol.service_path(service)
    assert answer.headers[protocol.MESSAGE_ID] == "msg-1"
    assert answer.headers[protocol.SERVICE] == service
    assert answer.headers[protocol.REQUEST_HASH] == protocol.request_hash(
        method="POST", path_and_query=target, body=body
    )
    assert protocol.ERROR not in answer.headers
    result = answer.json()
    if service == LOOKUP:
        assert (result["MaKetQua"], result["CongDan"]) == ("00", sim.citizens()[0])
    elif service == DOCUMENTS:
        assert (result["status"], result["code"], result["to"]) == (
            "inbox",
            "125/UBND-VP",
            ["000.00.00.H49"],
        )
    else:
        assert result == {"error_code": "00", "message": "Thành công", "received": 1}
    [record] = sim.records()
    assert (record["client"], record["service"], record["status"]) == ("lgsp-h57", service, 200)


def test_the_request_hash_covers_the_query_as_received(sim: RunningSimulator) -> None:
    target = protocol.service_path(LOOKUP) + "?lang=vi&x=%C3%A1"
    body = _body(payloads.lookup(sim.citizens()[1]))
    answer = sim.caller().post(target, body, scheme="hmac")
    assert answer.status_code == 200, answer.text
    expected = protocol.request_hash(method="POST", path_and_query=target, body=body)
    assert answer.headers[protocol.REQUEST_HASH] == expected


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"SoDinhDanh": "000000000000"}, "01"),
        ({"HoVaTen": "Người Không Có Thật"}, "02"),
        ({"NgayThangNamSinh": "18991231"}, "02"),
    ],
)
def test_a_look_up_that_does_not_match_answers_200_with_a_result_code(
    sim: RunningSimulator, change: dict[str, str], code: str
) -> None:
    body = _body(payloads.lookup(sim.citizens()[2], **change))
    answer = sim.caller().call(LOOKUP, body)
    assert answer.status_code == 200
    assert (answer.json()["MaKetQua"], answer.json()["CongDan"]) == (code, None)
    assert sim.effects()[0]["detail"] == {"result": code}


def test_a_look_up_accepts_a_name_in_nfd_and_answers_in_nfc(sim: RunningSimulator) -> None:
    citizen = sim.citizens()[3]
    name = unicodedata.normalize("NFD", citizen["HoVaTen"]).upper()
    assert name != citizen["HoVaTen"]
    answer = sim.caller().call(LOOKUP, _body(payloads.lookup(citizen, HoVaTen=name)))
    found = answer.json()["CongDan"]
    assert found["HoVaTen"] == citizen["HoVaTen"]
    assert unicodedata.is_normalized("NFC", answer.content.decode("utf-8"))


def test_vietnamese_text_round_trips_unchanged(sim: RunningSimulator) -> None:
    caller = sim.caller()
    summary = "Hồ sơ của bà Tôn Nữ Diệu Hương, phường Vỹ Dạ: đã bổ sung giấy tờ"
    record = payloads.dossier("H57.HS.NFC", TrichYeuHoSo=summary)
    assert caller.call(SYNC, payloads.envelope("DongBoHoSoMC", [record])).status_code == 200
    stored = sim.control("GET", "/dossiers/H57.HS.NFC").json()["record"]
    assert stored["TrichYeuHoSo"].encode("utf-8") == summary.encode("utf-8")
    answer = caller.call(DOCUMENTS, payloads.edxml(), content_type="application/xml")
    document = sim.control("GET", f"/documents/{answer.json()['document_id']}").json()
    assert document["subject"].encode("utf-8") == payloads.SUBJECT.encode("utf-8")


def test_dossier_status_history_keeps_order_and_marks_late_steps(sim: RunningSimulator) -> None:
    caller = sim.caller()
    code = "H57.HS.000777"
    caller.call(SYNC, payloads.envelope("DongBoHoSoMC", [payloads.dossier(code, "2")]))
    steps = [("4", "20250302090000"), ("9", "20250304100000"), ("5", "20250303080000")]
    for status, at in steps:
        body = payloads.envelope("CapNhatTienDoHoSoMC", [payloads.step(code, status, at)])
        assert caller.call(PROGRESS, body).status_code == 200
    dossier = sim.control("GET", f"/dossiers/{code}").json()
    assert dossier["status"] == "9"
    assert [(e["status"], e["in_order"]) for e in dossier["history"]] == [
        ("2", True),
        ("4", True),
        ("9", True),
        ("5", False),
    ]
    kinds = [e["kind"] for e in sim.effects()]
    assert kinds == ["dossier-stored", "status-applied", "status-applied", "status-out-of-order"]


def test_updating_flag_disagreeing_with_the_portal_is_recorded(sim: RunningSimulator) -> None:
    caller = sim.caller()
    body = payloads.envelope("DongBoHoSoMC", [payloads.dossier("H57.HS.NEW")], updating=True)
    assert caller.call(SYNC, body).status_code == 200
    [effect] = sim.effects()
    assert effect["detail"]["anomaly"] == "update of a dossier the portal did not have"


@pytest.mark.parametrize(
    ("service", "body", "content_type", "status", "error"),
    [
        (LOOKUP, b"{not json", "application/json", 400, "Client.BadRequest"),
        (LOOKUP, b'{"MaYeuCau": "x"}', "text/plain", 400, "Client.BadRequest"),
        (LOOKUP, b'{"MaYeuCau": "x"}', "application/json", 400, protocol.ERROR_SERVICE_FAILED),
        (SYNC, payloads.envelope("CapNhatTienDoHoSoMC", [{}]), "application/json", 400, None),
        (DOCUMENTS, payloads.edxml(prefix="doc"), "application/xml", 400, None),
        (DOCUMENTS, b"<a><b></a>", "application/xml", 400, "Client.BadRequest"),
    ],
)
def test_bad_input_is_refused_with_the_x_road_error_shape_and_no_effect(
    sim: RunningSimulator, service: str, body: bytes, content_type: str, status: int, error: Any
) -> None:
    answer = sim.caller().call(service, body, content_type=content_type)
    assert answer.status_code == status
    expected = error or protocol.ERROR_SERVICE_FAILED
    assert answer.headers[protocol.ERROR] == expected
    assert set(answer.json()) == {"type", "message", "detail"}
    assert answer.json()["type"] == expected
    assert sim.effects() == []
    assert sim.records()[0]["outcome"] == "refused"


def test_a_refusal_names_the_member_but_never_echoes_personal_data(sim: RunningSimulator) -> None:
    citizen = sim.citizens()[0]
    bad = payloads.lookup(citizen, SoDinhDanh="12345", NgayThangNamSinh="20250230")
    answer = sim.caller().call(LOOKUP, _body(bad))
    detail = answer.json()["detail"]
    assert "/SoDinhDanh" in detail
    assert "/NgayThangNamSinh" in detail
    assert "12345" not in answer.text
    assert citizen["HoVaTen"] not in answer.text


def test_unknown_services_and_methods(sim: RunningSimulator) -> None:
    caller = sim.caller()
    unknown = caller.call("VN/GOV/000.00.00.G06/CSDLQGDC/khong-co", b"{}")
    assert unknown.status_code == 404
    assert unknown.headers[protocol.ERROR] == "Server.ServerProxy.UnknownService"
    assert unknown.json()["type"] == "Server.ServerProxy.UnknownService"
    subpath = caller.post(protocol.service_path(LOOKUP) + "/extra", b"{}")
    assert subpath.status_code == 404
    wrong_method = sim.http.get(protocol.service_path(LOOKUP))
    assert (wrong_method.status_code, wrong_method.headers["allow"]) == (405, "POST")
    assert [r["status"] for r in sim.records()] == [404, 404, 405]


def test_healthz(sim: RunningSimulator) -> None:
    assert sim.http.get("/healthz").json() == {"status": "ok"}
