"""What the demo providers share: JSON answers, problems, strict query parsing, body validation."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from schemas.catalogue import Catalogue
from schemas.validation import SchemaValidators

PROBLEM = "application/problem+json"
_AGENCY = re.compile(r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}$")
_COMPACT_DATE = re.compile(r"^[0-9]{8}$")
_COMPACT_DATE_TIME = re.compile(r"^[0-9]{14}$")
Bound = TypeVar("Bound", str, dt.datetime)


class ProviderError(Exception):
    """An error answer: status, a title, a detail, and optionally the failing locations."""

    def __init__(
        self, status: int, detail: str, *, errors: Sequence[Mapping[str, str]] = ()
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = list(errors)


def json_response(document: object, *, status: int = 200, **headers: str) -> Response:
    """`document` as UTF-8 JSON, Vietnamese text written as is (no `\\u` escapes)."""
    return Response(
        orjson.dumps(document),
        status_code=status,
        media_type="application/json",
        headers=headers or None,
    )


def _problem(status: int, detail: str, errors: Sequence[Mapping[str, str]]) -> Response:
    document: dict[str, Any] = {"title": _TITLES.get(status, "Error"), "status": status}
    document["detail"] = detail
    if errors:
        document["errors"] = list(errors)
    return Response(orjson.dumps(document), status_code=status, media_type=PROBLEM)


_TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    415: "Unsupported media type",
    422: "The content is not valid",
}


async def _provider_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProviderError)
    return _problem(exc.status, exc.detail, exc.errors)


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _problem(exc.status_code, str(exc.detail), ())


async def healthz(_request: Request) -> Response:
    """Alive."""
    return json_response({"status": "ok"})


def make_app(routes: Sequence[BaseRoute]) -> Starlette:
    """A Starlette app with `/healthz`, answering every error as problem+json."""
    return Starlette(
        routes=[Route("/healthz", healthz, methods=["GET"]), *routes],
        exception_handlers={ProviderError: _provider_error, HTTPException: _http_error},
    )


@functools.cache
def _validators() -> SchemaValidators:
    # One catalogue per process, built on first use: the exchange validates with the same one.
    return SchemaValidators(Catalogue.builtin())


def validated(instance: object, *, schema_id: str) -> None:
    """Raise a 422 `ProviderError` naming every failing location unless `instance` matches."""
    violations = _validators().get(schema_id).violations(instance)
    if violations:
        raise ProviderError(
            422,
            f"the body does not match schema {schema_id}",
            errors=[{"pointer": v.pointer, "detail": v.message} for v in violations],
        )


async def json_body(request: Request) -> Any:
    """The request's JSON body; 415 if it is not JSON, 400 if it does not parse."""
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media != "application/json":
        raise ProviderError(415, "send application/json")
    try:
        return orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        raise ProviderError(400, "the body is not valid JSON") from None


def unknown_parameters(request: Request, *, allowed: set[str]) -> None:
    """400 for a query parameter this listing does not know: a typo must not silently widen it."""
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise ProviderError(400, f"unknown query parameter(s): {', '.join(unknown)}")


def int_parameter(request: Request, name: str, *, default: int, minimum: int, maximum: int) -> int:
    """An integer query parameter within [minimum, maximum]."""
    text = request.query_params.get(name)
    if text is None:
        return default
    if not text.isascii() or not text.isdigit() or not minimum <= int(text) <= maximum:
        raise ProviderError(400, f"{name} must be a whole number from {minimum} to {maximum}")
    return int(text)


def bool_parameter(request: Request, name: str) -> bool | None:
    """`true`/`false` (or `1`/`0`); None when absent."""
    text = request.query_params.get(name)
    if text is None:
        return None
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise ProviderError(400, f"{name} must be true or false")


def agency_parameter(request: Request, name: str) -> str | None:
    """An agency code (`000.00.21.H57`); None when absent."""
    text = request.query_params.get(name)
    if text is not None and not _AGENCY.fullmatch(text):
        raise ProviderError(400, f"{name} must be an agency code such as 000.00.00.H57")
    return text


def compact_parameter(request: Request, name: str, *, end_of_day: bool) -> str | None:
    """A `yyyyMMdd` or `yyyyMMddHHmmss` bound as `yyyyMMddHHmmss`; a day alone covers all of it."""
    text = request.query_params.get(name)
    if text is None:
        return None
    try:
        if _COMPACT_DATE.fullmatch(text):
            dt.datetime.strptime(text, "%Y%m%d")
            return text + ("235959" if end_of_day else "000000")
        if _COMPACT_DATE_TIME.fullmatch(text):
            dt.datetime.strptime(text, "%Y%m%d%H%M%S")
            return text
    except ValueError:
        pass  # the shape was right but the calendar refused it: reported below
    raise ProviderError(400, f"{name} must be a date yyyyMMdd or a time yyyyMMddHHmmss")


def utc_parameter(request: Request, name: str) -> dt.datetime | None:
    """An RFC 3339 UTC time (ending in Z); None when absent."""
    text = request.query_params.get(name)
    if text is None:
        return None
    parsed = parse_utc(text)
    if parsed is None:
        raise ProviderError(400, f"{name} must be a UTC time such as 2024-05-01T03:00:00Z")
    return parsed


def parse_utc(text: str) -> dt.datetime | None:
    """`text` as an aware UTC time if it is RFC 3339 ending in Z, else None."""
    if not text.endswith("Z") or "T" not in text:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def ordered(low: Bound | None, high: Bound | None, *, names: str) -> None:
    """400 unless a range's lower bound is not after its upper bound."""
    if low is not None and high is not None and low > high:
        raise ProviderError(400, f"{names}: the start is after the end")
