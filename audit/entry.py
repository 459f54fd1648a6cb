"""The audit entry: one versioned schema, serialised with RFC 8785 (JCS) to the bytes signed.

Every field is always present (null when it does not apply), so an entry's
bytes have one shape per schema version. Numbers are integers only: a float
anywhere is refused, because JCS would print `1.0` as `1` and a reader could
not tell what was meant.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final, Literal, Protocol, get_args

import orjson
import rfc8785

from audit.errors import InvalidEntry

SCHEMA_VERSION: Final = 1

Kind = Literal["request", "outcome", "refusal", "delivery-attempt", "config-change", "key-rotation"]
KINDS: Final[frozenset[str]] = frozenset(get_args(Kind))
# Kinds that describe one HTTP exchange, so they name its method and route template.
EXCHANGE_KINDS: Final = frozenset({"request", "outcome", "refusal", "delivery-attempt"})

# Longest value each string field may hold; the storage columns use the same limits.
MAX_LENGTH: Final[Mapping[str, int]] = {
    "kind": 32,
    "exchange_id": 36,
    "node": 100,
    "at": 27,
    "client_id": 200,
    "client_system_id": 200,
    "service_id": 300,
    "method": 16,
    "route_template": 1000,
    "reason": 64,
}
MAX_EXTRA_ITEMS: Final = 16
MAX_EXTRA_STRING: Final = 256
# JSON numbers are IEEE 754 doubles; beyond this an integer would be rounded by readers.
MAX_SAFE_INTEGER: Final = 2**53 - 1

_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
_UUID7 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_EXTRA_KEY = re.compile(r"[a-z][a-z0-9_-]{0,63}")
_METHOD = re.compile(r"[A-Z]{1,16}")
# Identifiers (node, client, system, service ids) are printable and unspaced.
_IDENTIFIER = re.compile(r"[^\s\x00-\x1f\x7f]+")
# A route template is a pattern such as `/x/{service}/reports/{id}`; a query,
# fragment or percent-escape means a raw path slipped in.
_ROUTE_TEMPLATE = re.compile(r"[^\s\x00-\x1f\x7f?#%]+")


class Clock(Protocol):
    """Tells the current time (injected so tests and replays control it)."""

    def now(self) -> dt.datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> dt.datetime:
        """The current UTC time."""
        return dt.datetime.now(dt.UTC)


SYSTEM_CLOCK: Final = SystemClock()


def format_timestamp(moment: dt.datetime) -> str:
    """An aware datetime as an entry timestamp: RFC 3339, UTC, microseconds, `Z`."""
    if moment.tzinfo is None:
        raise InvalidEntry("a naive datetime has no defined instant")
    # isoformat (C) rather than strftime: this runs for every entry made, and it
    # zero-pads the year to four digits where strftime's %Y might not.
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")[:-6] + "Z"


def parse_timestamp(text: str) -> dt.datetime:
    """An entry timestamp back as an aware UTC datetime."""
    if not _TIMESTAMP.fullmatch(text):
        raise InvalidEntry("timestamp is not RFC 3339 UTC with microseconds")
    try:
        # fromisoformat (C) rather than strptime: this runs for every entry made.
        return dt.datetime.fromisoformat(text[:-1]).replace(tzinfo=dt.UTC)
    except ValueError as exc:
        raise InvalidEntry("timestamp names no real instant") from exc


def timestamp(clock: Clock = SYSTEM_CLOCK) -> str:
    """The clock's current time as an entry timestamp."""
    return format_timestamp(clock.now())


def digest(data: bytes) -> str:
    """The SHA-256 digest of `data` as `sha256:<hex>`."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class EntryDraft:
    """What the exchange records about one event; validated when made.

    Holds no raw path, query, body or personal identifier: only ids,
    the route template, and digests. See `audit/README.md` for each field.
    """

    kind: Kind
    exchange_id: str
    node: str
    at: str
    method: str | None = None
    route_template: str | None = None
    client_id: str | None = None
    client_system_id: str | None = None
    service_id: str | None = None
    status: int | None = None
    latency_us: int | None = None
    reason: str | None = None
    request_digest: str | None = None
    response_digest: str | None = None
    path_digest: str | None = None
    idempotency_key_digest: str | None = None
    extra: Mapping[str, str | int] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        # A private, read-only copy: what was validated is what gets signed,
        # whatever the caller later does to the dict it passed in.
        if not isinstance(self.extra, Mapping):
            raise InvalidEntry("extra must be a mapping of short names to strings or integers")
        object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))
        _check_draft(self)

    def as_json(self) -> dict[str, Any]:
        """The entry as the JSON object that is serialised, `v` included."""
        fields: dict[str, Any] = {name: getattr(self, name) for name in _DRAFT_FIELDS}
        fields["extra"] = dict(self.extra)
        return {"v": SCHEMA_VERSION, **fields}


_DRAFT_FIELDS: Final = tuple(f.name for f in dataclasses.fields(EntryDraft))
FIELD_NAMES: Final[frozenset[str]] = frozenset({"v", *_DRAFT_FIELDS})


def encode_entry(draft: EntryDraft) -> bytes:
    """The draft's canonical bytes (RFC 8785), exactly what is signed and stored."""
    # The draft is immutable and was validated when made. For what a valid draft can
    # hold (ASCII member names, strings, integers within +-2^53, null, one nested
    # object) orjson's sorted compact output IS the RFC 8785 form, about 50 times
    # faster than the reference implementation; `decode_entry` (and so the verifier)
    # re-serialises with the reference implementation, which catches any difference.
    return orjson.dumps(draft.as_json(), option=orjson.OPT_SORT_KEYS)


