"""RFC 6901 JSON Pointers into instances, and the order violations are listed in."""

from __future__ import annotations

from collections.abc import Iterable


def json_pointer(parts: Iterable[str | int]) -> str:
    """The RFC 6901 pointer for a path of member names and array indexes (`""` for the root)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def path_order(parts: Iterable[str | int]) -> tuple[tuple[int, int, str], ...]:
    """A sort key that orders array indexes numerically (`/2` before `/10`) and names by text."""
    return tuple((0, part, "") if isinstance(part, int) else (1, 0, part) for part in parts)
