"""The schema catalogue: versioned JSON Schemas (draft 2020-12) read from a directory, checked."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from jsonschema import Draft202012Validator

from schemas.documents import JSONObject, JSONValue, load_json
from schemas.errors import BrokenSchema, UnknownSchema
from schemas.examples import Examples, load_examples
from schemas.ids import (
    DRAFT_2020_12,
    EXAMPLES_SUFFIX,
    SCHEMA_SUFFIX,
    id_uri_problem,
    schema_id_for,
)
from schemas.pointers import json_pointer

BUILTIN_DIRECTORY = Path(__file__).resolve().parent / "json"

# jsonschema's meta-validation names the failing keyword and its place in the schema, which
# jsonschema-rs's does less clearly; its meta-schemas ship with it, so this never fetches.
_META = Draft202012Validator(
    Draft202012Validator.META_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER
)
_MAX_FAULTS = 10


@dataclass(frozen=True, slots=True)
class _Entry:
    path: Path
    schema: JSONObject
    examples: Examples


def _check_schema(*, schema_id: str, path: Path, document: JSONValue) -> JSONObject:
    """`document` as a schema for `schema_id`, or `BrokenSchema` naming `path` and each fault."""
    if not isinstance(document, dict):
        raise BrokenSchema(f"{path}: a schema must be a JSON object")
    if document.get("$schema") != DRAFT_2020_12:
        raise BrokenSchema(f"{path}: `$schema` must be {DRAFT_2020_12!r}")
    problem = id_uri_problem(schema_id=schema_id, uri=document.get("$id"))
    if problem is not None:
        raise BrokenSchema(f"{path}: {problem}")
    faults = sorted(
        f"at {json_pointer(e.absolute_path) or '/'}: {e.message}"
        for e in _META.iter_errors(document)
    )
    if faults:
        shown = "; ".join(faults[:_MAX_FAULTS])
        more = f" (and {len(faults) - _MAX_FAULTS} more)" if len(faults) > _MAX_FAULTS else ""
        raise BrokenSchema(f"{path}: not a valid draft 2020-12 schema: {shown}{more}")
    return document


def _files(root: Path, suffix: str) -> Iterator[tuple[str, Path]]:
    """(schema id, file) for every `*<suffix>` under `root`; a misplaced one is an error."""
    for path in sorted(root.rglob("*" + suffix)):
        relative = PurePosixPath(path.relative_to(root).as_posix())
        schema_id = schema_id_for(relative, suffix=suffix)
        if schema_id is None:
            raise BrokenSchema(
                f"{path}: catalogue files are named <name>/v<N>{suffix} (N from 1, no leading"
                " zero) directly under the catalogue directory"
            )
        yield schema_id, path


def _read_directory(root: Path) -> dict[str, _Entry]:
    """Every schema under `root` with its examples, each checked."""
    if not root.is_dir():
        raise NotADirectoryError(f"schema directory not found: {root}")
    examples = dict(_files(root, EXAMPLES_SUFFIX))
    entries: dict[str, _Entry] = {}
    for schema_id, path in _files(root, SCHEMA_SUFFIX):
        schema = _check_schema(schema_id=schema_id, path=path, document=load_json(path))
        example_path = examples.pop(schema_id, None)
        entries[schema_id] = _Entry(
            path=path,
            schema=schema,
            examples=Examples() if example_path is None else load_examples(example_path),
        )
    if examples:
        orphan = next(iter(examples.values()))
        raise BrokenSchema(f"{orphan}: examples for a schema that is not in the catalogue")
    return entries


def _merge(parts: list[dict[str, _Entry]]) -> dict[str, _Entry]:
    """One id space from several directories; a repeated schema id is an error.

    A `$id` ends with `/<schema id>`, so unique ids also mean unique `$id`s.
    """
    merged: dict[str, _Entry] = {}
    for part in parts:
        for schema_id, entry in part.items():
            if schema_id in merged:
                other = merged[schema_id].path
                raise BrokenSchema(
                    f"{entry.path}: schema id {schema_id!r} is also given by {other}"
                )
            merged[schema_id] = entry
    return merged


class Catalogue:
    """Schemas by id (`<name>/v<N>`), each meta-validated against draft 2020-12 at load."""

    def __init__(self, entries: Mapping[str, _Entry]) -> None:
        self._entries = dict(entries)

    @classmethod
    def builtin(cls) -> Catalogue:
        """The schemas shipped in this package (`schemas/json`)."""
        return cls(_merge([_read_directory(BUILTIN_DIRECTORY)]))

    @classmethod
    def from_directory(cls, path: Path, *, with_builtin: bool = False) -> Catalogue:
        """The schemas under `path` (an operator's own), optionally next to the shipped ones."""
        parts = [_read_directory(BUILTIN_DIRECTORY)] if with_builtin else []
        parts.append(_read_directory(Path(path)))
        return cls(_merge(parts))

    def ids(self) -> tuple[str, ...]:
        """Every schema id, sorted."""
        return tuple(sorted(self._entries))

    def __contains__(self, schema_id: object) -> bool:
        """Whether `schema_id` names a schema of this catalogue."""
        return schema_id in self._entries

    def get(self, schema_id: str) -> Mapping[str, JSONValue]:
        """A copy of the schema named `schema_id`; `UnknownSchema` if there is none."""
        return copy.deepcopy(self._entry(schema_id).schema)

    def examples(self, schema_id: str) -> Examples:
        """The examples shipped with `schema_id` (empty if none); `UnknownSchema` if unknown."""
        return self._entry(schema_id).examples

    def uri(self, schema_id: str) -> str:
        """The absolute `$id` of `schema_id`: the URI other schemas `$ref` it by."""
        return str(self._entry(schema_id).schema["$id"])

    def _entry(self, schema_id: str) -> _Entry:
        entry = self._entries.get(schema_id)
        if entry is None:
            raise UnknownSchema(schema_id)
        return entry
