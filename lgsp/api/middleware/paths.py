"""Refuse request paths that could make the exchange and a provider disagree on what was asked.

Checked on the raw bytes, before any routing or rule runs: an encoded slash
(`%2F`) or backslash, a dot-segment (`.`/`..`, also percent-encoded), an empty
segment (`//`, or a trailing `/`), and control characters. A proxy that
normalised such a path would forward something other than what was authorised.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from lgsp.api.problems import BAD_PATH, Problem, problem_response

_ENCODED_SEPARATOR = re.compile(rb"%(2f|5c)", re.IGNORECASE)
_ENCODED_DOT = re.compile(rb"%2e", re.IGNORECASE)
_CONTROL = re.compile(rb"[\x00-\x1f\x7f]|%(0[0-9a-f]|1[0-9a-f]|7f)", re.IGNORECASE)
# RFC 3986: a raw request target is visible ASCII; anything else must be percent-encoded.
_NOT_URL = re.compile(rb"[^\x21-\x7e]|#")


def query_defect(query: bytes) -> str | None:
    """Why a raw query string is refused, or None when it is acceptable."""
    if _NOT_URL.search(query):
        return "the query contains a character that must be percent-encoded"
    return None


def path_defect(raw_path: bytes) -> str | None:
    """Why `raw_path` is refused, or None when it is acceptable."""
    if not raw_path.startswith(b"/"):
        return "the path must start with '/'"
    if _ENCODED_SEPARATOR.search(raw_path):
        return "the path contains an encoded '/' or '\\'"
    if b"\\" in raw_path:
        return "the path contains '\\'"
    if _CONTROL.search(raw_path):
        return "the path contains a control character"
    if _NOT_URL.search(raw_path):
        return "the path contains a character that must be percent-encoded"
    if raw_path == b"/":
        return None
    segments = raw_path[1:].split(b"/")
    for segment in segments:
        if segment == b"":
            return "the path contains an empty segment"
        decoded_dots = _ENCODED_DOT.sub(b".", segment)
        if decoded_dots in (b".", b".."):
            return "the path contains a dot-segment"
    return None


def raw_path(scope: Mapping[str, Any]) -> bytes:
    """The request path of an `http` scope as received, without its query."""
    raw = scope.get("raw_path") or scope["path"].encode("utf-8")
    return bytes(raw).split(b"?", 1)[0]


def request_defect(scope: Mapping[str, Any]) -> str | None:
    """Why the raw path or query of an `http` scope is refused, or None when both are fine."""
    return path_defect(raw_path(scope)) or query_defect(bytes(scope.get("query_string", b"")))


class PathHygieneMiddleware:
    """Answer 400 problem+json for unacceptable paths; pass everything else through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        defect = request_defect(scope)
        if defect is None:
            await self.app(scope, receive, send)
            return
        exchange_id = scope.get("state", {}).get("exchange_id")
        response = problem_response(Problem(BAD_PATH, defect), exchange_id=exchange_id)
        await response(scope, receive, send)
