"""The schema package's error tree: one root, one subclass per way a schema can fail us."""

from __future__ import annotations


class SchemaError(Exception):
    """Root of every error the schemas package raises."""


class UnknownSchema(SchemaError, LookupError):
    """No schema with this id is in the catalogue."""

    def __init__(self, schema_id: str) -> None:
        super().__init__(f"no schema {schema_id!r} in the catalogue")
        self.schema_id = schema_id


class BrokenSchema(SchemaError):
    """A schema or examples file is unreadable, malformed, or not valid draft 2020-12."""


class ForeignReference(SchemaError):
    """A schema refers (`$ref`) to a URI outside the catalogue; nothing is ever fetched."""

    def __init__(self, *, schema_id: str, uri: str) -> None:
        super().__init__(
            f"schema {schema_id!r} refers to {uri}, which is not in the schema catalogue;"
            " references are resolved from the catalogue only and never fetched"
        )
        self.schema_id = schema_id
        self.uri = uri
