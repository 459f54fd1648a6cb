"""Search cursors are opaque, round-trip, and refuse anything we did not make."""

from __future__ import annotations

import re

import pytest

from audit.errors import InvalidQuery
from audit.query import decode_cursor, encode_cursor


@pytest.mark.parametrize("after", [0, 1, 999, 2**53])
def test_cursor_round_trips(after: int) -> None:
    cursor = encode_cursor(after)
    # Safe in a query string as it stands.
    assert re.fullmatch(r"[A-Za-z0-9_-]+", cursor)
    assert decode_cursor(cursor) == after


@pytest.mark.parametrize("cursor", ["", "!!!", "YWZ0ZXI6", "YWZ0ZXI6LTE", "bm9wZQ", "é"])
def test_foreign_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(InvalidQuery):
        decode_cursor(cursor)
