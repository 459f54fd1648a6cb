"""The citizen look-up over SOAP: zeep as the client, from the WSDL the simulator serves."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import zeep
import zeep.exceptions
from lxml import etree
from zeep.transports import Transport

from ndxp_client import protocol
from tests.unit.ndxp_simulator import payloads
from tests.unit.ndxp_simulator.support import CLIENT, LOOKUP, RunningSimulator, running_simulator

PATH = "/soap/CSDLQGDC"
TNS = "urn:lgsp:ndxp-simulator:csdlqgdc:v1"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"


@pytest.fixture(scope="module")
def module_sim() -> Iterator[RunningSimulator]:
    with running_simulator() as sim:
        yield sim


@pytest.fixture
def sim(module_sim: RunningSimulator) -> RunningSimulator:
    assert module_sim.control("POST", "/reset").status_code == 204
    return module_sim


class HmacAuth(requests.auth.AuthBase):
    """Signs each request as it goes out, body included, as `ndxp_client`'s HMAC scheme does."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body if isinstance(request.body, bytes) else str(request.body).encode()
        target = request.path_url
        parts = protocol.SignedParts("POST", target, int(time.time()), "", body)
        request.headers[protocol.HMAC_SYSTEM] = CLIENT.client_id
        request.headers[protocol.HMAC_TIMESTAMP] = str(parts.timestamp)
        secret = CLIENT.secret.get_secret_value().encode()
        request.headers[protocol.HMAC_SIGNATURE] = protocol.hmac_signature(secret, parts)
        return request


def _empty_as_none(value: Any) -> Any:
    """`value` as zeep reads it back: an empty element is None, not ""."""
    if isinstance(value, dict):
        return {k: _empty_as_none(v) for k, v in value.items()}
    return value or None


def _zeep(sim: RunningSimulator, *, scheme: str, port: str) -> Any:
    session = requests.Session()
    session.headers[protocol.CLIENT] = CLIENT.xroad_client
    if scheme == "oauth2":
        session.headers["Authorization"] = f"Bearer {sim.caller().token()}"
    else:
        session.auth = HmacAuth()
    client = zeep.Client(f"{sim.url}{PATH}?wsdl", transport=Transport(session=session))
    return client.bind("CSDLQGDCService", port)


@pytest.mark.parametrize("port", ["CSDLQGDCSoap11Port", "CSDLQGDCSoap12Port"])
@pytest.mark.parametrize("scheme", ["oauth2", "hmac"])
def test_zeep_looks_a_citizen_up_from_the_served_wsdl(
    sim: RunningSimulator, scheme: str, port: str
) -> None:
    citizen = sim.citizens()[0]
    service = _zeep(sim, scheme=scheme, port=port)
    result = service.TraCuuThongTinCongDan(**payloads.lookup(citizen, MaYeuCau="SOAP-1"))
    assert (result.MaYeuCau, result.MaKetQua) == ("SOAP-1", "00")
    found = zeep.helpers.serialize_object(result.CongDan, dict)
    assert found["HoVaTen"] == citizen["HoVaTen"]
    assert found["ThuongTru"]["Tinh"] == citizen["ThuongTru"]["Tinh"]
    assert found == _empty_as_none(citizen)
    [record] = sim.records()
    assert (record["protocol"], record["service"], record["client"]) == ("soap", LOOKUP, "lgsp-h57")


def test_zeep_gets_the_not_found_code_and_no_citizen(sim: RunningSimulator) -> None:
    service = _zeep(sim, scheme="oauth2", port="CSDLQGDCSoap11Port")
    citizen = sim.citizens()[0]
    result = service.TraCuuThongTinCongDan(**payloads.lookup(citizen, SoDinhDanh="000000000001"))
    assert (result.MaKetQua, result.CongDan) == ("01", None)


@pytest.mark.parametrize(
    ("port", "status", "code"),
    [("CSDLQGDCSoap11Port", 500, "Client"), ("CSDLQGDCSoap12Port", 400, "Sender")],
)
def test_bad_input_is_a_soap_fault(
    sim: RunningSimulator, port: str, status: int, code: str
) -> None:
    service = _zeep(sim, scheme="oauth2", port=port)
    citizen = sim.citizens()[0]
    with pytest.raises(zeep.exceptions.Fault) as fault:
        service.TraCuuThongTinCongDan(**payloads.lookup(citizen, SoDinhDanh="123"))
    assert code in str(fault.value.code)
    assert "look-up request is not valid" in fault.value.message
    [record] = sim.records()
    assert (record["status"], record["error"]) == (status, protocol.ERROR_SERVICE_FAILED)


