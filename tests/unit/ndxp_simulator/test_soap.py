"""SOAP envelopes in, answers and faults out, the WSDL: without HTTP."""

from __future__ import annotations

import pytest
from lxml import etree

from ndxp_client.simulator import soap
from ndxp_client.simulator.errors import BadRequest, DuplicateMessageId, InjectedError
from ndxp_client.simulator.xmlsafe import parse_xml

FIELDS = "".join(f"<t:{n}>v</t:{n}>" for n in ("MaYeuCau", "HoVaTen"))


def _envelope(version: soap.SoapVersion, *, header: str = "", body: str = "") -> bytes:
    inner = body or f"<t:TraCuuThongTinCongDan>{FIELDS}</t:TraCuuThongTinCongDan>"
    return (
        f'<s:Envelope xmlns:s="{version.namespace}" xmlns:t="{soap.TNS}">'
        f"<s:Header>{header}</s:Header><s:Body>{inner}</s:Body></s:Envelope>"
    ).encode()


@pytest.mark.parametrize("version", [soap.SOAP11, soap.SOAP12])
def test_fields_are_read_from_either_version(version: soap.SoapVersion) -> None:
    fields = soap.read_lookup(_envelope(version), content_type=version.media_type, max_bytes=10_000)
    assert fields == {"MaYeuCau": "v", "HoVaTen": "v"}


def test_foreign_members_are_passed_on_by_their_full_name_and_repeats_refused() -> None:
    body = '<t:TraCuuThongTinCongDan><x:Extra xmlns:x="urn:x">1</x:Extra></t:TraCuuThongTinCongDan>'
    fields = soap.read_lookup(
        _envelope(soap.SOAP11, body=body), content_type="text/xml", max_bytes=9999
    )
    assert fields == {"{urn:x}Extra": "1"}
    twice = f"<t:TraCuuThongTinCongDan>{FIELDS}{FIELDS}</t:TraCuuThongTinCongDan>"
    with pytest.raises(BadRequest, match="more than once"):
        soap.read_lookup(
            _envelope(soap.SOAP11, body=twice), content_type="text/xml", max_bytes=9999
        )


def test_a_header_that_must_be_understood_is_refused_and_others_ignored() -> None:
    must = f'<h:Id xmlns:h="urn:h" s:mustUnderstand="1" xmlns:s="{soap.SOAP11.namespace}">x</h:Id>'
    with pytest.raises(BadRequest, match="must be understood"):
        soap.read_lookup(
            _envelope(soap.SOAP11, header=must), content_type="text/xml", max_bytes=9999
        )
    optional = '<h:Id xmlns:h="urn:h">x</h:Id>'
    assert soap.read_lookup(
        _envelope(soap.SOAP11, header=optional), content_type="text/xml", max_bytes=9999
    )


def test_faults_follow_each_versions_binding() -> None:
    refusal = DuplicateMessageId("used before", detail="d")
    old = soap.fault_answer(refusal, "text/xml; charset=utf-8")
    new = soap.fault_answer(refusal, "application/soap+xml")
    assert (old.status, old.media_type) == (500, "text/xml")
    assert (new.status, new.media_type) == (400, "application/soap+xml")
    fault11 = etree.fromstring(old.body).find(f".//{{{soap.SOAP11.namespace}}}Fault")
    assert fault11 is not None
    assert (fault11.findtext("faultcode"), fault11.findtext("faultstring")) == (
        "soap:Client",
        "used before",
    )
    assert (
        fault11.findtext(f"detail/{{{soap.TNS}}}faultDetail/{{{soap.TNS}}}type")
        == "Client.DuplicateMessageId"
    )
    ns = soap.SOAP12.namespace
    root12 = etree.fromstring(new.body)
    assert root12.findtext(f".//{{{ns}}}Code/{{{ns}}}Value") == "soap:Sender"
    injected = soap.fault_answer(
        InjectedError(status=502, error_type="T", headers={}), "application/soap+xml"
    )
    assert injected.status == 502
    assert b"soap:Receiver" in injected.body


def test_the_wsdl_is_safe_to_read_and_points_where_it_was_fetched() -> None:
    root = parse_xml(soap.wsdl(location="http://127.0.0.1:1234/soap/CSDLQGDC"), max_bytes=100_000)
    locations = [e.get("location") for e in root.iter("{*}address")]
    assert locations == ["http://127.0.0.1:1234/soap/CSDLQGDC"] * 2
