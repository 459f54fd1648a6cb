"""RFC 6901 pointers and the order violations are listed in."""

from __future__ import annotations

from schemas.pointers import json_pointer, path_order


def test_pointers_follow_rfc_6901() -> None:
    assert json_pointer([]) == ""
    assert json_pointer(["data", 0, "NgayTiepNhan"]) == "/data/0/NgayTiepNhan"
    assert json_pointer(["a/b", "m~n", ""]) == "/a~1b/m~0n/"
    assert json_pointer(["~1"]) == "/~01"  # "~" first, or "~1" would come back as "/"
    assert json_pointer(["Ngày tiếp nhận"]) == "/Ngày tiếp nhận"


def test_indexes_sort_as_numbers_and_before_names_at_one_level() -> None:
    paths: list[list[str | int]] = [["data", 10], ["data", 2], ["data", "x"], ["data"], []]
    assert sorted(paths, key=path_order) == [[], ["data"], ["data", 2], ["data", 10], ["data", "x"]]