def _envelope(inner: str, *, version: str = SOAP11, prolog: str = "") -> bytes:
    fields = "".join(f"<t:{k}>{v}</t:{k}>" for k, v in inner_fields().items())
    body = inner or f"<t:TraCuuThongTinCongDan>{fields}</t:TraCuuThongTinCongDan>"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
        f'<s:Envelope xmlns:s="{version}" xmlns:t="{TNS}"><s:Body>{body}</s:Body></s:Envelope>'
    ).encode()


def inner_fields() -> dict[str, str]:
    """Fields of a well-formed look-up of nobody in particular."""
    return payloads.lookup(
        {"SoDinhDanh": "046099000001", "HoVaTen": "Lê Văn Tám", "NgayThangNamSinh": "1990"}
    )


def _post(sim: RunningSimulator, body: bytes, content_type: str = "text/xml") -> Any:
    return sim.caller().post(PATH, body, content_type=content_type)


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE s:Envelope [<!ENTITY x "boom">]>',
        '<!DOCTYPE s:Envelope [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE s:Envelope [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        '<!DOCTYPE s:Envelope SYSTEM "http://127.0.0.1:9/evil.dtd">',
    ],
)
def test_a_dtd_or_entity_is_refused_with_a_fault(sim: RunningSimulator, prolog: str) -> None:
    fields = inner_fields()
    fields["HoVaTen"] = "&x;" if "ENTITY x" in prolog else "&b;" if "ENTITY b" in prolog else "Tám"
    body = "".join(f"<t:{k}>{v}</t:{k}>" for k, v in fields.items())
    answer = _post(
        sim, _envelope(f"<t:TraCuuThongTinCongDan>{body}</t:TraCuuThongTinCongDan>", prolog=prolog)
    )
    assert answer.status_code == 500
    assert answer.headers[protocol.ERROR] == "Client.BadRequest"
    fault = etree.fromstring(answer.content).find(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault")
    assert fault is not None
    assert fault.findtext("faultcode") == "soap:Client"
    assert "DTD" in (fault.findtext("faultstring") or "")
    assert b"root:" not in answer.content
    assert sim.effects() == []


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (_envelope("", version=SOAP12), "text/xml", "must be sent as application/soap+xml"),
        (_envelope("<t:Other/>"), "text/xml", "must hold one"),
        (b"<notsoap/>", "text/xml", "not a SOAP"),
        (b"<s:Envelope", "text/xml", "not well-formed"),
    ],
)
def test_malformed_envelopes_are_faults(
    sim: RunningSimulator, body: bytes, content_type: str, message: str
) -> None:
    answer = _post(sim, body, content_type)
    assert answer.status_code == 500
    assert message in answer.text


def test_soap_12_by_hand_answers_in_soap_12(sim: RunningSimulator) -> None:
    answer = _post(sim, _envelope("", version=SOAP12), "application/soap+xml; charset=utf-8")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/soap+xml")
    root = etree.fromstring(answer.content)
    assert root.tag == f"{{{SOAP12}}}Envelope"
    assert root.findtext(f".//{{{TNS}}}MaKetQua") == "01"
    assert answer.headers[protocol.REQUEST_HASH] == protocol.request_hash(
        method="POST", path_and_query=PATH, body=_envelope("", version=SOAP12)
    )


def test_an_outage_reaches_soap_callers_as_a_503_fault(sim: RunningSimulator) -> None:
    sim.faults(outage=True)
    try:
        answer = _post(sim, _envelope(""))
    finally:
        sim.control("DELETE", "/faults")
    assert (answer.status_code, answer.headers["retry-after"]) == (503, "5")
    assert b"soap:Server" in answer.content


def test_the_wsdl_is_served_only_at_query_wsdl(sim: RunningSimulator) -> None:
    assert sim.http.get(PATH).status_code == 404
    wsdl = sim.http.get(f"{PATH}?wsdl")
    assert wsdl.status_code == 200
    assert f'location="{sim.url}{PATH}"'.encode() in wsdl.content
