"""`lgsp`: run the exchange and operate it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Annotated

import typer

from lgsp.bootstrap import engine_for, prepare
from lgsp.cli.registry_cmd import registry_app
from lgsp.db import migrate
from lgsp.settings import Settings

app = typer.Typer(help="The provincial data-exchange platform (LGSP).", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(registry_app, name="registry")


def settings_with(**overrides: object) -> Settings:
    """Settings from the environment, with command-line overrides exported for workers.

    Workers are separate processes that build their settings from the
    environment, so an override must be exported there, not only applied here.
    """
    for name, value in overrides.items():
        if value is not None:
            os.environ[f"LGSP_{name.upper()}"] = str(value)
    return Settings()


@app.command()
def up(
    host: Annotated[str | None, typer.Option(help="address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on")] = None,
    workers: Annotated[int | None, typer.Option(help="worker processes")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="where SQLite and keys live")] = None,
) -> None:
    """Migrate, generate missing keys, make sure an admin credential exists, then serve."""
    from lgsp.first_admin import ensure_first_admin

    settings = settings_with(host=host, port=port, workers=workers, data_dir=data_dir)
    prepare(settings)
    admin = ensure_first_admin(settings)
    url = settings.resolved_public_url
    typer.echo(f"LGSP exchange at {url}  (database: {redacted_database_url(settings)})")
    typer.echo(admin.describe(url))
    serve(settings)


def serve(settings: Settings) -> None:
    """Serve the exchange with uvicorn until interrupted; `prepare` must have run."""
    import uvicorn

    if settings.workers > 1:
        metrics_dir = settings.data_dir / "prometheus"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir.resolve())
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
    loggers = config["loggers"]
    assert isinstance(loggers, dict)
    loggers["lgsp"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def redacted_database_url(settings: Settings) -> str:
    """The database URL without its password, fit to print."""
    from sqlalchemy.engine import make_url

    return make_url(settings.resolved_database_url).render_as_string(hide_password=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = engine_for(settings)
    try:
        migrate.upgrade(engine)
        typer.echo(f"database at migration {migrate.current_revision(engine)}")
    finally:
        engine.dispose()


@db_app.command("current")
def db_current() -> None:
    """Show the database's migration and this code's newest one; exit 1 if they differ."""
    engine = engine_for(Settings())
    try:
        current, head = migrate.current_revision(engine), migrate.head_revision()
    finally:
        engine.dispose()
    typer.echo(f"database: {current}  code: {head}")
    if current != head:
        raise typer.Exit(1)
