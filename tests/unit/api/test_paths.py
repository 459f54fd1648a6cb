"""Which raw request paths the exchange refuses before any rule runs."""

from __future__ import annotations

import pytest

from lgsp.api.middleware.paths import path_defect, query_defect


@pytest.mark.parametrize(
    "raw",
    [
        b"/",
        b"/registry/members",
        b"/x/000.00.00.H57:HUE-S/phan-anh-hien-truong/v1/reports/17",
        b"/x/a/b%20c",
        b"/x/a/.well-known",
        b"/x/a/..b",
        b"/x/a/%C3%A1",
    ],
)
def test_acceptable_paths_pass(raw: bytes) -> None:
    assert path_defect(raw) is None


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"/x/a%2Fb", "encoded"),
        (b"/x/a%2fb", "encoded"),
        (b"/x/a%5Cb", "encoded"),
        (b"/x/a\\b", "'\\'"),
        (b"/x/./a", "dot-segment"),
        (b"/x/../a", "dot-segment"),
        (b"/x/a/..", "dot-segment"),
        (b"/x/%2e%2E/a", "dot-segment"),
        (b"/x/.%2e/a", "dot-segment"),
        (b"/x//a", "empty segment"),
        (b"/x/a/", "empty segment"),
        (b"/x/a%00b", "control"),
        (b"/x/a\x01b", "control"),
        (b"x/a", "start with"),
    ],
)
def test_unsafe_paths_are_refused_with_a_reason(raw: bytes, reason: str) -> None:
    defect = path_defect(raw)
    assert defect is not None
    assert reason in defect


@pytest.mark.parametrize("raw", ["/x/đ".encode(), b"/x/a b", b"/x/a#b"])
def test_raw_characters_that_need_encoding_are_refused_in_paths(raw: bytes) -> None:
    assert path_defect(raw) == "the path contains a character that must be percent-encoded"


def test_queries_must_be_percent_encoded() -> None:
    assert query_defect(b"q=%C4%91&a=1") is None
    assert query_defect(b"") is None
    assert query_defect("q=đ".encode()) is not None
    assert query_defect(b"q=a b") is not None
