"""Auditor access to the exchange log: search entries, read the public keys. Auditor scope."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from audit import query
from audit.errors import InvalidQuery
from lgsp.api.deps import get_runtime
from lgsp.api.problems import BAD_REQUEST, Problem
from lgsp.auth.deps import require_scope
from lgsp.auth.models import Caller
from lgsp.bootstrap import Runtime

_require_auditor = require_scope("auditor")
router = APIRouter(prefix="/audit", tags=["audit"], dependencies=[Depends(_require_auditor)])

Auditor = Annotated[Caller, Depends(_require_auditor)]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Kind = Literal["request", "outcome", "refusal", "delivery-attempt", "config-change", "key-rotation"]


def _json(document: object) -> Response:
    return Response(content=orjson.dumps(document), media_type="application/json")


@router.get("/entries")
def search_entries(
    *,
    caller: Auditor,
    runtime: RuntimeDep,
    client_id: str | None = None,
    client_system_id: str | None = None,
    service_id: str | None = None,
    kind: Kind | None = None,
    status: Annotated[int | None, Query(ge=100, le=599)] = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    exchange_id: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=query.MAX_LIMIT)] = 100,
) -> Response:
    """Entries matching every filter, oldest first, with the signed bytes of each."""
    try:
        with runtime.engine.connect() as connection:
            page = query.search(
                connection,
                client_id=client_id,
                client_system_id=client_system_id,
                service_id=service_id,
                kind=kind,
                status=status,
                since=since,
                until=until,
                exchange_id=exchange_id,
                cursor=cursor,
                limit=limit,
            )
    except InvalidQuery as exc:
        raise Problem(BAD_REQUEST, str(exc)) from None
    return _json(page.as_json())


@router.get("/keys")
def list_keys(*, caller: Auditor, runtime: RuntimeDep) -> Response:
    """The public keys entries are signed under, as published in the store."""
    with runtime.engine.connect() as connection:
        keys = query.list_keys(connection)
    return _json({"keys": [key.as_json() for key in keys]})
