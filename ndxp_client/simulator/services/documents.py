"""Document receipt on the national document-exchange axis: an edXML package in, a receipt out.

The package is read with the hardened parser. Its elements must use the
`edXML:` prefix, as real receivers match on it; its header must name the sender's
and each receiver's `OrganId`, the document's `Code` and its `Subject`.
The received document lands in the `inbox` status.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections import OrderedDict
from typing import Final

from lxml import etree

from ndxp_client.simulator.errors import BadRequest, ServiceFailed
from ndxp_client.simulator.services.base import Answer, Call, FieldCheck, json_answer
from ndxp_client.simulator.xmlsafe import parse_xml, text_of

SERVICE_ID: Final = "VN/GOV/000.00.00.G01/TRUC-LIEN-THONG/nhan-van-ban"
EDXML_NS: Final = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
PREFIX: Final = "edXML"
_NS: Final = {"e": EDXML_NS}
_MEDIA_TYPES: Final = frozenset({"application/xml", "text/xml"})
# Header members kept as they are, when present: (name in the receipt, path under MessageHeader).
_OPTIONAL: Final = (
    ("document_id", "e:DocumentId"),
    ("place", "e:PromulgationInfo/e:Place"),
    ("promulgation_date", "e:PromulgationInfo/e:PromulgationDate"),
    ("type", "e:DocumentType/e:Type"),
    ("type_name", "e:DocumentType/e:TypeName"),
    ("signer", "e:SignerInfo/e:FullName"),
    ("due_date", "e:DueDate"),
    ("priority", "e:OtherInfo/e:Priority"),
)


def _envelope(root: etree._Element) -> etree._Element:
    tag = f"{{{EDXML_NS}}}edXMLEnvelope"
    # Packages come bare or wrapped in an <edXML> root element; both are seen in the wild.
    envelope = root if root.tag == tag else root.find("e:edXMLEnvelope", _NS)
    if envelope is None:
        raise BadRequest(f"no edXMLEnvelope element in the {EDXML_NS} namespace")
    return envelope


def read_package(data: bytes, *, max_bytes: int) -> dict[str, object]:
    """The header facts of an edXML package; `ServiceFailed` naming each missing one."""
    envelope = _envelope(parse_xml(data, max_bytes=max_bytes))
    header = envelope.find("e:edXMLHeader/e:MessageHeader", _NS)
    if header is None:
        raise ServiceFailed("the edXML package is not valid", detail="MessageHeader: missing")
    check = FieldCheck()
    for element in envelope.iter(f"{{{EDXML_NS}}}*"):
        if element.prefix != PREFIX:
            check.fail(f"{etree.QName(element).localname}: must be written with the edXML: prefix")
            break
    facts: dict[str, object] = {}
    for name, path in (
        ("from", "e:From/e:OrganId"),
        ("code_number", "e:Code/e:CodeNumber"),
        ("code_notation", "e:Code/e:CodeNotation"),
        ("subject", "e:Subject"),
    ):
        value = text_of(header, path, _NS)
        if not value or not value.strip():
            check.fail(f"MessageHeader/{path.replace('e:', '')}: missing or empty")
        facts[name] = value
    to = [(e.text or "").strip() for e in header.findall("e:To/e:OrganId", _NS)]
    if not to or not all(to):
        check.fail("MessageHeader/To/OrganId: at least one receiver is required")
    facts["to"] = to
    check.raise_if_any("edXML package")
    for name, path in _OPTIONAL:
        value = text_of(header, path, _NS)
        if value is not None:
            facts[name] = value
    facts["attachments"] = len(envelope.findall(".//e:Attachment", _NS))
    return facts


class DocumentStore:
    """Documents received, the oldest forgotten past `limit`; thread-safe."""

    def __init__(self, *, limit: int, max_bytes: int) -> None:
        self._lock = threading.Lock()
        self._limit = limit
        self._max_bytes = max_bytes
        self._documents: OrderedDict[str, dict[str, object]] = OrderedDict()

    def handle(self, call: Call) -> Answer:
        """Receive one package: store its header facts, answer with a receipt."""
        media_type = call.content_type.partition(";")[0].strip().lower()
        if media_type not in _MEDIA_TYPES:
            raise BadRequest(f"an edXML package is application/xml, not {media_type or 'untyped'}")
        facts = read_package(call.body, max_bytes=self._max_bytes)
        document_id = str(uuid.uuid4())
        document = {
            "document_id": document_id,
            "status": "inbox",
            "sha256": hashlib.sha256(call.body).hexdigest(),
            **facts,
        }
        with self._lock:
            self._documents[document_id] = document
            while len(self._documents) > self._limit:
                self._documents.popitem(last=False)
        call.effect("document-received", document_id, {"from": str(facts["from"])})
        code = f"{facts['code_number']}/{facts['code_notation']}"
        receipt = {"document_id": document_id, "status": "inbox", "code": code, "to": facts["to"]}
        return json_answer(receipt)

    def get(self, document_id: str) -> dict[str, object] | None:
        """One received document's facts, if held."""
        with self._lock:
            found = self._documents.get(document_id)
            return dict(found) if found else None

    def all(self) -> list[dict[str, object]]:
        """Every document held, oldest first."""
        with self._lock:
            return [dict(d) for d in self._documents.values()]

    def reset(self) -> None:
        """Forget every document."""
        with self._lock:
            self._documents.clear()
