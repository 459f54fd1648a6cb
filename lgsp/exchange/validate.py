"""Step 4: the payload matches the service's registered request schema, or every fault is named."""

from __future__ import annotations

from typing import Any

import orjson

from lgsp.api.problems import (
    BAD_REQUEST,
    UNSUPPORTED_MEDIA_TYPE,
    VALIDATION,
    InvalidParam,
    Problem,
)
from lgsp.exchange.errors import Refused
from lgsp.exchange.resolve import Target
from schemas.validation import SchemaValidators

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
    violations = validators.get(schema_id).violations(instance)
    if violations:
        raise Refused(
            Problem(
                VALIDATION,
                f"the body does not match schema {schema_id}: {len(violations)} fault(s)",
                errors=tuple(InvalidParam(pointer=v.pointer, detail=v.message) for v in violations),
                extensions={"schema": schema_id},
            )
        )
