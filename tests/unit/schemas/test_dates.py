"""The compact date patterns of `common/v1` agree with the calendar, in both regex engines."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date

import jsonschema_rs
import pytest

from schemas.catalogue import Catalogue
from schemas.documents import JSONValue

_DEFS = Catalogue.builtin().get("common/v1")["$defs"]
assert isinstance(_DEFS, dict)
DEFS: dict[str, JSONValue] = _DEFS

# Around today, every leap-year rule (1900 and 2100 are not leap years, 2000 is), and the
# century years at the ends of the range (1000 to 2999) the patterns admit.
YEARS = [*range(1896, 2105), *range(1000, 3000, 100), 1004, 2996, 2999]


def _days() -> Iterator[tuple[str, bool]]:
    """yyyyMMdd strings, with month 00 to 13 and day 00 to 32, and whether the day exists."""
    for year in YEARS:
        for month in range(14):
            for day in range(33):
                try:
                    date(year, month, day)
                except ValueError:
                    exists = False
                else:
                    exists = True
                yield f"{year:04d}{month:02d}{day:02d}", exists


DAYS = list(_days())
FULLWIDTH = str.maketrans("0123456789", "".join(chr(0xFF10 + digit) for digit in range(10)))


Accepts = Callable[[str], bool]


def _engines(definition: str) -> tuple[Accepts, Accepts]:
    """Whether a string matches the definition's pattern: (in jsonschema-rs, in Python's re)."""
    node = DEFS[definition]
    assert isinstance(node, dict)
    pattern = node["pattern"]
    assert isinstance(pattern, str)
    rust = jsonschema_rs.validator_for(
        {"type": "string", "pattern": pattern}, pattern_options=jsonschema_rs.RegexOptions()
    )
    python = re.compile(pattern)
    return rust.is_valid, lambda text: python.search(text) is not None


@pytest.mark.parametrize("engine", [0, 1], ids=["jsonschema-rs", "python-re"])
def test_compact_dates_are_exactly_the_days_of_the_calendar(engine: int) -> None:
    accepts = _engines("compactDate")[engine]
    wrong = [text for text, exists in DAYS if accepts(text) is not exists]
    assert wrong == []
    assert sum(exists for _, exists in DAYS) > 80_000  # the sample is not trivially small


@pytest.mark.parametrize("engine", [0, 1], ids=["jsonschema-rs", "python-re"])
def test_compact_date_times_add_a_real_time_of_day(engine: int) -> None:
    accepts = _engines("compactDateTime")[engine]
    times = {"000000": True, "235959": True, "120000": True, "240000": False, "236000": False}
    times |= {"235960": False, "0000": False, "0000000": False}
    for day, exists in [("20240229", True), ("20230229", False), ("21000229", False)]:
        for time, real in times.items():
            assert accepts(day + time) is (exists and real), day + time


@pytest.mark.parametrize(
    "text",
    [
        "2024-02-29",
        "2024022",
        "202402290",
        "٢٠٢٤٠٢٢٩",
        "20240229".translate(FULLWIDTH),
        " 20240229",
    ],
)
def test_other_shapes_and_other_digits_are_not_dates(text: str) -> None:
    for accepts in _engines("compactDate"):
        assert accepts(text) is False


def test_a_trailing_newline_is_refused_by_the_hot_path() -> None:
    # Python's `$` also matches before a final newline, ECMA-262's does not; JSON Schema
    # specifies ECMA-262, and so does jsonschema-rs (see test_same_verdict for the reference).
    rust, python = _engines("compactDate")
    assert rust("20240229\n") is False
    assert python("20240229\n") is True
