"""Validating `adapter_options` with a pydantic model, failures reported as JSON Pointers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from adapters.errors import InvalidOptions

M = TypeVar("M", bound=BaseModel)


def json_pointer(location: tuple[int | str, ...]) -> str:
    """The RFC 6901 JSON Pointer of a pydantic error location (`()` is the whole object)."""
    # Pydantic marks an invalid dict *key* with a trailing "[key]"; the pointer names the member.
    parts = [str(part) for part in location if part != "[key]"]
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


def validate_model(model: type[M], options: Mapping[str, object], *, kind: str) -> M:
    """Validate `options` as `model`, or raise `InvalidOptions` listing every failing pointer."""
    try:
        return model.model_validate(options)
    except ValidationError as exc:
        # Only pydantic's message, never the input, and no cause either (its text repeats
        # the input): options may hold an API key.
        errors = exc.errors(include_url=False, include_input=False, include_context=False)
        locations = [(json_pointer(error["loc"]), error["msg"]) for error in errors]
        raise InvalidOptions(
            f"invalid options for the {kind!r} adapter: {len(locations)} problem(s)", locations
        ) from None
