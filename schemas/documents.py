"""Strict reading of the catalogue's JSON files: duplicate keys and NaN are refused, not guessed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeAlias, cast

from schemas.errors import BrokenSchema

JSONValue: TypeAlias = bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"] | None
JSONObject: TypeAlias = dict[str, JSONValue]


def _unique_keys(pairs: list[tuple[str, JSONValue]]) -> JSONObject:
    # The stdlib keeps the last of two equal keys silently; in a schema that hides a mistake
    # (two "properties" members, say), so a duplicate is an error.
    result: JSONObject = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _no_constant(name: str) -> JSONValue:
    raise ValueError(f"{name} is not JSON")


def load_json(path: Path) -> JSONValue:
    """The JSON document in `path`; `BrokenSchema` naming the file if it is not strict JSON."""
    try:
        text = path.read_text(encoding="utf-8")
        return cast(
            JSONValue,
            json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant),
        )
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BrokenSchema(f"{path}: not a readable UTF-8 JSON document: {exc}") from exc
