"""The shipped examples: every one behaves as documented, in Vietnamese NFC text."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

import pytest

from schemas.catalogue import Catalogue
from schemas.documents import JSONValue
from schemas.validation import SchemaValidators
from tests.unit.schemas.test_catalogue import PAYLOAD_IDS

BUILTIN = Catalogue.builtin()


def _strings(value: JSONValue) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)


def _nodes(value: JSONValue) -> Iterator[dict[str, JSONValue]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _nodes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _nodes(item)


@pytest.mark.parametrize("schema_id", PAYLOAD_IDS)
def test_every_payload_schema_ships_several_examples_of_each_kind(schema_id: str) -> None:
    examples = BUILTIN.examples(schema_id)
    assert len(examples.valid) >= 3
    assert len(examples.invalid) >= 3
    assert all(example.reason.strip() for example in examples.invalid)


@pytest.mark.parametrize(
    ("schema_id", "index"),
    [(i, n) for i in BUILTIN.ids() for n in range(len(BUILTIN.examples(i).valid))],
)
def test_each_valid_example_is_valid(
    validators: SchemaValidators, schema_id: str, index: int
) -> None:
    example = BUILTIN.examples(schema_id).valid[index]
    assert validators.get(schema_id).violations(example) == []


@pytest.mark.parametrize(
    ("schema_id", "index"),
    [(i, n) for i in BUILTIN.ids() for n in range(len(BUILTIN.examples(i).invalid))],
)
def test_each_invalid_example_fails_exactly_where_its_reason_says(
    validators: SchemaValidators, schema_id: str, index: int
) -> None:
    example = BUILTIN.examples(schema_id).invalid[index]
    compiled = validators.get(schema_id)
    assert not compiled.is_valid(example.instance), example.reason
    assert {v.pointer for v in compiled.violations(example.instance)} == example.failing


@pytest.mark.parametrize("schema_id", BUILTIN.ids())
def test_examples_and_schemas_are_written_in_nfc(schema_id: str) -> None:
    examples = BUILTIN.examples(schema_id)
    texts = [
        *_strings(dict(BUILTIN.get(schema_id))),
        *(s for example in examples.valid for s in _strings(example)),
        *(s for example in examples.invalid for s in _strings(example.instance)),
    ]
    assert all(unicodedata.is_normalized("NFC", text) for text in texts)


def test_the_examples_do_carry_vietnamese_text() -> None:
    examples = BUILTIN.examples("phan-anh-hien-truong/v1").valid[0]
    assert any(not text.isascii() for text in _strings(examples))


@pytest.mark.parametrize("schema_id", BUILTIN.ids())
def test_every_shipped_object_schema_refuses_unknown_members(schema_id: str) -> None:
    # Unknown members are refused everywhere, so a new member is a new version; it also keeps
    # every fault under an unexpected member at its parent (see the empty-name test).
    for node in _nodes(dict(BUILTIN.get(schema_id))):
        if "properties" in node and node.get("type") == "object":
            assert node.get("additionalProperties") is False, node.get("description", node)
