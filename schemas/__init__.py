"""Versioned payload schemas (JSON Schema draft 2020-12), their catalogue, and validation."""

from __future__ import annotations

from schemas.catalogue import Catalogue
from schemas.errors import BrokenSchema, ForeignReference, SchemaError, UnknownSchema
from schemas.examples import Examples, InvalidExample
from schemas.validation import CompiledSchema, SchemaValidators, Violation

__all__ = [
    "BrokenSchema",
    "Catalogue",
    "CompiledSchema",
    "Examples",
    "ForeignReference",
    "InvalidExample",
    "SchemaError",
    "SchemaValidators",
    "UnknownSchema",
    "Violation",
]
