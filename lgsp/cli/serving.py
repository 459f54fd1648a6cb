"""Serving the exchange: what `lgsp up` and `lgsp demo` share."""

from __future__ import annotations

import json
import os
import shutil
import sys
from typing import NoReturn

from lgsp.settings import Settings


def settings_with(**overrides: object) -> Settings:
    """Settings from the environment, with command-line overrides exported for workers.

    Workers are separate processes that build their settings from the
    environment, so an override must be exported there, not only applied here.
    """
    for name, value in overrides.items():
        if value is not None:
            os.environ[f"LGSP_{name.upper()}"] = str(value)
    return Settings()


def _metrics_dir(settings: Settings) -> None:
    if settings.workers > 1:
        metrics_dir = settings.data_dir / "prometheus"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir.resolve())


def exec_server(settings: Settings) -> NoReturn:
    """Replace this process by uvicorn serving the exchange; `prepare` must have run.

    A fresh interpreter rather than serving from the command's own process: the CLI
    has imported what preparing needs (Alembic, the command-line toolkit), about 30 MiB
    that a worker serving alone would otherwise carry for its whole life. The process
    id stays the same, so supervisors and signals see no difference.
    """
    _metrics_dir(settings)
    log_config = settings.data_dir / "uvicorn-logging.json"
    log_config.write_text(json.dumps(_log_config()), encoding="utf-8")
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "lgsp.app:create_app_from_env",
        "--factory",
        *("--host", settings.host, "--port", str(settings.port)),
        *("--workers", str(settings.workers)),
        # uvicorn's access log prints raw paths and query strings, which can
        # carry citizen numbers; our own access log records route templates.
        "--no-access-log",
        *("--log-config", str(log_config)),
        "--no-server-header",
        "--no-proxy-headers",
    ]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, argv)


def serve(settings: Settings) -> None:
    """Serve the exchange with uvicorn in this process until interrupted; `prepare` must
    have run (`lgsp demo`, whose child processes this process stops at the end)."""
    import uvicorn

    _metrics_dir(settings)
    uvicorn.run(
        "lgsp.app:create_app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        # uvicorn's access log prints raw paths and query strings, which can
        # carry citizen numbers; our own access log records route templates.
        access_log=False,
        log_config=_log_config(),
        server_header=False,
        proxy_headers=False,
    )


def _log_config() -> dict[str, object]:
    """uvicorn's logging set-up, plus the exchange's own loggers on the same handler."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, object] = copy.deepcopy(LOGGING_CONFIG)
    formatters, handlers, loggers = config["formatters"], config["handlers"], config["loggers"]
    assert isinstance(formatters, dict)
    assert isinstance(handlers, dict)
    assert isinstance(loggers, dict)
    # A plain formatter: uvicorn's colourising one copies every record it formats, a
    # cost the access log (one line per exchange) would pay thousands of times a second.
    formatters["lgsp"] = {"format": "%(levelname)s:\t%(name)s %(message)s"}
    handlers["lgsp"] = {
        "formatter": "lgsp",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
    }
    loggers["lgsp"] = {"handlers": ["lgsp"], "level": "INFO", "propagate": False}
    return config


def redacted_database_url(settings: Settings) -> str:
    """The database URL without its password, fit to print."""
    from sqlalchemy.engine import make_url

    return make_url(settings.resolved_database_url).render_as_string(hide_password=True)
