"""`lgsp ndxp-sim`: run the national platform simulator for development and tests."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Annotated

import typer

from ndxp_client.simulator import (
    ConfigError,
    SimulatorConfig,
    config_json,
    create_simulator,
    demo_config,
    load_config,
)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _write_new(path: Path, text: str) -> None:
    """Write `text` to a new file only its owner can read; never overwrite one."""
    # O_EXCL: an existing file may hold the secrets of a configuration still in use.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        os.fchmod(out.fileno(), 0o600)
        out.write(text)


def _describe(config: SimulatorConfig, *, url: str, generated: bool) -> str:
    lines = [f"NDXP simulator at {url}  (WSDL: {url}/soap/CSDLQGDC?wsdl)"]
    for client in config.clients:
        lines.append(f"  client {client.client_id}  X-Road-Client: {client.xroad_client}")
        if generated:
            # A demo's secrets are fresh and exist nowhere else: showing them is the point.
            lines.append(f"    secret:  {client.secret.get_secret_value()}")
            if client.api_key is not None:
                lines.append(f"    api key: {client.api_key.get_secret_value()}")
    if config.control_token is None:
        lines.append("  control API /_sim/* open to loopback callers")
    elif generated:
        lines.append(f"  control token: {config.control_token.get_secret_value()}")
    else:
        lines.append("  control API /_sim/* needs the configured control token")
    return "\n".join(lines)


def ndxp_sim(
    *,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 9200,
    config: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            readable=True,
            help="JSON configuration; else $LGSP_NDXP_SIM_CONFIG; else a generated demo",
        ),
    ] = None,
    write_config: Annotated[
        Path | None,
        typer.Option(dir_okay=False, help="write the generated demo configuration here (new file)"),
    ] = None,
) -> None:
    """Run the national platform (NDXP) simulator: services, token issuer, faults on demand."""
    import uvicorn

    try:
        loaded = load_config(path=config)
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    loopback = _is_loopback(host)
    generated = loaded is None
    if loaded is None:
        loaded = demo_config(with_control_token=not loopback)
    elif write_config is not None:
        typer.echo("error: --write-config applies to the generated demo configuration", err=True)
        raise typer.Exit(2)
    if not loopback and loaded.control_token is None:
        typer.echo(f"error: listening on {host} needs a control_token in the config", err=True)
        raise typer.Exit(2)
    if write_config is not None:
        try:
            _write_new(write_config, config_json(loaded))
        except FileExistsError:
            typer.echo(f"error: {write_config} exists; pass it as --config instead", err=True)
            raise typer.Exit(1) from None
    typer.echo(_describe(loaded, url=f"http://{host}:{port}", generated=generated))
    uvicorn.run(
        create_simulator(loaded),
        host=host,
        port=port,
        # Paths carry no personal data here, but the exchange's habit holds: no raw access log.
        access_log=False,
        server_header=False,
        # The loopback rule of the control API must see the real peer address.
        proxy_headers=False,
        log_level="info",
    )
