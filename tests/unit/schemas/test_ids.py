"""Schema ids, the files that hold them, and the `$id` each schema must carry."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import pytest

from schemas.ids import (
    EXAMPLES_SUFFIX,
    SCHEMA_SUFFIX,
    id_uri_problem,
    is_schema_id,
    schema_id_for,
)

# The registry's pattern for schema references (registry/dto.py): every id must fit it.
REGISTRY_SCHEMA_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/:-]{0,199}$")


@pytest.mark.parametrize(
    "schema_id", ["common/v1", "phan-anh-hien-truong/v1", "QuanTrac_2/v12", "a.b/v999999"]
)
def test_ids_of_the_catalogue_shape_fit_the_registry_pattern(schema_id: str) -> None:
    assert is_schema_id(schema_id)
    assert REGISTRY_SCHEMA_REF.fullmatch(schema_id)


@pytest.mark.parametrize(
    "text",
    [
        "common",
        "common/1",
        "common/v0",
        "common/v01",
        "common/V1",
        "common/v1/extra",
        "../common/v1",
        ".hidden/v1",
        "-x/v1",
        "phan anh/v1",
        "common/v1 ",
        "a" * 101 + "/v1",
    ],
)
def test_other_texts_are_not_ids(text: str) -> None:
    assert not is_schema_id(text)


def test_a_file_gives_its_id_only_at_the_right_depth_with_the_right_suffix() -> None:
    assert schema_id_for(PurePosixPath("quan-trac/v2.schema.json"), suffix=SCHEMA_SUFFIX) == (
        "quan-trac/v2"
    )
    assert schema_id_for(PurePosixPath("quan-trac/v2.examples.json"), suffix=EXAMPLES_SUFFIX) == (
        "quan-trac/v2"
    )
    assert schema_id_for(PurePosixPath("v2.schema.json"), suffix=SCHEMA_SUFFIX) is None
    assert schema_id_for(PurePosixPath("a/b/v2.schema.json"), suffix=SCHEMA_SUFFIX) is None
    assert schema_id_for(PurePosixPath("quan-trac/v02.schema.json"), suffix=SCHEMA_SUFFIX) is None
    assert schema_id_for(PurePosixPath("quan-trac/v2.json"), suffix=SCHEMA_SUFFIX) is None


@pytest.mark.parametrize(
    ("uri", "fault"),
    [
        ("https://schemas.lgsp.invalid/quan-trac/v1", None),
        ("urn:x:quan-trac/v1", "absolute URI with a host"),
        ("/quan-trac/v1", "absolute URI with a host"),
        ("https://schemas.lgsp.invalid/quan-trac/v1#", "no fragment"),
        ("https://schemas.lgsp.invalid/quan-trac/v1?x=1", "no query"),
        ("https://schemas.lgsp.invalid/quan-trac/v2", "does not end with /quan-trac/v1"),
        ("https://schemas.lgsp.invalid/xquan-trac/v1", "does not end with /quan-trac/v1"),
        (None, "no `$id`"),
    ],
)
def test_the_id_uri_must_be_absolute_and_end_with_the_id(uri: object, fault: str | None) -> None:
    problem = id_uri_problem(schema_id="quan-trac/v1", uri=uri)
    if fault is None:
        assert problem is None
    else:
        assert problem is not None
        assert fault in problem