def decode_entry(data: bytes) -> EntryDraft:
    """Parse stored bytes, refusing anything but canonical JCS of a valid version 1 entry."""
    try:
        document = json.loads(
            data.decode("utf-8"),
            parse_float=_refuse_number,
            parse_constant=_refuse_number,
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidEntry(f"entry bytes are not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise InvalidEntry("entry is not a JSON object")
    if document.get("v") != SCHEMA_VERSION or isinstance(document.get("v"), bool):
        raise InvalidEntry(f"entry schema version is not {SCHEMA_VERSION}")
    if set(document) != FIELD_NAMES:
        raise InvalidEntry("entry fields differ from the version 1 schema")
    if not isinstance(document["extra"], dict):
        raise InvalidEntry("extra is not an object")
    if _canonical(document) != data:
        raise InvalidEntry("entry bytes are not in canonical (RFC 8785) form")
    fields = {name: value for name, value in document.items() if name != "v"}
    try:
        return EntryDraft(**fields)
    except TypeError as exc:
        raise InvalidEntry(f"entry fields are malformed: {exc}") from exc


def _canonical(document: Mapping[str, Any]) -> bytes:
    try:
        return rfc8785.dumps(document)
    except (rfc8785.CanonicalizationError, UnicodeEncodeError) as exc:
        raise InvalidEntry(f"entry cannot be canonicalised: {exc}") from exc


def _refuse_number(text: str) -> object:
    raise InvalidEntry(f"entry holds a non-integer number: {text}")


def _check_draft(draft: EntryDraft) -> None:
    if draft.kind not in KINDS:
        raise InvalidEntry(f"kind must be one of {sorted(KINDS)}")
    _check_exchange_id(draft.exchange_id)
    parse_timestamp(_text(draft.at, "at"))
    _check_identifier(draft.node, "node")
    for name in ("client_id", "client_system_id", "service_id"):
        value = getattr(draft, name)
        if value is not None:
            _check_identifier(value, name)
    if draft.method is not None and not _METHOD.fullmatch(_text(draft.method, "method")):
        raise InvalidEntry("method must be an upper-case HTTP method")
    if draft.route_template is not None:
        _check_string(draft.route_template, "route_template", _ROUTE_TEMPLATE)
    if draft.kind in EXCHANGE_KINDS and (draft.method is None or draft.route_template is None):
        raise InvalidEntry(f"a {draft.kind} entry names its method and route template")
    if draft.reason is not None:
        _check_string(draft.reason, "reason", _SLUG)
    elif draft.kind == "refusal":
        raise InvalidEntry("a refusal entry names its reason")
    _check_integer(draft.status, "status", low=100, high=599)
    _check_integer(draft.latency_us, "latency_us", low=0, high=MAX_SAFE_INTEGER)
    for name in ("request_digest", "response_digest", "path_digest", "idempotency_key_digest"):
        value = getattr(draft, name)
        if value is not None and not _DIGEST.fullmatch(_text(value, name)):
            raise InvalidEntry(f"{name} must be sha256:<64 lower-case hex>")
    _check_extra(draft.extra)


def _text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise InvalidEntry(f"{name} must be a string")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InvalidEntry(f"{name} is not valid Unicode text") from exc
        # One text, one set of bytes: NFD and NFC spellings would sign differently.
        if not unicodedata.is_normalized("NFC", value):
            raise InvalidEntry(f"{name} must be in Unicode NFC")
    return value


def _check_string(value: object, name: str, pattern: re.Pattern[str]) -> None:
    text = _text(value, name)
    if len(text) > MAX_LENGTH[name] or not pattern.fullmatch(text):
        raise InvalidEntry(f"{name} is malformed or longer than {MAX_LENGTH[name]}")


def _check_identifier(value: object, name: str) -> None:
    _check_string(value, name, _IDENTIFIER)


def _check_exchange_id(value: object) -> None:
    # One pattern rather than parsing with uuid.UUID (seven times slower, and this runs
    # for every entry made): version nibble 7, RFC 9562 variant (10xx), lower-case hex.
    if not isinstance(value, str) or not _UUID7.fullmatch(value):
        raise InvalidEntry("exchange_id must be a lower-case hyphenated UUIDv7")


def _check_integer(value: object, name: str, *, low: int, high: int) -> None:
    if value is None:
        return
    # bool is an int subclass; JSON would write it as true/false.
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidEntry(f"{name} must be an integer (floats are not allowed)")
    if not low <= value <= high:
        raise InvalidEntry(f"{name} must lie in [{low}, {high}]")


def _check_extra(extra: Mapping[str, object]) -> None:
    if len(extra) > MAX_EXTRA_ITEMS:
        raise InvalidEntry(f"extra holds at most {MAX_EXTRA_ITEMS} items")
    for key, value in extra.items():
        if not isinstance(key, str) or not _EXTRA_KEY.fullmatch(key):
            raise InvalidEntry("extra keys are short lower-case names")
        if isinstance(value, str):
            if len(_text(value, f"extra/{key}")) > MAX_EXTRA_STRING:
                raise InvalidEntry(f"extra/{key} is longer than {MAX_EXTRA_STRING}")
        else:
            _check_integer(value, f"extra/{key}", low=-MAX_SAFE_INTEGER, high=MAX_SAFE_INTEGER)
