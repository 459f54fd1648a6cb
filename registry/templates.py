"""Provider path templates of access rules (`/reports/{id}`, or `*` for any path), and methods.

A template is parsed once (when a rule is written and when a snapshot is
loaded) so that matching a request is a comparison of segments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from registry.errors import Invalid

ANY = "*"
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

_PARAM_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
# RFC 3986 pchar without `%` escapes (literal segments are written plainly)
# and without `*`, so that `/reports/*` is refused rather than read as a
# literal star by someone who meant a wildcard.
_LITERAL_RE = re.compile(r"[A-Za-z0-9\-._~!$&'()+,;=:@]+")


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment of a template: a literal, or a parameter matching any one segment."""

    text: str
    is_param: bool


@dataclass(frozen=True, slots=True)
class PathTemplate:
    """A parsed template; `segments` is None for `*` (any path)."""

    text: str
    segments: tuple[Segment, ...] | None

    @property
    def param_count(self) -> int:
        """How many parameter segments the template has (fewer is more specific)."""
        return sum(1 for s in self.segments or () if s.is_param)

    def matches(self, path: tuple[str, ...]) -> bool:
        """Whether the path (as `path_segments` splits it) matches this template."""
        if self.segments is None:
            return True
        if len(path) != len(self.segments):
            return False
        return all(s.is_param or s.text == p for s, p in zip(self.segments, path, strict=True))


def path_segments(path: str) -> tuple[str, ...]:
    """The segments of a provider path; `""` and `/` (the service's root) have none."""
    if path in ("", "/"):
        return ()
    return tuple(path.split("/")[1:]) if path.startswith("/") else tuple(path.split("/"))


def parse_template(text: str, *, pointer: str = "") -> PathTemplate:
    """Parse a path template; `Invalid` (at `pointer`) says what is wrong with it."""
    if text == ANY:
        return PathTemplate(text=text, segments=None)
    if not isinstance(text, str) or not text.startswith("/"):
        raise Invalid.at(pointer, f"path template {text!r} must be '*' or start with '/'")
    if text == "/":
        return PathTemplate(text=text, segments=())
    segments: list[Segment] = []
    names: set[str] = set()
    for raw in text.split("/")[1:]:
        param = _PARAM_RE.fullmatch(raw)
        if param is not None:
            if param[1] in names:
                raise Invalid.at(pointer, f"path template {text!r} repeats parameter {param[1]!r}")
            names.add(param[1])
            segments.append(Segment(text=param[1], is_param=True))
        elif raw in (".", "..") or not _LITERAL_RE.fullmatch(raw):
            raise Invalid.at(
                pointer,
                f"path template {text!r} has a bad segment {raw!r}: use non-empty literals "
                "of URL path characters, or {name} for a whole segment",
            )
        else:
            segments.append(Segment(text=raw, is_param=False))
    return PathTemplate(text=text, segments=tuple(segments))


def parse_method(text: str, *, pointer: str = "") -> str:
    """An HTTP method in upper case, or `*`; `Invalid` (at `pointer`) otherwise."""
    method = text.upper() if isinstance(text, str) else ""
    if method != ANY and method not in HTTP_METHODS:
        allowed = ", ".join(sorted(HTTP_METHODS))
        raise Invalid.at(pointer, f"method {text!r} must be '*' or one of {allowed}")
    return method
