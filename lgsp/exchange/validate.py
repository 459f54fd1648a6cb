"""Step 4: the payload matches the service's registered request schema, or every fault is named."""

from __future__ import annotations

import logging
from typing import Any

import orjson

from lgsp.api.problems import (
    BAD_REQUEST,
    INTERNAL,
    UNSUPPORTED_MEDIA_TYPE,
    VALIDATION,
    InvalidParam,
    Problem,
)
from lgsp.exchange.errors import Refused
from lgsp.exchange.resolve import Target
from schemas.errors import SchemaError
from schemas.validation import CompiledSchema, SchemaValidators

log = logging.getLogger("lgsp.exchange")

_BODYLESS = frozenset({"GET", "HEAD", "DELETE", "OPTIONS"})


def _is_json(content_type: str | None) -> bool:
    media = (content_type or "").partition(";")[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def validate(
    target: Target,
    *,
    method: str,
    content_type: str | None,
    body: bytes,
    validators: SchemaValidators,
) -> None:
    """Check `body` against the service's request schema; `Refused` (400/415/422) otherwise."""
    schema_id = target.service.request_schema
    if schema_id is None or (method in _BODYLESS and not body):
        return
    if not _is_json(content_type):
        raise Refused(
            Problem(UNSUPPORTED_MEDIA_TYPE, f"{target.service.id} takes application/json bodies")
        )
    try:
        instance: Any = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise Refused(Problem(BAD_REQUEST, f"the body is not valid JSON: {exc}")) from None
    violations = _schema(schema_id, validators=validators).violations(instance)
    if violations:
        raise Refused(
            Problem(
                VALIDATION,
                f"the body does not match schema {schema_id}: {len(violations)} fault(s)",
                errors=tuple(InvalidParam(pointer=v.pointer, detail=v.message) for v in violations),
                extensions={"schema": schema_id},
            )
        )


def _schema(schema_id: str, *, validators: SchemaValidators) -> CompiledSchema:
    try:
        return validators.get(schema_id)
    except SchemaError:
        # A registry naming a schema the catalogue lacks is the operator's fault,
        # not the caller's: refuse without forwarding an unchecked payload.
        log.error("schema %s registered for a service is not usable", schema_id)
        raise Refused(
            Problem(INTERNAL, f"the schema {schema_id} registered for this service is missing")
        ) from None
