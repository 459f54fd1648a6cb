"""The HTTP application: routers, middleware and problem handling around a `Runtime`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from lgsp.api import exchange_routes, health, problems
from lgsp.api.audit_routes import router as audit_router
from lgsp.api.metrics import Metrics
from lgsp.api.middleware import install_middleware
from lgsp.api.registry import router as registry_router
from lgsp.auth.routes import router as oauth_router
from lgsp.bootstrap import Runtime, build_runtime
from lgsp.exchange.pipeline import ExchangeServices
from lgsp.settings import Settings


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

    app = FastAPI(
        title="LGSP exchange",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.metrics = Metrics()
    app.state.exchange = ExchangeServices(
        settings=runtime.settings,
        tokens=runtime.tokens,
        registry=runtime.registry,
        validators=runtime.validators,
        journal=runtime.journal,
        providers=runtime.providers,
    )
    problems.install(app)
    app.include_router(oauth_router)
    app.include_router(registry_router)
    app.include_router(audit_router)
    # First in the list: most traffic is exchanges, and they need no FastAPI machinery.
    app.router.routes.insert(0, exchange_routes.route)
    app.include_router(health.router)
    install_middleware(app, runtime.settings, metrics=app.state.metrics)
    return app


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory`: each worker builds its runtime from the environment."""
    return create_app(build_runtime(Settings()))
