"""The one way the simulator reads XML (SOAP envelopes, edXML packages): hardened lxml.

No entity is expanded, nothing is fetched, no DTD is loaded, huge trees are
refused, and a document that declares a DTD at all is refused after parsing,
since no message of ours needs one and entity tricks all start there.
Parser options alone are not enough: with some of them (`collect_ids=False`,
for one) libxml2 reads a local external subset despite `load_dtd=False`. So
every parser also carries a resolver that refuses every external resource.
"""

from __future__ import annotations

from lxml import etree

from ndxp_client.simulator.errors import BadRequest, BodyTooLarge

# Where a DOCTYPE can be: after the XML declaration and perhaps a few comments.
_PROLOG_BYTES = 4096


class UnsafeXml(BadRequest):
    """The document declares a DTD or entities."""


class _RefuseAll(etree.Resolver):
    """Resolves nothing: any external DTD or entity ends the parse."""

    def resolve(self, system_url: str | None, public_id: str | None, context: object) -> None:
        """Refuse `system_url`, whatever it is."""
        raise UnsafeXml("XML documents with a DTD are refused")


def _parser() -> etree.XMLParser:
    # A parser per call: lxml parsers are not safe to share between threads.
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_pis=True,
    )
    parser.resolvers.add(_RefuseAll())
    return parser


def parse_xml(data: bytes, *, max_bytes: int) -> etree._Element:
    """The root element of `data`; `BadRequest` if it is not safe, well-formed XML."""
    if len(data) > max_bytes:
        raise BodyTooLarge(f"the XML document exceeds {max_bytes} bytes")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        # libxml2 may stop a DTD's entities itself (amplification limits): say why plainly.
        if b"<!DOCTYPE" in data[:_PROLOG_BYTES].upper():
            raise UnsafeXml("XML documents with a DTD are refused") from None
        raise BadRequest("the body is not well-formed XML", detail=str(exc)) from None
    if root is None:
        raise BadRequest("the body holds no XML element")
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise UnsafeXml("XML documents with a DTD are refused")
    if any(isinstance(node, etree._Entity) for node in root.iter()):
        raise UnsafeXml("XML entity references are refused")
    return root


def text_of(parent: etree._Element, path: str, namespaces: dict[str, str]) -> str | None:
    """The text of the first element at `path` under `parent` (`""` if empty), `None` if absent."""
    found = parent.find(path, namespaces)
    if found is None:
        return None
    return found.text or ""
