"""The HTTP application: routers, middleware and problem handling around a `Runtime`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from lgsp.api import health, problems
from lgsp.api.audit_routes import router as audit_router
from lgsp.api.exchange_front import PREFIX as EXCHANGE_PREFIX
from lgsp.api.exchange_front import ExchangeFront
from lgsp.api.metrics import Metrics
from lgsp.api.middleware import install_middleware
from lgsp.api.registry import router as registry_router
from lgsp.auth.routes import router as oauth_router
from lgsp.bootstrap import Runtime, build_runtime
from lgsp.exchange.pipeline import ExchangeServices
from lgsp.settings import Settings
from lgsp.worker_tuning import tune_worker


class ExchangeApp(FastAPI):
    """FastAPI for the API, with `/x/...` answered by the exchange's own front door first.

    Most traffic is exchanges, and they need none of the framework's machinery: they
    go straight to `ExchangeFront`, which does what the middleware does for the rest.
    """

    exchange_front: ExchangeFront | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        front = self.exchange_front
        if (
            front is not None
            and scope["type"] == "http"
            and scope["path"].startswith(EXCHANGE_PREFIX)
        ):
            scope["app"] = self
            await front(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(runtime: Runtime) -> FastAPI:
    """An application serving `runtime`; starting it starts the registry refresher."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await runtime.registry.start()
        await runtime.journal.start()
        try:
            yield
        finally:
            await runtime.journal.stop()
            await runtime.providers.aclose()
            await runtime.registry.stop()
            runtime.engine.dispose()

    app = ExchangeApp(
        title="LGSP exchange",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.metrics = Metrics()
    services = ExchangeServices(
        settings=runtime.settings,
        tokens=runtime.tokens,
        registry=runtime.registry,
        validators=runtime.validators,
        journal=runtime.journal,
        providers=runtime.providers,
    )
    app.exchange_front = ExchangeFront(
        services, metrics=app.state.metrics, max_body_bytes=runtime.settings.max_body_bytes
    )
    problems.install(app)
    app.include_router(oauth_router)
    app.include_router(registry_router)
    app.include_router(audit_router)
    app.include_router(health.router)
    install_middleware(app, runtime.settings, metrics=app.state.metrics)
    return app


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory`: each worker builds its runtime from the environment."""
    app = create_app(build_runtime(Settings()))
    tune_worker()
    return app
