"""The entry format: canonical bytes, integers only, NFC text, and what a draft refuses."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from audit.entry import (
    FIELD_NAMES,
    EntryDraft,
    decode_entry,
    digest,
    encode_entry,
    format_timestamp,
    parse_timestamp,
    timestamp,
)
from audit.errors import InvalidEntry
from tests.unit.audit.drafts import FakeClock, make_draft, uuid7

README = Path(__file__).parents[3] / "audit" / "README.md"


def test_bytes_are_compact_sorted_and_hold_every_field() -> None:
    data = encode_entry(make_draft())
    document = json.loads(data)
    assert set(document) == FIELD_NAMES
    assert list(document) == sorted(document)
    assert document["v"] == 1
    assert document["status"] is None
    assert b" " not in data.replace(b"POST", b"")
    assert data == json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def test_bytes_do_not_depend_on_how_the_draft_was_made() -> None:
    draft = make_draft(extra={"b": 2, "a": "x"})
    # The same values given in another order, and extra's keys the other way round.
    fields = {f.name: getattr(draft, f.name) for f in reversed(dataclasses.fields(draft))}
    fields["extra"] = {"a": "x", "b": 2}
    again = EntryDraft(**fields)
    assert encode_entry(again) == encode_entry(draft)
    assert encode_entry(draft) == encode_entry(draft)


def test_readme_example_is_canonical_and_round_trips() -> None:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"^\{\"at\".*\"v\":1\}$", text, re.MULTILINE)
    assert match is not None
    data = match.group(0).encode("utf-8")
    draft = decode_entry(data)
    assert draft.kind == "outcome"
    assert encode_entry(draft) == data


def test_decoding_gives_back_the_draft() -> None:
    draft = make_draft(status=201, latency_us=48_211, reason="created", extra={"attempt": 2})
    assert decode_entry(encode_entry(draft)) == draft


def test_vietnamese_text_round_trips_unchanged_as_utf8() -> None:
    note = "Phản ánh hiện trường: Thừa Thiên Huế"
    assert unicodedata.is_normalized("NFC", note)
    draft = make_draft(extra={"ghi-chu": note})
    data = encode_entry(draft)
    assert note.encode("utf-8") in data
    assert b"\\u" not in data
    assert decode_entry(data).extra["ghi-chu"] == note


def test_text_in_another_normal_form_is_refused() -> None:
    decomposed = unicodedata.normalize("NFD", "Phản ánh")
    with pytest.raises(InvalidEntry, match="NFC"):
        make_draft(extra={"ghi-chu": decomposed})


@pytest.mark.parametrize(
    "overrides",
    [
        {"status": 200.0},
        {"latency_us": 1.5},
        {"extra": {"ratio": 0.5}},
        {"extra": {"n": 1.0}},
        {"status": True},
    ],
)
def test_floats_and_booleans_are_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(InvalidEntry):
        make_draft(**overrides)


@pytest.mark.parametrize("number", ["200.0", "2e2", "NaN", "Infinity"])
def test_stored_bytes_with_a_non_integer_are_refused(number: str) -> None:
    data = encode_entry(make_draft(status=200)).replace(
        b'"status":200', f'"status":{number}'.encode()
    )
    with pytest.raises(InvalidEntry):
        decode_entry(data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.replace(b'","', b'", "', 1), "canonical"),
        (lambda d: b"{\n" + d[1:], "canonical"),
        (lambda d: d.replace(b'"v":1', b'"v":2'), "version"),
        (lambda d: d.replace(b'"v":1', b'"v":true'), "version"),
        (lambda d: d.replace(b',"v":1', b',"u":0,"v":1'), "fields"),
        (lambda d: d.replace(b'"reason":null,', b""), "fields"),
        (lambda d: d.replace(b'"extra":{}', b'"extra":[]'), "extra"),
        (lambda d: d[:-1], "JSON"),
        (lambda d: b"[]", "object"),
    ],
)
def test_stored_bytes_must_be_canonical_version_1(change: Any, message: str) -> None:
    data = encode_entry(make_draft())
    with pytest.raises(InvalidEntry, match=message):
        decode_entry(change(data))


def test_stored_bytes_with_duplicate_keys_are_refused() -> None:
    data = encode_entry(make_draft())
    doubled = data.replace(b'"kind":"request"', b'"kind":"outcome","kind":"request"')
    with pytest.raises(InvalidEntry):
        decode_entry(doubled)


@pytest.mark.parametrize(
    "overrides",
    [
        {"kind": "exchange"},
        {"exchange_id": "not-a-uuid"},
        {"exchange_id": "6f1c2a5e-0c1b-4f7e-9f3a-1b2c3d4e5f6a"},  # version 4
        {"exchange_id": uuid7(0xABCDEF).upper()},
        {"exchange_id": "01a214d8-8d0c-73cf-c077-2ca8f0005841"},  # not the RFC 9562 variant
        {"exchange_id": "01a214d88d0c73cf80772ca8f0005841"},  # not hyphenated
        {"exchange_id": "{01a214d8-8d0c-73cf-8077-2ca8f0005841}"},
        {"exchange_id": 7},
        {"at": "2026-11-25T10:00:00Z"},
        {"at": "2026-11-25T10:00:00.123456+07:00"},
        {"at": "2026-02-30T10:00:00.000000Z"},
        {"node": "node 1"},
        {"node": ""},
        {"client_id": "x" * 201},
        {"method": "post"},
        {"route_template": "/x/svc/citizens/001099012345?full=1"},
        {"route_template": "/x/svc/a%2Fb"},
        {"route_template": None},
        {"method": None},
        {"status": 99},
        {"latency_us": -1},
        {"reason": "Not Allowed"},
        {"request_digest": "sha256:ABC"},
        {"path_digest": "md5:" + "0" * 32},
        {"extra": {"Bad Key": 1}},
        {"extra": {f"k{i}": i for i in range(17)}},
        {"extra": {"long": "x" * 257}},
        {"extra": {"nested": {"a": 1}}},
        {"extra": ["not", "a", "mapping"]},
        {"kind": "refusal"},  # a refusal names its reason
        {"extra": {"big": 2**53}},
    ],
)
def test_malformed_drafts_are_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(InvalidEntry):
        make_draft(**overrides)


def test_entries_outside_an_exchange_need_no_method_or_route() -> None:
    draft = make_draft(kind="key-rotation", method=None, route_template=None, client_id=None)
    assert decode_entry(encode_entry(draft)) == draft


def test_a_draft_does_not_change_when_the_callers_dict_does() -> None:
    extra: dict[str, str | int] = {"attempt": 1}
    draft = make_draft(extra=extra)
    before = encode_entry(draft)
    extra["attempt"] = 2
    extra["late"] = "x"
    assert encode_entry(draft) == before
    with pytest.raises(TypeError):
        draft.extra["attempt"] = 3  # type: ignore[index]


def test_timestamps_come_from_the_clock_in_utc_with_microseconds() -> None:
    clock = FakeClock(
        dt.datetime(2026, 11, 25, 17, 0, 0, 42, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    )
    assert timestamp(clock) == "2026-11-25T10:00:00.000042Z"
    clock.advance(microseconds=1)
    assert timestamp(clock) == "2026-11-25T10:00:00.000043Z"
    assert parse_timestamp(timestamp(clock)) == clock.now()
    with pytest.raises(InvalidEntry):
        format_timestamp(dt.datetime(2026, 11, 25, 10, 0))


def test_timestamps_are_four_digit_years_for_any_instant() -> None:
    assert format_timestamp(dt.datetime(999, 1, 2, 3, 4, 5, tzinfo=dt.UTC)) == (
        "0999-01-02T03:04:05.000000Z"
    )
    assert format_timestamp(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)) == (
        "2026-01-01T00:00:00.000000Z"
    )


def test_timestamp_text_order_is_time_order() -> None:
    moments = [
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=7**k) for k in range(12)
    ]
    texts = [format_timestamp(m) for m in moments]
    assert sorted(texts) == texts


def test_digest_is_sha256_hex() -> None:
    assert digest(b"abc") == (
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_the_fast_encoding_is_the_reference_rfc8785_form_for_every_kind_of_value() -> None:
    import random

    import rfc8785

    from audit.entry import encode_entry

    rng = random.Random(8785)
    alphabet = (
        [chr(c) for c in range(0x20)]
        + list(' "\\/~\x7f')
        + list("aăâđêôơưAĂÂĐÊÔƠƯ")
        + ["\u2028", "\u2029", "\ufeff", "😀", "\U0010fffd"]
    )

    def text(n: int) -> str:
        return unicodedata.normalize("NFC", "".join(rng.choice(alphabet) for _ in range(n)))

    for n in range(300):
        draft = make_draft(
            n + 1,
            kind="outcome",
            status=rng.choice([None, 100, 200, 599]),
            latency_us=rng.choice([None, 0, 1, 2**53 - 1]),
            reason=rng.choice([None, "upstream-timeout"]),
            extra={"note": text(rng.randint(0, 40)), "count": rng.randint(-(2**53) + 1, 2**53 - 1)},
        )
        assert encode_entry(draft) == rfc8785.dumps(draft.as_json())
