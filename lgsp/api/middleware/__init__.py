"""The exchange's ASGI middleware, installed in one place in a fixed order."""

from __future__ import annotations

from fastapi import FastAPI

from lgsp.api.metrics import Metrics
from lgsp.api.middleware.body_limit import BodyLimitMiddleware
from lgsp.api.middleware.context import RequestContextMiddleware
from lgsp.api.middleware.paths import PathHygieneMiddleware
from lgsp.settings import Settings


def install_middleware(app: FastAPI, settings: Settings, *, metrics: Metrics) -> None:
    """Wrap `app`: context (outermost), then path hygiene, then the body limit."""
    # add_middleware prepends, so the last added runs first.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(PathHygieneMiddleware)
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
