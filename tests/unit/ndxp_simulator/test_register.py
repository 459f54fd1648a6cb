"""The synthetic register: deterministic, well-formed, Vietnamese in NFC."""

from __future__ import annotations

import unicodedata

from ndxp_client.simulator.services.register import synthetic_register


def test_the_same_seed_gives_the_same_people_and_another_seed_others() -> None:
    first = synthetic_register(size=30, seed=57)
    assert first == synthetic_register(size=30, seed=57)
    assert first != synthetic_register(size=30, seed=58)
    assert synthetic_register(size=10, seed=57) == first[:10]


def test_numbers_follow_the_citizen_number_layout() -> None:
    people = synthetic_register(size=200, seed=1)
    assert len({p.number for p in people}) == 200
    for person in people:
        assert len(person.number) == 12
        assert person.number.isdigit()
        assert person.number.startswith("046")
        born_2000s = int(person.birth[:4]) >= 2000
        female = person.sex == "Nữ"
        assert int(person.number[3]) == 2 * born_2000s + female
        assert person.number[4:6] == person.birth[2:4]


def test_text_is_nfc_with_diacritics_and_some_births_are_a_year_alone() -> None:
    people = synthetic_register(size=40, seed=57)
    texts = [str(value) for p in people for value in _strings(p.as_json())]
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)
    assert any(any(ord(ch) > 127 for ch in p.full_name) for p in people)
    assert {len(p.birth) for p in people} == {4, 8}
    assert all(p.permanent.province_code == "46" for p in people)


def _strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return [value] if isinstance(value, str) else []
