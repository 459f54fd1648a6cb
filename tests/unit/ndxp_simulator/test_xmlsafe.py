"""The hardened XML reader refuses DTDs, entities and oversized input, and reads the rest."""

from __future__ import annotations

import pytest

from ndxp_client.simulator.errors import BadRequest, BodyTooLarge
from ndxp_client.simulator.xmlsafe import UnsafeXml, parse_xml

LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]><lolz>&lol9;</lolz>"
)


@pytest.mark.parametrize(
    "document",
    [
        LAUGHS,
        b'<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/hostname">]><a>&x;</a>',
        b'<!DOCTYPE a [<!ENTITY % p SYSTEM "file:///etc/hostname"> %p;]><a/>',
        b'<!DOCTYPE a SYSTEM "file:///dev/zero"><a/>',
        b'<!DOCTYPE a SYSTEM "http://127.0.0.1:9/evil.dtd"><a/>',
        b"<!DOCTYPE a><a/>",
    ],
)
def test_documents_with_a_dtd_are_refused(document: bytes) -> None:
    with pytest.raises(UnsafeXml, match="DTD"):
        parse_xml(document, max_bytes=100_000)


def test_size_and_form_are_checked() -> None:
    with pytest.raises(BodyTooLarge):
        parse_xml(b"<a>" + b"x" * 100 + b"</a>", max_bytes=50)
    with pytest.raises(BadRequest, match="well-formed"):
        parse_xml(b"<a><b></a>", max_bytes=100)
    with pytest.raises(BadRequest):
        parse_xml(b"", max_bytes=100)


def test_an_ordinary_document_is_read_with_its_text_unchanged() -> None:
    text = "Ủy ban nhân dân Thừa Thiên Huế"
    root = parse_xml(f'<?xml version="1.0"?><a x="1"><b>{text}</b></a>'.encode(), max_bytes=1000)
    assert root.findtext("b") == text
