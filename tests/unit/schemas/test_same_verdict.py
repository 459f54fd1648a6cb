"""jsonschema (the reference) and jsonschema-rs (the hot path) give the same verdicts.

For every example of every shipped schema, and for edge cases made from them, both libraries
must say valid or invalid alike and fail at the same set of instance pointers. Both run draft
2020-12 over the same catalogue with formats asserted (jsonschema through its `FormatChecker`,
with rfc3339-validator installed for `date-time`).

They differ in three documented corners, each pinned by its own test below so that a change
in either library shows up:
1. `email`: jsonschema only checks that the string contains "@"; jsonschema-rs checks the
   address syntax, and is told to refuse display names ("Bình <b@example.vn>"), so "a@b@c"
   passes the reference and not the hot path.
2. Leap seconds: RFC 3339 allows second 60 and jsonschema-rs accepts it; rfc3339-validator
   (the reference's `date-time` check) refuses it.
3. `$` in patterns: JSON Schema specifies ECMA-262 regular expressions, where `$` matches only
   at the end; jsonschema uses Python's `re`, where `$` also matches before a final newline,
   so "046090001234\\n" passes the reference's `^[0-9]{12}$` and not the hot path's.
In all three the hot path is the stricter, so a payload it accepts the reference accepts too.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest

from schemas.catalogue import Catalogue
from schemas.documents import JSONValue
from schemas.reference import ReferenceSchema
from schemas.validation import CompiledSchema, SchemaValidators

BUILTIN = Catalogue.builtin()
HOT = SchemaValidators(BUILTIN)
_DELETE = object()
WIDE = str.maketrans("0123456789", "".join(chr(0xFF10 + digit) for digit in range(10)))


@cache
def _reference(schema_id: str) -> ReferenceSchema:
    return ReferenceSchema(catalogue=BUILTIN, schema_id=schema_id)


@dataclass(frozen=True)
class Case:
    """An instance for a schema, with a label that says where it came from."""

    schema_id: str
    label: str
    instance: JSONValue


def _changed(instance: JSONValue, changes: Mapping[str, object]) -> JSONValue:
    """A copy of `instance` with each `/pointer` set to a value, or deleted."""
    result = copy.deepcopy(instance)
    for pointer, value in changes.items():
        *parents, last = [
            part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/")
        ]
        node: Any = result  # a test helper walking JSON it was given: Any is honest here
        for part in parents:
            node = node[int(part) if isinstance(node, list) else part]
        key = int(last) if isinstance(node, list) else last
        if value is _DELETE:
            del node[key]
        else:
            node[key] = copy.deepcopy(value)
    return result


def _example_cases() -> list[Case]:
    cases = []
    for schema_id in BUILTIN.ids():
        examples = BUILTIN.examples(schema_id)
        cases += [Case(schema_id, f"valid[{n}]", x) for n, x in enumerate(examples.valid)]
        cases += [
            Case(schema_id, f"invalid[{n}]: {x.reason}", x.instance)
            for n, x in enumerate(examples.invalid)
        ]
    return cases


# (schema id, what is tried, changes to the first valid example)
EDGES: list[tuple[str, str, dict[str, object]]] = [
    ("phan-anh-hien-truong/v1", "an integral float is an integer", {"/PhanAnhID": 7.0}),
    ("phan-anh-hien-truong/v1", "a boolean is not an integer", {"/PhanAnhID": True}),
    ("phan-anh-hien-truong/v1", "an integer past 64 bits", {"/PhanAnhID": 2**70}),
    ("phan-anh-hien-truong/v1", "a fraction is not an integer", {"/ChuyenMucID": 3.5}),
    ("phan-anh-hien-truong/v1", "bounds are inclusive", {"/ViDo": -90, "/KinhDo": 180.0}),
    ("phan-anh-hien-truong/v1", "just past the bound", {"/KinhDo": 180.000001}),
    ("phan-anh-hien-truong/v1", "250 code points in NFC", {"/TieuDe": "Huế " * 62 + "Huế"[:2]}),
    ("phan-anh-hien-truong/v1", "the same text in NFD", {"/TieuDe": "Hue\u0301 " * 62 + "Hu"}),
    ("phan-anh-hien-truong/v1", "an astral character", {"/TieuDe": "Ổ gà 🚧"}),
    ("phan-anh-hien-truong/v1", "a no-break space is not blank", {"/TieuDe": "\u00a0"}),
    ("phan-anh-hien-truong/v1", "a tab and newline are blank", {"/TieuDe": "\t\n"}),
    ("phan-anh-hien-truong/v1", "29 February 2000", {"/NgayPhanAnh": "20000229000000"}),
    ("phan-anh-hien-truong/v1", "29 February 1900", {"/NgayPhanAnh": "19000229000000"}),
    ("phan-anh-hien-truong/v1", "second 60", {"/NgayPhanAnh": "20161231235960"}),
    ("phan-anh-hien-truong/v1", "an empty member name", {"/": 1, "/NguoiPhanAnh/": 2}),
    ("phan-anh-hien-truong/v1", "no attachments at all", {"/TepDinhKem": []}),
    (
        "phan-anh-hien-truong/v1",
        "an answer date without the answer",
        {"/NoiDungTraLoi": _DELETE},
    ),
    ("phan-anh-hien-truong/v1", "null for an optional member", {"/DenNgay": None}),
    ("dong-bo-ho-so/v1", "no service: records are checked as dossiers", {"/service": _DELETE}),
    ("dong-bo-ho-so/v1", "a status with a leading zero", {"/data/0/TrangThaiHoSo": "01"}),
    ("dong-bo-ho-so/v1", "a status as a number", {"/data/0/TrangThaiHoSo": 2}),
    ("dong-bo-ho-so/v1", "a plus-84 landline", {"/data/0/SoDienThoai": "+842343821234"}),
    ("dong-bo-ho-so/v1", "an e-mail without an @", {"/data/0/Email": "binh.example.vn"}),
    ("dong-bo-ho-so/v1", "an e-mail on a host without a dot", {"/data/0/Email": "binh@localhost"}),
    ("dong-bo-ho-so/v1", "101 records", {"/data": [{}] * 101}),
    ("dong-bo-ho-so/v1", "a record that is not an object", {"/data/0": "H57-1"}),
    (
        "dong-bo-ho-so/v1",
        "a URL with a space",
        {"/data/0/TaiLieuNop/0/DuongDanTaiTepTin": "https://a/b c"},
    ),
    ("dong-bo-ho-so/v1", "a procedure code with 5 digits", {"/data/0/MaTTHC": "1.01144"}),
    ("tra-cuu-cong-dan/v1", "the year alone", {"/NgayThangNamSinh": "2999"}),
    ("tra-cuu-cong-dan/v1", "a year before 1000", {"/NgayThangNamSinh": "0999"}),
    ("tra-cuu-cong-dan/v1", "year and month only", {"/NgayThangNamSinh": "199003"}),
    ("tra-cuu-cong-dan/v1", "full-width digits", {"/SoDinhDanh": "046090001234".translate(WIDE)}),
    ("tra-cuu-cong-dan/v1", "a name of spaces", {"/HoVaTen": "   "}),
    ("tra-cuu-cong-dan/v1", "a lower-case agency code", {"/MaDonVi": "000.00.21.h57"}),
    (
        "tra-cuu-cong-dan/v1",
        "an agency code with letters in each group",
        {"/MaDonVi": "G12.AB.C3.Z99"},
    ),
    (
        "quan-trac/v1",
        "huge and negative-zero values",
        {"/observations/0/value": 1e308, "/observations/1/value": -0.0},
    ),
    ("quan-trac/v1", "a status with a space", {"/observations/0/status": "00 "}),
    ("quan-trac/v1", "a unit too long", {"/observations/0/unit": "milligram per litre"}),
    ("quan-trac/v1", "an observation that is null", {"/observations/2": None}),
    ("vi-tri-tau-ca/v1", "nanoseconds", {"/time": "2024-05-01T03:04:05.123456789Z"}),
    ("vi-tri-tau-ca/v1", "lower-case t and z", {"/time": "2024-05-01t03:04:05z"}),
    (
        "vi-tri-tau-ca/v1",
        "an offset of zero written +00:00",
        {"/time": "2024-05-01T03:04:05+00:00"},
    ),
    ("vi-tri-tau-ca/v1", "a date alone", {"/time": "2024-05-01"}),
    ("vi-tri-tau-ca/v1", "a course just under 360", {"/courseDegrees": 359.999999}),
    ("vi-tri-tau-ca/v1", "a four-digit hull number", {"/registrationNumber": "KG-1234-TS"}),
    ("vi-tri-tau-ca/v1", "a six-digit hull number", {"/registrationNumber": "KG-123456-TS"}),
]


def _edge_cases() -> list[Case]:
    return [
        Case(schema_id, f"edge: {label}", _changed(BUILTIN.examples(schema_id).valid[0], changes))
        for schema_id, label, changes in EDGES
    ]


CASES = _example_cases() + _edge_cases()


def _pointers(schema: CompiledSchema | ReferenceSchema, instance: JSONValue) -> set[str]:
    return {violation.pointer for violation in schema.violations(instance)}


@pytest.mark.parametrize("case", CASES, ids=[f"{c.schema_id} {c.label}" for c in CASES])
def test_both_libraries_agree_on_verdict_and_failing_pointers(case: Case) -> None:
    hot, reference = HOT.get(case.schema_id), _reference(case.schema_id)
    verdict = hot.is_valid(case.instance)
    assert verdict is reference.is_valid(case.instance)
    assert verdict is (not hot.violations(case.instance))
    assert _pointers(hot, case.instance) == _pointers(reference, case.instance)


def test_the_cases_cover_every_schema_and_both_verdicts() -> None:
    verdicts = {(c.schema_id, HOT.get(c.schema_id).is_valid(c.instance)) for c in CASES}
    payload_ids = [i for i in BUILTIN.ids() if i != "common/v1"]
    assert verdicts == {(i, v) for i in payload_ids for v in (True, False)}
    assert len(_edge_cases()) == len(EDGES) >= 40


def _divergence(schema_id: str, changes: dict[str, object]) -> tuple[set[str], set[str]]:
    instance = _changed(BUILTIN.examples(schema_id).valid[0], changes)
    return _pointers(HOT.get(schema_id), instance), _pointers(_reference(schema_id), instance)


@pytest.mark.parametrize("address", ["a@b@c", "binh@", "@example.vn", "Bình <b@example.vn>"])
def test_corner_1_email_syntax_is_checked_only_by_the_hot_path(address: str) -> None:
    hot, reference = _divergence("dong-bo-ho-so/v1", {"/data/0/Email": address})
    assert (hot, reference) == ({"/data/0/Email"}, set())


def test_corner_2_a_leap_second_is_refused_only_by_the_reference() -> None:
    hot, reference = _divergence("vi-tri-tau-ca/v1", {"/time": "2016-12-31T23:59:60Z"})
    assert (hot, reference) == (set(), {"/time"})


def test_corner_3_a_trailing_newline_passes_only_pythons_dollar() -> None:
    hot, reference = _divergence("tra-cuu-cong-dan/v1", {"/SoDinhDanh": "046090001234\n"})
    assert (hot, reference) == ({"/SoDinhDanh"}, set())
