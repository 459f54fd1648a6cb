"""Liveness, readiness and metrics: what an operator's probes and scrapers read."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Request
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text
from starlette.responses import Response

from lgsp.api.deps import get_runtime
from lgsp.api.metrics import Metrics
from lgsp.api.problems import UNAVAILABLE, Problem, problem_response
from lgsp.bootstrap import Runtime
from lgsp.db import revision

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    """Always `ok` while the event loop runs; says nothing of dependencies."""
    return {"status": "ok"}


def _check_database(runtime: Runtime) -> dict[str, Any]:
    started = time.perf_counter()
    with runtime.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    current = revision.current(runtime.engine)
    head = revision.HEAD
    return {
        "reachable": True,
        "latency_ms": round((time.perf_counter() - started) * 1000, 2),
        "migration": current,
        "expected_migration": head,
        "migrations_current": current == head,
    }


@router.get("/readyz", summary="Every dependency this node needs answers")
async def readyz(request: Request, runtime: Runtime = Depends(get_runtime)) -> Response:
    """200 when the database answers at the expected migration and the registry is loaded."""
    checks: dict[str, Any] = {}
    ready = True
    try:
        checks["database"] = await asyncio.to_thread(_check_database, runtime)
        ready = ready and bool(checks["database"]["migrations_current"])
    except Exception as exc:
        # The error class is enough for the operator; connection strings stay out.
        checks["database"] = {"reachable": False, "error": type(exc).__name__}
        ready = False
    snapshot = runtime.registry.snapshot
    checks["registry"] = {"loaded": snapshot.revision >= 0, "revision": snapshot.revision}
    ready = ready and snapshot.revision >= 0
    if not ready:
        return problem_response(
            Problem(UNAVAILABLE, "a dependency is not ready", extensions={"checks": checks}),
            exchange_id=getattr(request.state, "exchange_id", None),
        )
    return Response(
        content=orjson.dumps({"status": "ready", "checks": checks}),
        media_type="application/json",
    )


@router.get("/metrics", summary="Prometheus metrics")
async def metrics(request: Request) -> Response:
    """Request counts and latencies by route template, in the Prometheus text format."""
    collectors = request.app.state.metrics
    assert isinstance(collectors, Metrics)
    return Response(content=collectors.exposition(), media_type=CONTENT_TYPE_LATEST)
