"""The pure-Python reference: same catalogue, formats really checked, nothing fetched."""

from __future__ import annotations

import pytest
from jsonschema import FormatChecker

from schemas.catalogue import Catalogue
from schemas.errors import ForeignReference
from schemas.reference import ReferenceSchema, reference_format_checker
from schemas.validation import Violation
from tests.unit.schemas.conftest import WriteCatalogue, operator_schema


def test_the_reference_resolves_catalogue_references_and_checks_formats(
    catalogue: Catalogue,
) -> None:
    reference = ReferenceSchema(catalogue=catalogue, schema_id="vi-tri-tau-ca/v1")
    fix = catalogue.examples("vi-tri-tau-ca/v1").valid[0]
    assert isinstance(fix, dict)
    assert reference.is_valid(fix)
    late = {**fix, "time": "2024-02-30T00:00:00Z", "deviceId": "a b"}
    assert [v.pointer for v in reference.violations(late)] == ["/deviceId", "/time"]
    assert all(isinstance(v, Violation) for v in reference.violations(late))


def test_the_reference_refuses_to_run_without_a_date_time_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    without = {k: v for k, v in FormatChecker.checkers.items() if k != "date-time"}
    monkeypatch.setattr(FormatChecker, "checkers", without)
    with pytest.raises(RuntimeError, match="rfc3339-validator"):
        reference_format_checker()


def test_the_reference_fetches_nothing_either(
    write_catalogue: WriteCatalogue,
    schema_server: tuple[str, list[str]],
) -> None:
    url, asked = schema_server
    root = write_catalogue(
        {"t/v1.schema.json": operator_schema("t/v1", properties={"x": {"$ref": url}})}
    )
    reference = ReferenceSchema(catalogue=Catalogue.from_directory(root), schema_id="t/v1")
    with pytest.raises(ForeignReference, match="never fetched"):
        reference.is_valid({"x": 1})
    with pytest.raises(ForeignReference):
        reference.violations({"x": 1})
    assert asked == []
