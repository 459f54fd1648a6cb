"""FastAPI dependencies shared by the routers."""

from __future__ import annotations

from fastapi import Request

from lgsp.bootstrap import Runtime


def get_runtime(request: Request) -> Runtime:
    """The node's runtime, set on the application at creation."""
    runtime = request.app.state.runtime
    assert isinstance(runtime, Runtime)
    return runtime
