"""The pure-Python reference: jsonschema over the same catalogue, for cross-checks and benchmarks.

Never on the hot path (it is about a hundred times slower than jsonschema-rs). It resolves
`$ref`s from the same catalogue, refuses every other URI, and asserts formats with
jsonschema's `FormatChecker` (whose `date-time` check needs the `rfc3339-validator` package;
without it `date-time` is silently not checked, which `reference_format_checker` refuses).
"""

from __future__ import annotations

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012, Schema

from schemas.catalogue import Catalogue
from schemas.errors import BrokenSchema, ForeignReference
from schemas.pointers import json_pointer, path_order
from schemas.validation import Violation


def _refuse(uri: str) -> Resource[Schema]:
    raise LookupError(f"{uri} is not in the schema catalogue, and schemas are never fetched")


def reference_registry(catalogue: Catalogue) -> Registry[Schema]:
    """A `referencing` registry holding every catalogue schema and fetching nothing else."""
    resources = [
        (catalogue.uri(schema_id), DRAFT202012.create_resource(dict(catalogue.get(schema_id))))
        for schema_id in catalogue.ids()
    ]
    # `retrieve` is an attrs alias of the private `_retrieve` field, which mypy cannot see.
    return Registry(retrieve=_refuse).with_resources(resources)  # type: ignore[call-arg]


_ASSERTED = frozenset({"date-time", "email"})  # the formats our schemas use


def reference_format_checker() -> FormatChecker:
    """jsonschema's format checker; `RuntimeError` if it cannot check a format our schemas use."""
    checker = FormatChecker()
    missing = _ASSERTED - set(checker.checkers)
    if missing:
        raise RuntimeError(
            f"jsonschema cannot check the formats {sorted(missing)} here;"
            " install rfc3339-validator (jsonschema's `format` extra)"
        )
    return checker


class ReferenceSchema:
    """One catalogue schema under jsonschema, with the same methods as `CompiledSchema`.

    jsonschema resolves `$ref`s lazily, so a reference outside the catalogue is found while
    validating: `ForeignReference` then (and nothing fetched), `BrokenSchema` for a bad pointer.
    """

    def __init__(self, *, catalogue: Catalogue, schema_id: str) -> None:
        self.schema_id = schema_id
        self._uris = {catalogue.uri(other) for other in catalogue.ids()}
        self._validator = Draft202012Validator(
            dict(catalogue.get(schema_id)),
            registry=reference_registry(catalogue),
            format_checker=reference_format_checker(),
        )

    def is_valid(self, instance: object) -> bool:
        """Whether `instance` matches the schema."""
        try:
            return self._validator.is_valid(instance)
        except Unresolvable as exc:
            raise self._unresolvable(exc) from exc

    def violations(self, instance: object) -> list[Violation]:
        """Every violation, ordered by pointer; messages are jsonschema's and quote values."""
        try:
            found = {
                (tuple(error.absolute_path), error.message)
                for error in self._validator.iter_errors(instance)
            }
        except Unresolvable as exc:
            raise self._unresolvable(exc) from exc
        ordered = sorted(found, key=lambda item: (path_order(item[0]), item[1]))
        return [Violation(json_pointer(path), message) for path, message in ordered]

    def _unresolvable(self, exc: Unresolvable) -> Exception:
        uri = exc.ref.partition("#")[0]
        if uri not in self._uris:
            return ForeignReference(schema_id=self.schema_id, uri=exc.ref)
        return BrokenSchema(f"schema {self.schema_id!r}: cannot resolve {exc.ref}")
