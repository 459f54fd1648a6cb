"""Violation messages in our own words, built from the failed keyword, never from the value.

jsonschema-rs's messages quote the offending value, and payloads carry personal data (citizen
numbers, phone numbers): a message may reach a log, so it names the rule, not the value. Our
own wording also stays the same when the library rewords its messages. Where the schema node
that failed has a `title` (our shared definitions do), a pattern or a choice of forms is
named by that title rather than by a regular expression nobody can read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

from jsonschema_rs import ValidationError
from jsonschema_rs import ValidationErrorKind as Kind

from schemas.catalogue import Catalogue
from schemas.documents import JSONValue
from schemas.pointers import json_pointer

_FORMAT_MEANINGS = {
    "date-time": "RFC 3339 date-time, e.g. 2024-05-01T03:04:05Z",
}


def _titled(node: JSONValue, path: tuple[str | int, ...]) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        title = node.get("title")
        if isinstance(title, str):
            yield json_pointer(path), title
        for key, value in node.items():
            yield from _titled(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _titled(value, (*path, index))


def schema_titles(catalogue: Catalogue) -> dict[str, str]:
    """The title of every titled schema node, by absolute location (`<$id>#<pointer>`)."""
    return {
        f"{catalogue.uri(schema_id)}#{pointer}": title
        for schema_id in catalogue.ids()
        for pointer, title in _titled(dict(catalogue.get(schema_id)), ())
    }


def _show(value: object) -> str:
    # Values shown here come from the schema (limits, options), never from the instance.
    return json.dumps(value, ensure_ascii=False, default=str)


def _either(values: list[str]) -> str:
    return ", ".join(values[:-1]) + " or " + values[-1] if len(values) > 1 else values[0]


def _title_of(error: ValidationError, titles: Mapping[str, str]) -> str | None:
    """The title of the schema node whose keyword failed, if it has one."""
    location = error.absolute_keyword_location
    if location is None:
        return None
    return titles.get(location.rpartition("/")[0])


def describe(error: ValidationError, *, titles: Mapping[str, str]) -> str:
    """A short message for `error` that names the rule broken and never quotes the instance."""
    match error.kind:
        case Kind.Pattern() | Kind.AnyOf() | Kind.OneOfNotValid() if title := _title_of(
            error, titles
        ):
            return f"is not a valid {title}"
        case Kind.Type(types=types):
            return f"must be of type {_either(sorted(types))}"
        case Kind.Required(property=name):
            return f"missing required property {_show(name)}"
        case (
            Kind.AdditionalProperties(unexpected=names)
            | Kind.UnevaluatedProperties(unexpected=names)
        ):
            listed = ", ".join(_show(name) for name in sorted(names))
            return f"unexpected propert{'y' if len(names) == 1 else 'ies'} {listed}"
        case Kind.Pattern(pattern=pattern):
            return f"does not match the pattern {pattern}"
        case Kind.Format(format=name):
            meaning = _FORMAT_MEANINGS.get(name)
            return f"is not a valid {name}" + (f" ({meaning})" if meaning else "")
        case Kind.Enum(options=options):
            return f"must be one of {_either([_show(option) for option in options])}"
        case Kind.Constant(expected_value=expected):
            return f"must be {_show(expected)}"
        case Kind.MinLength(limit=limit):
            return f"must be at least {limit} character{'s' if limit != 1 else ''} long"
        case Kind.MaxLength(limit=limit):
            return f"must be at most {limit} character{'s' if limit != 1 else ''} long"
        case Kind.Minimum(limit=limit):
            return f"must be at least {limit}"
        case Kind.Maximum(limit=limit):
            return f"must be at most {limit}"
        case Kind.ExclusiveMinimum(limit=limit):
            return f"must be greater than {limit}"
        case Kind.ExclusiveMaximum(limit=limit):
            return f"must be less than {limit}"
        case Kind.MultipleOf(multiple_of=step):
            return f"must be a multiple of {step}"
        case Kind.MinItems(limit=limit):
            return f"must have at least {limit} item{'s' if limit != 1 else ''}"
        case Kind.MaxItems(limit=limit) | Kind.AdditionalItems(limit=limit):
            return f"must have at most {limit} item{'s' if limit != 1 else ''}"
        case Kind.MinProperties(limit=limit):
            return f"must have at least {limit} propert{'ies' if limit != 1 else 'y'}"
        case Kind.MaxProperties(limit=limit):
            return f"must have at most {limit} propert{'ies' if limit != 1 else 'y'}"
        case Kind.UniqueItems():
            return "must not repeat an item"
        case Kind.Contains():
            return "must contain an item of the required form"
        case Kind.AnyOf() | Kind.OneOfNotValid():
            return "does not match any of the allowed forms"
        case Kind.OneOfMultipleValid():
            return "matches more than one of the allowed forms"
        case Kind.Not() | Kind.FalseSchema():
            return "is not allowed here"
        case Kind.PropertyNames(error=inner):
            return f"has a property name that {describe(inner, titles=titles)}"
        case _:
            # A keyword our schemas do not use; the library's message, which the validator was
            # told at compile time to mask the value in, is the best we have.
            return error.message
