"""`lgsp`: run the exchange and operate it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lgsp.bootstrap import engine_for, prepare
from lgsp.cli.demo_cmd import demo, demo_providers
from lgsp.cli.ndxp_cmd import ndxp_sim
from lgsp.cli.registry_cmd import registry_app
from lgsp.cli.serving import exec_server, redacted_database_url, settings_with
from lgsp.db import migrate
from lgsp.settings import Settings

app = typer.Typer(help="The provincial data-exchange platform (LGSP).", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(registry_app, name="registry")
app.command("demo")(demo)
app.command("demo-providers")(demo_providers)
app.command("ndxp-sim")(ndxp_sim)


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
    exec_server(settings)


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


if __name__ == "__main__":
    app()
