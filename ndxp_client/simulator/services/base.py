"""What every simulated service is made of: a call in, an answer out, and JSON helpers.

A handler is a plain function run once per accepted call (never for a
duplicate); it refuses bad input with `ServiceFailed` or `BadRequest` and
reports each change it makes through `Call.effect`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ndxp_client.simulator.errors import BadRequest, ServiceFailed

JSON_MEDIA_TYPE = "application/json"

EffectSink = Callable[[str, str, Mapping[str, str]], None]
"""Records one effect: kind, subject, detail."""


@dataclass(frozen=True, slots=True)
class Answer:
    """A service's answer: kept whole, so a duplicate gets exactly the same one."""

    status: int
    body: bytes
    media_type: str


@dataclass(frozen=True, slots=True)
class Call:
    """One authenticated, first-time call, as a service handler sees it."""

    client_id: str
    service_id: str
    message_id: str
    body: bytes
    content_type: str
    effect: EffectSink = field(repr=False)


Handler = Callable[[Call], Answer]


@dataclass(frozen=True, slots=True)
class Service:
    """A service the simulator offers at `/r1/<service_id>`."""

    service_id: str
    handler: Handler
    methods: frozenset[str] = frozenset({"POST"})


def json_answer(value: object, *, status: int = 200) -> Answer:
    """`value` as a UTF-8 JSON answer; Vietnamese text goes out as is, not `\\u` escaped."""
    body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Answer(status=status, body=body, media_type=JSON_MEDIA_TYPE)


def _unique(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate member {key!r}")
        result[key] = value
    return result


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def read_json_object(call: Call) -> dict[str, object]:
    """The call's body as a JSON object; `BadRequest` if it is not one."""
    media_type = call.content_type.partition(";")[0].strip().lower()
    if media_type != JSON_MEDIA_TYPE:
        raise BadRequest(f"the body must be {JSON_MEDIA_TYPE}, not {media_type or 'untyped'}")
    try:
        value = json.loads(
            call.body.decode("utf-8"), object_pairs_hook=_unique, parse_constant=_no_constant
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest("the body is not UTF-8 JSON", detail=str(exc)) from None
    if not isinstance(value, dict):
        raise BadRequest("the body must be a JSON object")
    return value


class FieldCheck:
    """Collects what is wrong with a payload, to refuse it once with every problem named."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def string(
        self,
        obj: Mapping[str, object],
        name: str,
        *,
        at: str = "",
        pattern: re.Pattern[str] | None = None,
        accept: Callable[[str], bool] | None = None,
        required: bool = True,
    ) -> str | None:
        """`obj[name]` if a non-blank string matching `pattern` and `accept`; else notes why not."""
        where = f"{at}/{name}"
        value = obj.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            self.problems.append(f"{where}: a non-empty string is required")
            return None
        if pattern is not None and not pattern.fullmatch(value):
            self.problems.append(f"{where}: does not have the expected form")
            return None
        if accept is not None and not accept(value):
            self.problems.append(f"{where}: not a valid value")
            return None
        return value

    def fail(self, message: str) -> None:
        """Note a problem that is not about one member."""
        self.problems.append(message)

    def raise_if_any(self, what: str) -> None:
        """Refuse the payload with `ServiceFailed` if anything was noted."""
        if self.problems:
            raise ServiceFailed(f"the {what} is not valid", detail="; ".join(self.problems))


def calendar_checker(layout: str) -> Callable[[str], bool]:
    """Whether a string is a real date or time in `layout` (a `strptime` format)."""

    def valid(value: str) -> bool:
        try:
            dt.datetime.strptime(value, layout)
        except ValueError:
            return False
        return True

    return valid
