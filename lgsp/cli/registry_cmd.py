"""`lgsp registry ...`: load a declarative registry file, read the change history."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated

import typer
import yaml
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lgsp.auth.keys import load_keys
from lgsp.bootstrap import catalogue_for, engine_for, prepare
from lgsp.settings import Settings
from registry import changes, loader
from registry.dto import ChangeRead, EntityKind
from registry.errors import Invalid, RegistryError
from registry.report import LoadReport
from registry.secrets import SecretHasher

registry_app = typer.Typer(
    help="The registry: members, systems, services, access rules, credentials.",
    no_args_is_help=True,
)


def _engine(settings: Settings) -> Engine:
    prepare(settings)
    return engine_for(settings)


def _fail(exc: RegistryError) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    if isinstance(exc, Invalid):
        for where, what in exc.locations:
            typer.echo(f"  {where or '/'}: {what}", err=True)
    return typer.Exit(2 if isinstance(exc, Invalid) else 1)


def _write_secrets(path: Path, secrets: Mapping[str, str]) -> None:
    """Write `client_id: secret` lines to a new file only its owner can read."""
    # O_EXCL: never overwrite (and so lose) secrets an earlier load wrote.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        os.fchmod(out.fileno(), 0o600)
        out.write("# Client secrets, shown once: hand each to its system, then delete this file.\n")
        yaml.safe_dump(dict(secrets), out, default_flow_style=False, sort_keys=True)


@registry_app.command("load")
def load(
    *,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    prune: Annotated[bool, typer.Option(help="remove what the file does not name")] = False,
    secrets_out: Annotated[
        Path | None, typer.Option(help="write new client secrets to this new file (mode 0600)")
    ] = None,
    actor: Annotated[str, typer.Option(help="who the change history names")] = "cli",
) -> None:
    """Make the registry what FILE says; print what changed and any new secrets once."""
    if secrets_out is not None and secrets_out.exists():
        typer.echo(f"error: {secrets_out} exists; name a new file", err=True)
        raise typer.Exit(2)
    settings = Settings()
    engine = _engine(settings)
    keys = load_keys(settings.resolved_keys_dir, settings=settings)
    hasher = SecretHasher(keys.secret_hash_key, key_id=keys.secret_hash_key_id)
    try:
        with Session(engine) as session, session.begin():
            report = loader.load(
                session,
                file.read_bytes(),
                actor=actor,
                hasher=hasher,
                prune=prune,
                schemas=catalogue_for(settings),
            )
            # Written before the commit: if the file cannot be written, nothing
            # is created whose secret nobody would ever see.
            if report.secrets and secrets_out is not None:
                _write_secrets(secrets_out, report.secrets)
    except RegistryError as exc:
        raise _fail(exc) from None
    finally:
        engine.dispose()
    _print_report(report)
    if report.secrets and secrets_out is not None:
        typer.echo(f"{len(report.secrets)} new secret(s) written to {secrets_out}")
    elif report.secrets:
        typer.echo("new client secrets (shown this once; store them now):")
        for client_id, secret in sorted(report.secrets.items()):
            typer.echo(f"  {client_id}  {secret}")


def _print_report(report: LoadReport) -> None:
    for action in report.actions:
        typer.echo(f"{action.action:<7} {action.entity:<12} {action.key}")
    for note in report.kept:
        typer.echo(f"kept    {note}")
    for entity, c in report.counts.items():
        typer.echo(
            f"{entity}: {c.created} created, {c.updated} updated, {c.unchanged} unchanged, "
            f"{c.deleted} deleted, {c.revoked} revoked"
        )
    if not report.changed:
        typer.echo("nothing changed")


@registry_app.command("changes")
def list_changes(
    *,
    entity: Annotated[EntityKind | None, typer.Option(help="only this kind of entity")] = None,
    key: Annotated[str | None, typer.Option(help="only the entity with this key")] = None,
    since: Annotated[dt.datetime | None, typer.Option(help="from this UTC time on")] = None,
    until: Annotated[dt.datetime | None, typer.Option(help="before this UTC time")] = None,
    full: Annotated[bool, typer.Option(help="show each entity before and after")] = False,
) -> None:
    """Print the change history, oldest first."""
    engine = _engine(Settings())
    try:
        for change in _all_changes(
            engine, entity=entity, key=key, since=_utc(since), until=_utc(until)
        ):
            typer.echo(
                f"{change.id:>6} {change.at.isoformat(timespec='seconds')} {change.actor} "
                f"{change.action} {change.entity} {change.entity_key}"
            )
            if full:
                for label, entity_json in (("before", change.before), ("after", change.after)):
                    typer.echo(f"       {label}: {json.dumps(entity_json, ensure_ascii=False)}")
    except RegistryError as exc:
        raise _fail(exc) from None
    finally:
        engine.dispose()


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    # Typer parses times without a zone; the operator's times are read as UTC.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def _all_changes(
    engine: Engine,
    *,
    entity: EntityKind | None,
    key: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> Iterator[ChangeRead]:
    cursor: str | None = None
    while True:
        with Session(engine) as session, session.begin():
            page = changes.list_changes(
                session=session,
                entity=entity,
                key=key,
                since=since,
                until=until,
                cursor=cursor,
                limit=changes.MAX_PAGE,
            )
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
