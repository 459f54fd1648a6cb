"""Reading edXML packages: the header facts, the prefix rule, the required members."""

from __future__ import annotations

import pytest

from ndxp_client.simulator.errors import BadRequest, ServiceFailed
from ndxp_client.simulator.services.documents import read_package
from tests.unit.ndxp_simulator import payloads


@pytest.mark.parametrize("wrapped", [True, False])
def test_the_header_facts_are_read(wrapped: bool) -> None:
    facts = read_package(payloads.edxml(wrapped=wrapped), max_bytes=100_000)
    assert facts["from"] == "000.00.00.H57"
    assert facts["to"] == ["000.00.00.H49"]
    assert (facts["code_number"], facts["code_notation"]) == ("125", "UBND-VP")
    assert facts["subject"] == payloads.SUBJECT
    assert (facts["promulgation_date"], facts["type_name"]) == ("2025/03/01", "Công văn")
    assert facts["attachments"] == 1
    assert "due_date" not in facts


def test_another_prefix_is_refused_though_the_namespace_is_right() -> None:
    with pytest.raises(ServiceFailed, match="not valid") as refused:
        read_package(payloads.edxml(prefix="ns0"), max_bytes=100_000)
    assert "edXML: prefix" in refused.value.detail


def test_missing_members_are_each_named() -> None:
    package = (
        payloads.edxml()
        .replace(b"<edXML:Subject>", b"<edXML:Title>")
        .replace(b"</edXML:Subject>", b"</edXML:Title>")
    )
    package = package.replace(b"<edXML:OrganId>000.00.00.H49</edXML:OrganId>", b"")
    with pytest.raises(ServiceFailed) as refused:
        read_package(package, max_bytes=100_000)
    assert "Subject" in refused.value.detail
    assert "To/OrganId" in refused.value.detail


def test_something_else_than_edxml_is_a_bad_request() -> None:
    with pytest.raises(BadRequest, match="edXMLEnvelope"):
        read_package(b"<edXMLEnvelope/>", max_bytes=100)
