"""RFC 9457 problem details: the one shape of every error answer the exchange gives.

Services raise their own package's errors; this module is the single place
that turns them (and framework errors) into `application/problem+json`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from registry import errors as registry_errors

log = logging.getLogger("lgsp.problems")

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:lgsp:problem:"


@dataclass(frozen=True, slots=True)
class ProblemType:
    """A stable kind of problem: its URI is part of the protocol and never changes."""

    slug: str
    status: int
    title: str

    @property
    def uri(self) -> str:
        """The `type` member of problems of this kind."""
        return TYPE_PREFIX + self.slug


BAD_REQUEST = ProblemType("bad-request", 400, "The request is malformed")
BAD_PATH = ProblemType("bad-path", 400, "The request path is not acceptable")
UNAUTHENTICATED = ProblemType("unauthenticated", 401, "Authentication is required")
INVALID_TOKEN = ProblemType("invalid-token", 401, "The access token is not valid")
INVALID_CLIENT = ProblemType("invalid-client", 401, "Client authentication failed")
FORBIDDEN = ProblemType("forbidden", 403, "The caller is not allowed to do this")
NOT_FOUND = ProblemType("not-found", 404, "No such resource")
METHOD_NOT_ALLOWED = ProblemType("method-not-allowed", 405, "Method not allowed here")
CONFLICT = ProblemType("conflict", 409, "The request conflicts with the current state")
BODY_TOO_LARGE = ProblemType("body-too-large", 413, "The request body is too large")
UNSUPPORTED_MEDIA_TYPE = ProblemType(
    "unsupported-media-type", 415, "The request body's media type is not accepted here"
)
VALIDATION = ProblemType("validation", 422, "The request content is not valid")
RATE_LIMITED = ProblemType("rate-limited", 429, "Too many requests")
INTERNAL = ProblemType("internal", 500, "The exchange failed to handle the request")
UNAVAILABLE = ProblemType("unavailable", 503, "The exchange cannot serve this now")

_BY_STATUS = {
    p.status: p
    for p in (
        BAD_REQUEST,
        UNAUTHENTICATED,
        FORBIDDEN,
        NOT_FOUND,
        METHOD_NOT_ALLOWED,
        CONFLICT,
        BODY_TOO_LARGE,
        UNSUPPORTED_MEDIA_TYPE,
        VALIDATION,
        RATE_LIMITED,
        INTERNAL,
        UNAVAILABLE,
    )
}


@dataclass(frozen=True, slots=True)
class InvalidParam:
    """One failing location: a JSON Pointer (or XPath) and what is wrong there."""

    pointer: str
    detail: str

    def as_json(self) -> dict[str, str]:
        """The member as it appears in the `errors` list of a problem."""
        return {"pointer": self.pointer, "detail": self.detail}


@dataclass(slots=True)
class Problem(Exception):
    """An error the API layer answers with as is; raise it only from routes and middleware."""

    type: ProblemType
    detail: str
    errors: Sequence[InvalidParam] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    extensions: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.type.slug}: {self.detail}"


def unexpected() -> Problem:
    """The 500 for a failure nobody foresaw: the trace is logged, the caller learns nothing."""
    return Problem(INTERNAL, "an internal error occurred; it was logged")


def problem_body(
    problem: Problem, *, instance: str | None = None, exchange_id: str | None = None
) -> dict[str, Any]:
    """The JSON members of a problem answer."""
    body: dict[str, Any] = {
        "type": problem.type.uri,
        "title": problem.type.title,
        "status": problem.type.status,
        "detail": problem.detail,
    }
    if instance is not None:
        body["instance"] = instance
    if exchange_id is not None:
        body["exchange_id"] = exchange_id
    if problem.errors:
        body["errors"] = [e.as_json() for e in problem.errors]
    for key, value in problem.extensions.items():
        body.setdefault(key, value)
    return body


def problem_response(
    problem: Problem, *, instance: str | None = None, exchange_id: str | None = None
) -> Response:
    """A complete problem+json answer, marked as raised by the exchange itself."""
    headers = {"X-LGSP-Error": problem.type.slug, **problem.headers}
    if exchange_id is not None:
        headers.setdefault("X-LGSP-Exchange-Id", exchange_id)
    return Response(
        content=orjson.dumps(problem_body(problem, instance=instance, exchange_id=exchange_id)),
        status_code=problem.type.status,
        media_type=PROBLEM_CONTENT_TYPE,
        headers=headers,
    )


def _exchange_id(request: Request) -> str | None:
    value = getattr(request.state, "exchange_id", None)
    return value if isinstance(value, str) else None


def _answer(request: Request, problem: Problem) -> Response:
    # `instance` names the route template, never the raw path: raw paths
    # may carry personal identifiers (citizen numbers) that must not echo.
    route = request.scope.get("route")
    template = getattr(route, "path", None)
    return problem_response(
        problem,
        instance=template if isinstance(template, str) else None,
        exchange_id=_exchange_id(request),
    )


def _pointer(loc: Sequence[Any]) -> str:
    """JSON Pointer (RFC 6901) of a FastAPI error location, with its source first."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in loc]
    return "/" + "/".join(parts) if parts else ""


def from_request_validation(exc: RequestValidationError) -> Problem:
    """Every failing location of a request that does not match a route's model."""
    errors = []
    for err in exc.errors():
        loc = list(err.get("loc", ()))
        source = loc[0] if loc else "body"
        rest = loc[1:] if loc else []
        pointer = _pointer(rest) if source == "body" else f"{source}:{_pointer(rest)}"
        errors.append(InvalidParam(pointer=pointer, detail=str(err.get("msg", "invalid"))))
    return Problem(VALIDATION, f"{len(errors)} location(s) failed validation", errors=tuple(errors))


def from_registry_error(exc: registry_errors.RegistryError) -> Problem:
    """The problem for a registry service error."""
    if isinstance(exc, registry_errors.NotFound):
        return Problem(NOT_FOUND, str(exc))
    if isinstance(exc, registry_errors.Conflict):
        return Problem(CONFLICT, str(exc))
    if isinstance(exc, registry_errors.Invalid):
        errors = tuple(InvalidParam(pointer=p, detail=d) for p, d in exc.locations)
        return Problem(VALIDATION, str(exc), errors=errors)
    return Problem(BAD_REQUEST, str(exc))


def install(app: FastAPI) -> None:
    """Make every error answer of `app` a problem+json document."""

    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        return _answer(request, exc)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        ptype = _BY_STATUS.get(exc.status_code, BAD_REQUEST if exc.status_code < 500 else INTERNAL)
        detail = exc.detail if isinstance(exc.detail, str) else ptype.title
        if exc.status_code == 404:
            detail = "no route matches this method and path"
        headers = dict(exc.headers or {})
        return _answer(request, Problem(ptype, detail, headers=headers))

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return _answer(request, from_request_validation(exc))

    async def on_registry(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, registry_errors.RegistryError)
        return _answer(request, from_registry_error(exc))

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        # The trace goes to the operator's log, never to the caller.
        log.exception("unhandled error on %s", request.scope.get("route", "?"))
        return _answer(request, unexpected())

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(registry_errors.RegistryError, on_registry)
    app.add_exception_handler(Exception, on_unexpected)
