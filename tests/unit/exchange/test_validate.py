"""Step 4: the payload against the service's registered schema."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from lgsp.exchange.errors import Refused
from lgsp.exchange.resolve import Target
from lgsp.exchange.validate import validate
from registry.snapshot import ServiceView, freeze_json_object
from schemas.catalogue import Catalogue
from schemas.validation import SchemaValidators

VALIDATORS = SchemaValidators(Catalogue.builtin())
EXAMPLES = json.loads(
    (Path(__file__).parents[3] / "schemas/json/phan-anh-hien-truong/v1.examples.json").read_text(
        encoding="utf-8"
    )
)
TARGET = Target(
    service=ServiceView(
        id="000.00.00.H57:HUE-S/phan-anh-hien-truong/v1",
        system_id="000.00.00.H57:HUE-S",
        code="phan-anh-hien-truong",
        version=1,
        name="Phản ánh hiện trường",
        adapter="rest",
        adapter_options=freeze_json_object({}),
        request_schema="phan-anh-hien-truong/v1",
        response_schema=None,
        timeout_seconds=5.0,
    ),
    provider_path="/reports",
)


def _check(body: bytes, *, method: str = "POST", content_type: str = "application/json") -> None:
    validate(TARGET, method=method, content_type=content_type, body=body, validators=VALIDATORS)


def test_every_valid_example_passes() -> None:
    for instance in EXAMPLES["valid"]:
        _check(json.dumps(instance, ensure_ascii=False).encode("utf-8"))


@pytest.mark.parametrize("case", EXAMPLES["invalid"], ids=lambda c: c["reason"][:40])
def test_every_invalid_example_names_each_failing_location(case: dict[str, object]) -> None:
    with pytest.raises(Refused) as refused:
        _check(json.dumps(case["instance"], ensure_ascii=False).encode("utf-8"))
    problem = refused.value.problem
    assert problem.type.status == 422
    assert {e.pointer for e in problem.errors} == set(case["failing"])  # type: ignore[arg-type]


def test_json_media_types_with_parameters_and_suffixes_are_accepted() -> None:
    body = json.dumps(EXAMPLES["valid"][0]).encode()
    _check(body, content_type="application/json; charset=utf-8")
    _check(body, content_type="application/vnd.lgsp+json")


def test_a_body_that_is_not_json_is_400_and_another_media_type_415() -> None:
    with pytest.raises(Refused) as malformed:
        _check(b"{")
    assert malformed.value.problem.type.status == 400
    with pytest.raises(Refused) as wrong_type:
        _check(b"<x/>", content_type="application/xml")
    assert wrong_type.value.problem.type.status == 415


def test_bodyless_calls_and_services_without_a_schema_are_not_validated() -> None:
    _check(b"", method="GET", content_type="")
    no_schema = Target(service=replace(TARGET.service, request_schema=None), provider_path="/")
    validate(no_schema, method="POST", content_type="text/plain", body=b"x", validators=VALIDATORS)


def test_a_schema_missing_from_the_catalogue_is_refused_not_skipped() -> None:
    missing = Target(
        service=replace(TARGET.service, request_schema="khong-co/v1"), provider_path="/"
    )
    with pytest.raises(Refused) as refused:
        validate(
            missing,
            method="POST",
            content_type="application/json",
            body=b"{}",
            validators=VALIDATORS,
        )
    assert refused.value.problem.type.status == 500
