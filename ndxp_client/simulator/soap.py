"""The citizen look-up over SOAP 1.1 and 1.2 (`POST /soap/CSDLQGDC`), and its WSDL.

The envelope is read with the hardened parser; its version (1.1 or 1.2) is
the envelope's namespace, and must agree with the media type. Faults follow
each version's HTTP binding: SOAP 1.1 faults are 500; SOAP 1.2 faults are 400
when the caller is at fault and 500 otherwise. Injected faults (outage, error
answers) keep their own status, as a failing proxy in front would. Either way
`X-Road-Error` carries the X-Road error type.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from importlib import resources
from typing import Final

from lxml import etree

from ndxp_client.simulator.errors import BadRequest, Refusal
from ndxp_client.simulator.services.base import Answer, Call, Handler
from ndxp_client.simulator.services.citizens import OPERATION, CitizenLookup
from ndxp_client.simulator.xmlsafe import parse_xml

PATH: Final = "/soap/CSDLQGDC"
TNS: Final = "urn:lgsp:ndxp-simulator:csdlqgdc:v1"
_WSDL_SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
_WSDL_SOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"


@dataclass(frozen=True, slots=True)
class SoapVersion:
    """What differs between SOAP 1.1 and 1.2 here."""

    namespace: str
    media_type: str
    sender: str
    receiver: str
    sender_status: int


SOAP11: Final = SoapVersion(
    "http://schemas.xmlsoap.org/soap/envelope/", "text/xml", "Client", "Server", 500
)
SOAP12: Final = SoapVersion(
    "http://www.w3.org/2003/05/soap-envelope", "application/soap+xml", "Sender", "Receiver", 400
)
_BY_NAMESPACE: Final = {v.namespace: v for v in (SOAP11, SOAP12)}


def version_of(content_type: str) -> SoapVersion:
    """The SOAP version a media type announces (SOAP 1.1 unless it is `application/soap+xml`)."""
    media_type = content_type.partition(";")[0].strip().lower()
    return SOAP12 if media_type == SOAP12.media_type else SOAP11


def read_lookup(data: bytes, *, content_type: str, max_bytes: int) -> dict[str, object]:
    """The look-up fields of a `TraCuuThongTinCongDan` envelope; `BadRequest` if malformed."""
    root = parse_xml(data, max_bytes=max_bytes)
    qname = etree.QName(root)
    version = _BY_NAMESPACE.get(qname.namespace or "")
    if version is None or qname.localname != "Envelope":
        raise BadRequest("the body is not a SOAP 1.1 or 1.2 envelope")
    if version is not version_of(content_type):
        raise BadRequest(f"a {version.namespace} envelope must be sent as {version.media_type}")
    ns = {"s": version.namespace}
    for block in root.iterfind("s:Header/*", ns):
        if block.get(f"{{{version.namespace}}}mustUnderstand") in ("1", "true"):
            block_name = etree.QName(block).text
            raise BadRequest(f"header block {block_name} must be understood, and is not")
    operations = list(root.iterfind("s:Body/*", ns))
    if len(operations) != 1 or operations[0].tag != f"{{{TNS}}}{OPERATION}":
        raise BadRequest(f"the SOAP body must hold one {{{TNS}}}{OPERATION} element")
    fields: dict[str, object] = {}
    for child in operations[0].iterchildren("*"):
        name = etree.QName(child)
        # An unqualified or foreign member is passed on, so the look-up names it as unknown.
        key = name.localname if name.namespace == TNS else name.text
        if key in fields:
            raise BadRequest(f"{name.localname} appears more than once")
        fields[key] = child.text or ""
    return fields


def _append(parent: etree._Element, name: str, value: object) -> None:
    element = etree.SubElement(parent, f"{{{TNS}}}{name}")
    if isinstance(value, dict):
        for key, inner in value.items():
            if inner is not None:
                _append(element, key, inner)
    else:
        element.text = str(value)


def _envelope(version: SoapVersion) -> tuple[etree._Element, etree._Element]:
    nsmap = {"soap": version.namespace, "tns": TNS}
    envelope = etree.Element(f"{{{version.namespace}}}Envelope", nsmap=nsmap)
    return envelope, etree.SubElement(envelope, f"{{{version.namespace}}}Body")


def _bytes(envelope: etree._Element) -> bytes:
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def fault_answer(refusal: Refusal, content_type: str) -> Answer:
    """`refusal` as a SOAP fault in the version the request announced."""
    version = version_of(content_type)
    envelope, body = _envelope(version)
    s = f"{{{version.namespace}}}"
    fault = etree.SubElement(body, f"{s}Fault")
    code = f"soap:{version.sender if refusal.caller_fault else version.receiver}"
    if version is SOAP11:
        etree.SubElement(fault, "faultcode").text = code
        etree.SubElement(fault, "faultstring").text = refusal.message
        detail = etree.SubElement(fault, "detail")
    else:
        etree.SubElement(etree.SubElement(fault, f"{s}Code"), f"{s}Value").text = code
        reason = etree.SubElement(etree.SubElement(fault, f"{s}Reason"), f"{s}Text")
        reason.text = refusal.message
        reason.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
        detail = etree.SubElement(fault, f"{s}Detail")
    _append(detail, "faultDetail", {"type": refusal.error_type, "detail": refusal.detail})
    if refusal.http_level:
        status = refusal.status
    else:
        status = version.sender_status if refusal.caller_fault else 500
    return Answer(status=status, body=_bytes(envelope), media_type=version.media_type)


def make_handler(lookup: CitizenLookup, *, max_bytes: int) -> Handler:
    """The SOAP service: an envelope in, the look-up answer in the same SOAP version out."""

    def handle(call: Call) -> Answer:
        fields = read_lookup(call.body, content_type=call.content_type, max_bytes=max_bytes)
        result = lookup.answer(call, fields)
        version = version_of(call.content_type)
        envelope, body = _envelope(version)
        _append(body, f"{OPERATION}Response", result.as_json())
        return Answer(status=200, body=_bytes(envelope), media_type=version.media_type)

    return handle


@functools.cache
def _template() -> etree._Element:
    data = resources.files("ndxp_client.simulator").joinpath("wsdl/CSDLQGDC.wsdl").read_bytes()
    return parse_xml(data, max_bytes=len(data))


def wsdl(*, location: str) -> bytes:
    """The WSDL, its two ports at `location`."""
    root = copy.deepcopy(_template())
    for address in (f"{{{_WSDL_SOAP11}}}address", f"{{{_WSDL_SOAP12}}}address"):
        for element in root.iter(address):
            element.set("location", location)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
