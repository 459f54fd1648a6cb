"""The catalogue: what it loads, what it refuses (naming the file), and what it hands out."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas.catalogue import Catalogue
from schemas.errors import BrokenSchema, SchemaError, UnknownSchema
from schemas.ids import DRAFT_2020_12
from tests.unit.schemas.conftest import COMMON, WriteCatalogue, operator_schema

PAYLOAD_IDS = (
    "dong-bo-ho-so/v1",
    "phan-anh-hien-truong/v1",
    "quan-trac/v1",
    "tra-cuu-cong-dan/v1",
    "vi-tri-tau-ca/v1",
)


def test_the_shipped_catalogue_holds_the_demo_families(catalogue: Catalogue) -> None:
    assert catalogue.ids() == ("common/v1", *PAYLOAD_IDS)
    for schema_id in catalogue.ids():
        assert catalogue.uri(schema_id) == f"https://schemas.lgsp.invalid/{schema_id}"
        assert catalogue.get(schema_id)["$schema"] == DRAFT_2020_12
        assert schema_id in catalogue
    assert "common/v2" not in catalogue


@pytest.mark.parametrize("schema_id", PAYLOAD_IDS)
def test_every_payload_schema_says_its_fields_are_not_from_an_official_spec(
    catalogue: Catalogue, schema_id: str
) -> None:
    description = str(catalogue.get(schema_id)["description"])
    assert "not from an official specification" in description


def test_get_hands_out_a_copy_that_cannot_change_the_catalogue(catalogue: Catalogue) -> None:
    schema = catalogue.get("quan-trac/v1")
    assert isinstance(schema, dict)
    required, properties = schema["required"], schema["properties"]
    assert isinstance(required, list)
    assert isinstance(properties, dict)
    required.append("tampered")
    properties.clear()
    again = catalogue.get("quan-trac/v1")
    assert again["required"] == ["station", "observations"]
    assert again["properties"] != {}


def test_an_unknown_id_is_an_unknown_schema_error(catalogue: Catalogue) -> None:
    for ask in (catalogue.get, catalogue.examples, catalogue.uri):
        with pytest.raises(UnknownSchema) as caught:
            ask("phan-anh-hien-truong/v9")
        assert caught.value.schema_id == "phan-anh-hien-truong/v9"
        assert isinstance(caught.value, SchemaError)
        assert isinstance(caught.value, LookupError)


def test_an_operator_directory_loads_on_its_own_or_beside_the_shipped_schemas(
    write_catalogue: WriteCatalogue,
) -> None:
    root = write_catalogue(
        {
            "ho-tich/v1.schema.json": operator_schema(
                "ho-tich/v1", type="object", properties={"ma": {"$ref": f"{COMMON}#/$defs/code"}}
            ),
            "ho-tich/v1.examples.json": {
                "valid": [{"ma": "A1"}],
                "invalid": [{"reason": "not a string", "instance": {"ma": 1}, "failing": ["/ma"]}],
            },
            "ho-tich/v2.schema.json": operator_schema("ho-tich/v2", type="object"),
            "README.md": "files other than *.schema.json and *.examples.json are left alone",
        }
    )
    own = Catalogue.from_directory(root)
    assert own.ids() == ("ho-tich/v1", "ho-tich/v2")
    assert own.examples("ho-tich/v1").valid == ({"ma": "A1"},)
    [invalid] = own.examples("ho-tich/v1").invalid
    assert (invalid.reason, invalid.instance, invalid.failing) == (
        "not a string",
        {"ma": 1},
        frozenset({"/ma"}),
    )
    assert own.examples("ho-tich/v2").valid == ()
    both = Catalogue.from_directory(root, with_builtin=True)
    assert set(both.ids()) == {*own.ids(), *Catalogue.builtin().ids()}


def test_a_missing_directory_is_reported(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError, match="nowhere"):
        Catalogue.from_directory(tmp_path / "nowhere")


def _refusal(write_catalogue: WriteCatalogue, files: dict[str, object]) -> str:
    root = write_catalogue(files)
    with pytest.raises(BrokenSchema) as caught:
        Catalogue.from_directory(root)
    return str(caught.value)


def test_a_schema_that_is_not_valid_draft_2020_12_is_refused_with_every_fault_and_its_file(
    write_catalogue: WriteCatalogue,
) -> None:
    message = _refusal(
        write_catalogue,
        {
            "x/v1.schema.json": operator_schema(
                "x/v1",
                type="strin",
                properties={"a": {"minimum": "0"}, "b": {"pattern": "(unclosed"}},
            )
        },
    )
    assert "x/v1.schema.json" in message
    assert "not a valid draft 2020-12 schema" in message
    assert "at /type:" in message
    assert "at /properties/a/minimum:" in message
    assert "at /properties/b/pattern:" in message


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"x/v1.schema.json": "{"}, "not a readable UTF-8 JSON document"),
        (
            {"x/v1.schema.json": '{"type": "object", "type": "string"}'},
            "duplicate key 'type'",
        ),
        ({"x/v1.schema.json": '{"maximum": NaN}'}, "NaN is not JSON"),
        ({"x/v1.schema.json": [1, 2]}, "must be a JSON object"),
        (
            {"x/v1.schema.json": {"$id": "https://schemas.hue.invalid/x/v1"}},
            "`$schema` must be",
        ),
        (
            {
                "x/v1.schema.json": {
                    "$schema": "http://json-schema.org/draft-07/schema#",
                    "$id": "https://schemas.hue.invalid/x/v1",
                }
            },
            "`$schema` must be",
        ),
        (
            {"x/v2.schema.json": operator_schema("x/v1")},  # a copied file, $id not updated
            "does not end with /x/v2",
        ),
        ({"x/v1.schema.json": {"$schema": DRAFT_2020_12}}, "has no `$id`"),
        ({"v1.schema.json": operator_schema("v1")}, "are named <name>/v<N>.schema.json"),
        ({"x/v01.schema.json": operator_schema("x/v01")}, "are named <name>/v<N>.schema.json"),
        ({"x/y/v1.schema.json": operator_schema("y/v1")}, "are named <name>/v<N>.schema.json"),
        (
            {"x/v1.schema.json": operator_schema("x/v1"), "y/v1.examples.json": {}},
            "examples for a schema that is not in the catalogue",
        ),
        (
            {
                "x/v1.schema.json": operator_schema("x/v1"),
                "x/v1.examples.json": {"valid": [], "invalid": [{"instance": 1, "failing": []}]},
            },
            "not an examples file",
        ),
    ],
)
def test_broken_files_are_refused_naming_the_file(
    write_catalogue: WriteCatalogue, files: dict[str, object], expected: str
) -> None:
    message = _refusal(write_catalogue, files)
    assert expected in message
    assert any(name in message for name in files)


def test_an_examples_file_without_reasons_or_failing_pointers_is_refused_at_each_fault(
    write_catalogue: WriteCatalogue,
) -> None:
    message = _refusal(
        write_catalogue,
        {
            "x/v1.schema.json": operator_schema("x/v1"),
            "x/v1.examples.json": {"valid": [], "invalid": [{"instance": 1, "failing": ["a"]}]},
        },
    )
    assert "at /invalid/0: 'reason' is a required property" in message
    assert "at /invalid/0/failing/0:" in message  # a pointer starts with "/"


def test_an_operator_schema_may_not_reuse_a_shipped_id(write_catalogue: WriteCatalogue) -> None:
    root = write_catalogue({"common/v1.schema.json": operator_schema("common/v1")})
    assert Catalogue.from_directory(root).ids() == ("common/v1",)  # alone, it is its own
    with pytest.raises(BrokenSchema, match=r"schema id 'common/v1' is also given by .*json"):
        Catalogue.from_directory(root, with_builtin=True)
