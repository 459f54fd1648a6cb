"""FastAPI dependencies that authenticate the caller by bearer token and check its scope."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from fastapi import Depends, Request

from lgsp.api.deps import get_runtime
from lgsp.api.problems import FORBIDDEN, INVALID_TOKEN, UNAUTHENTICATED, Problem
from lgsp.auth.models import Caller
from lgsp.auth.tokens import SCOPES, InvalidToken
from lgsp.bootstrap import Runtime

REALM = "lgsp"
# RFC 6750 §2.1 b64token.
_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


def invalid_token(description: str) -> Problem:
    """A 401 problem for a token that is present but not acceptable."""
    return Problem(
        INVALID_TOKEN,
        description,
        headers={
            "WWW-Authenticate": f'Bearer error="invalid_token", error_description="{description}"'
        },
    )


def bearer_token(request: Request) -> str:
    """The bearer token of `request`; a 401 problem if there is none or it is malformed."""
    return bearer_token_of(request.headers.get("authorization"))


def bearer_token_of(header: str | None) -> str:
    """The bearer token of an `Authorization` header value; a 401 problem as `bearer_token`."""
    if header is None:
        # RFC 6750 §3.1: a request without credentials gets no error code.
        raise Problem(
            UNAUTHENTICATED,
            "an access token is required (Authorization: Bearer)",
            headers={"WWW-Authenticate": f'Bearer realm="{REALM}"'},
        )
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not _B64TOKEN.fullmatch(token):
        raise invalid_token("the Authorization header is not a bearer token")
    return token


async def authenticate(request: Request, runtime: Runtime = Depends(get_runtime)) -> Caller:
    """The caller behind the request's bearer token; a 401 problem when it is not valid."""
    token = bearer_token(request)
    try:
        caller = runtime.tokens.verify(token)
    except InvalidToken as exc:
        raise invalid_token(str(exc)) from exc
    # Later steps (audit, per-caller limits) read who is calling from here.
    request.state.caller = caller
    return caller


def require_scope(scope: str) -> Callable[..., Awaitable[Caller]]:
    """A dependency giving the authenticated caller, answering 403 if it lacks `scope`."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; known: {sorted(SCOPES)}")

    async def dependency(caller: Caller = Depends(authenticate)) -> Caller:
        if scope not in caller.scopes:
            raise Problem(
                FORBIDDEN,
                f"this needs the {scope} scope",
                headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'},
            )
        return caller

    return dependency
