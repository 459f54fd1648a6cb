"""Payload validation on the hot path: jsonschema-rs, draft 2020-12, formats asserted.

Each schema is compiled once per `SchemaValidators`. `$ref`s are resolved from the catalogue
only: the retriever handed to jsonschema-rs answers catalogue URIs and refuses every other,
so nothing is ever fetched (left to its defaults, jsonschema-rs fetches `http(s)://` and reads
`file://` references). A retriever rather than a `Registry` of the whole catalogue, because a
registry resolves every schema's references when it is built, so one broken schema would stop
all of them and the error could not say which schema it was.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

import jsonschema_rs

from schemas.catalogue import Catalogue
from schemas.documents import JSONValue
from schemas.errors import BrokenSchema, ForeignReference
from schemas.messages import describe, schema_titles
from schemas.pointers import json_pointer, path_order

_MASK = "the value"


@dataclass(frozen=True, slots=True)
class Violation:
    """One way an instance breaks its schema: where (RFC 6901 pointer; `""` is the root), what."""

    pointer: str
    message: str


class CompiledSchema:
    """A schema compiled for validation; safe to share between threads."""

    __slots__ = ("_titles", "_validator", "schema_id")

    def __init__(
        self, *, schema_id: str, validator: jsonschema_rs.Validator, titles: Mapping[str, str]
    ) -> None:
        self.schema_id = schema_id
        self._validator = validator
        self._titles = titles

    def is_valid(self, instance: object) -> bool:
        """Whether `instance` matches the schema."""
        return self._validator.is_valid(instance)

    def violations(self, instance: object) -> list[Violation]:
        """Every violation in `instance`, ordered by pointer, then message; empty if valid."""
        if self._validator.is_valid(instance):
            return []  # the common case, and cheaper than collecting errors
        found = {
            (tuple(error.instance_path), describe(error, titles=self._titles))
            for error in self._validator.iter_errors(instance)
        }
        ordered = sorted(found, key=lambda item: (path_order(item[0]), item[1]))
        return [Violation(json_pointer(path), message) for path, message in ordered]


class SchemaValidators:
    """The catalogue's schemas, each compiled on first use and kept."""

    def __init__(self, catalogue: Catalogue) -> None:
        self._catalogue = catalogue
        self._compiled: dict[str, CompiledSchema] = {}
        self._lock = threading.Lock()
        self._refused: list[str] = []
        self._titles = schema_titles(catalogue)
        self._ids_by_uri = {catalogue.uri(schema_id): schema_id for schema_id in catalogue.ids()}

    @property
    def catalogue(self) -> Catalogue:
        """The catalogue these validators compile from (also what services may name)."""
        return self._catalogue

    def _retrieve(self, uri: str) -> JSONValue:
        # jsonschema-rs asks for every document a `$ref` names outside the schema itself; the
        # catalogue answers, any other URI is recorded and refused: nothing is ever fetched.
        schema_id = self._ids_by_uri.get(uri.partition("#")[0])
        if schema_id is None:
            self._refused.append(uri)
            raise LookupError(f"{uri} is not in the schema catalogue; schemas are never fetched")
        return dict(self._catalogue.get(schema_id))

    def get(self, schema_id: str) -> CompiledSchema:
        """The compiled schema `schema_id`; `UnknownSchema`, `BrokenSchema`, `ForeignReference`."""
        compiled = self._compiled.get(schema_id)
        if compiled is not None:
            return compiled
        with self._lock:  # compile once, even when two requests ask at the same moment
            compiled = self._compiled.get(schema_id)
            if compiled is None:
                compiled = self._compile(schema_id)
                self._compiled[schema_id] = compiled
        return compiled

    def compile_all(self) -> None:
        """Compile every schema now, so that a broken one stops the start, not a request."""
        for schema_id in self._catalogue.ids():
            self.get(schema_id)

    def _compile(self, schema_id: str) -> CompiledSchema:
        schema = dict(self._catalogue.get(schema_id))
        self._refused.clear()
        try:
            validator = jsonschema_rs.Draft202012Validator(
                schema,
                retriever=self._retrieve,
                validate_formats=True,  # 2020-12 only annotates `format` unless told to assert
                # An e-mail field holds an address, not "Name <address>".
                email_options=jsonschema_rs.EmailOptions(allow_display_text=False),
                ignore_unknown_formats=False,  # a misspelt format must not pass silently
                # Linear-time regular expressions: a pattern cannot be made to backtrack for
                # seconds on a crafted payload (lookaround and backreferences are refused).
                pattern_options=jsonschema_rs.RegexOptions(),
                mask=_MASK,
            )
        except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError, ValueError) as exc:
            if self._refused:
                raise ForeignReference(schema_id=schema_id, uri=self._refused[0]) from exc
            raise BrokenSchema(f"schema {schema_id!r} does not compile: {exc}") from exc
        return CompiledSchema(schema_id=schema_id, validator=validator, titles=self._titles)
