"""Example payloads shipped beside each schema: some valid, some invalid for a stated reason."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import cast

from jsonschema import Draft202012Validator

from schemas.documents import JSONObject, JSONValue, load_json
from schemas.errors import BrokenSchema
from schemas.pointers import json_pointer

# The shape of a `<name>/v<N>.examples.json` file. `failing` lists the instance pointers the
# example must be refused at, so the reason is checked, not only written down.
_EXAMPLES_SHAPE: JSONObject = {
    "type": "object",
    "required": ["valid", "invalid"],
    "additionalProperties": False,
    "properties": {
        "valid": {"type": "array"},
        "invalid": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["reason", "instance", "failing"],
                "additionalProperties": False,
                "properties": {
                    "reason": {"type": "string", "minLength": 1},
                    "instance": True,
                    "failing": {
                        "type": "array",
                        "minItems": 1,
                        "uniqueItems": True,
                        "items": {"type": "string", "pattern": "^(/.*)?$"},
                    },
                },
            },
        },
    },
}
_SHAPE_CHECK = Draft202012Validator(_EXAMPLES_SHAPE)


@dataclass(frozen=True, slots=True)
class InvalidExample:
    """An instance the schema refuses, why, and the instance pointers it must fail at."""

    reason: str
    instance: JSONValue
    failing: frozenset[str]


@dataclass(frozen=True, slots=True)
class Examples:
    """The examples of one schema; empty when the schema ships none (e.g. `common/v1`)."""

    valid: tuple[JSONValue, ...] = ()
    invalid: tuple[InvalidExample, ...] = ()


def load_examples(path: Path) -> Examples:
    """The examples in `path`; `BrokenSchema` naming the file if it has the wrong shape."""
    document = load_json(path)
    faults = sorted(
        f"at {json_pointer(e.absolute_path) or '/'}: {e.message}"
        for e in _SHAPE_CHECK.iter_errors(document)
    )
    if faults:
        raise BrokenSchema(f"{path}: not an examples file: " + "; ".join(faults))
    body = cast(JSONObject, document)
    invalid = []
    for item in cast(list[JSONObject], body["invalid"]):
        invalid.append(
            InvalidExample(
                reason=cast(str, item["reason"]),
                instance=item["instance"],
                failing=frozenset(cast(list[str], item["failing"])),
            )
        )
    return Examples(valid=tuple(cast(list[JSONValue], body["valid"])), invalid=tuple(invalid))
