"""The look-up's matching rules and its refusals, without HTTP."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from typing import Any

import pytest

from ndxp_client.simulator.errors import ServiceFailed
from ndxp_client.simulator.services.citizens import FOUND, MISMATCH, NOT_FOUND, CitizenLookup
from ndxp_client.simulator.services.register import synthetic_register
from tests.unit.ndxp_simulator import payloads

PEOPLE = synthetic_register(size=20, seed=57)
LOOKUP = CitizenLookup(PEOPLE)
FULL = next(p for p in PEOPLE if len(p.birth) == 8)
YEAR_ONLY = next(p for p in PEOPLE if len(p.birth) == 4)


def _fields(person: Any = FULL, **changes: str) -> dict[str, str]:
    return payloads.lookup(person.as_json(), **changes)


def test_a_full_match_answers_the_citizen() -> None:
    result = LOOKUP.look_up(_fields())
    assert (result.code, result.citizen) == (FOUND, FULL)
    assert result.as_json()["CongDan"] == FULL.as_json()


@pytest.mark.parametrize(
    "name",
    [
        lambda n: unicodedata.normalize("NFD", n),
        lambda n: n.upper(),
        lambda n: "  " + n.replace(" ", "   ") + " ",
    ],
)
def test_names_match_whatever_their_normal_form_case_or_spacing(name: Any) -> None:
    assert LOOKUP.look_up(_fields(HoVaTen=name(FULL.full_name))).code == FOUND


def test_the_year_alone_matches_on_either_side() -> None:
    assert LOOKUP.look_up(_fields(NgayThangNamSinh=FULL.birth[:4])).code == FOUND
    asked_full = YEAR_ONLY.birth + "0101"
    assert LOOKUP.look_up(_fields(YEAR_ONLY, NgayThangNamSinh=asked_full)).code == FOUND
    other_year = str(int(FULL.birth[:4]) + 1)
    assert LOOKUP.look_up(_fields(NgayThangNamSinh=other_year)).code == MISMATCH


def test_unknown_numbers_and_mismatches_disclose_nobody() -> None:
    stranger = replace(FULL, number="999999999999")
    assert LOOKUP.look_up(_fields(stranger)).as_json()["CongDan"] is None
    assert LOOKUP.look_up(_fields(stranger)).code == NOT_FOUND
    wrong_name = LOOKUP.look_up(_fields(HoVaTen="Nguyễn Văn Không"))
    assert (wrong_name.code, wrong_name.citizen) == (MISMATCH, None)


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"SoDinhDanh": "04605302024"}, "/SoDinhDanh"),
        # Full-width digits are digits to Python's str.isdigit, not to the citizen-number rule.
        ({"SoDinhDanh": "".join(chr(0xFF10 + int(d)) for d in "046053020248")}, "/SoDinhDanh"),
        ({"NgayThangNamSinh": "19990229"}, "/NgayThangNamSinh"),
        ({"NgayThangNamSinh": "1999-01-01"}, "/NgayThangNamSinh"),
        ({"MaTichHop": "37"}, "/MaTichHop"),
        ({"MaDonVi": "H57"}, "/MaDonVi"),
        ({"HoVaTen": "   "}, "/HoVaTen"),
        ({"Extra": "a-value-never-echoed"}, "/Extra: unknown member"),
    ],
)
def test_each_bad_member_is_named(changes: dict[str, str], where: str) -> None:
    with pytest.raises(ServiceFailed) as refused:
        LOOKUP.look_up(_fields(**changes))
    assert where in refused.value.detail
    for value in changes.values():
        if value.strip():
            assert value not in refused.value.detail


def test_a_missing_member_is_named() -> None:
    fields = _fields()
    del fields["MaCanBo"]
    with pytest.raises(ServiceFailed, match="not valid") as refused:
        LOOKUP.look_up(fields)
    assert refused.value.detail == "/MaCanBo: a non-empty string is required"
