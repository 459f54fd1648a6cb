"""Fixtures: the shipped catalogue, its validators, and operator catalogues written on the fly."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from schemas.catalogue import Catalogue
from schemas.ids import BUILTIN_BASE_URI, DRAFT_2020_12
from schemas.validation import SchemaValidators

WriteCatalogue = Callable[[Mapping[str, object]], Path]
COMMON = BUILTIN_BASE_URI + "common/v1"


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The shipped catalogue, loaded once."""
    return Catalogue.builtin()


@pytest.fixture(scope="session")
def validators(catalogue: Catalogue) -> SchemaValidators:
    """Validators over the shipped catalogue, shared by the tests that only read them."""
    return SchemaValidators(catalogue)


def operator_schema(schema_id: str, **body: object) -> dict[str, object]:
    """A well-formed draft 2020-12 schema for `schema_id` on an operator's own host."""
    return {"$schema": DRAFT_2020_12, "$id": f"https://schemas.hue.invalid/{schema_id}", **body}


@pytest.fixture
def write_catalogue(tmp_path: Path) -> WriteCatalogue:
    """Write {relative file path: JSON value or raw text} under a fresh directory; return it."""

    def write(files: Mapping[str, object]) -> Path:
        root = tmp_path / "catalogue"
        for relative, content in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
            path.write_text(text, encoding="utf-8")
        return root

    return write
