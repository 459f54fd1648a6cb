"""What every registry route shares: the admin guard, transactions, answers."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session

from lgsp.api.deps import get_runtime
from lgsp.api.problems import UNSUPPORTED_MEDIA_TYPE, Problem
from lgsp.auth.deps import require_scope
from lgsp.auth.models import Caller
from lgsp.bootstrap import Runtime

log = logging.getLogger("lgsp.registry")

# One dependency object, so FastAPI resolves it once per request: on the
# router it guards every route, even one added later without a `caller`.
require_admin = require_scope("admin")

Admin = Annotated[Caller, Depends(require_admin)]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
# Answers holding a client secret must not be kept by any cache on the way.
NO_STORE = {"Cache-Control": "no-store"}
_WRITES = frozenset({"POST", "PUT", "PATCH"})


@contextmanager
def transaction(runtime: Runtime) -> Iterator[Session]:
    """One session in one transaction, committed on success."""
    with Session(runtime.engine) as session, session.begin():
        yield session


@contextmanager
def writing(runtime: Runtime) -> Iterator[Session]:
    """A write transaction; after commit this node reloads its snapshot."""
    with transaction(runtime) as session:
        yield session
    try:
        runtime.registry.refresh()
    except Exception:
        # The write is committed; the background refresh will load it soon.
        log.exception("registry refresh after a write failed")


def created(response: Response, location: str) -> None:
    """Mark `response` as 201 Created at `location`."""
    response.status_code = 201
    response.headers["Location"] = location


def media_type(request: Request) -> str:
    """The request's media type, lower-cased, without parameters."""
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


async def json_body_only(request: Request) -> None:
    """Refuse (415) a write whose body is not JSON, before it is parsed as anything."""
    if request.method not in _WRITES:
        return
    kind = media_type(request)
    if kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json")):
        return
    raise Problem(UNSUPPORTED_MEDIA_TYPE, "send the body as application/json")
