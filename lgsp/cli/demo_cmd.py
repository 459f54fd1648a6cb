"""`lgsp demo` (the demo province in one command) and `lgsp demo-providers` (its providers).

`demo` prepares the store, starts the national-platform simulator and the demo providers as
child processes, loads the province, serves the exchange in this process (the same serving
code as `lgsp up`) and, once it is ready, prints where everything is, the credentials and a
curl sequence. Ctrl-C (or SIGTERM) stops the exchange, then the children.

"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Annotated

import httpx
import typer

from lgsp.bootstrap import prepare
from lgsp.cli.serving import redacted_database_url, serve, settings_with
from lgsp.demo import banner, processes
from lgsp.demo.ndxp import SECRET_ENV, NdxpSetup, ensure_config, lookup_request
from lgsp.demo.processes import Child, ChildFailed
from lgsp.demo.providers.serve import (
    DEFAULT_HUE_S_PORT,
    DEFAULT_STATIONS_PORT,
    DEFAULT_VESSELS_PORT,
    ProviderPorts,
    serve_providers,
)
from lgsp.demo.province import (
    CREDENTIALS_FILE,
    Client,
    DemoFileError,
    Endpoints,
    LoadedProvince,
    load_province,
    render,
    write_private,
)
from lgsp.first_admin import CREDENTIAL_FILE, OPERATOR_SYSTEM, ensure_first_admin
from lgsp.settings import Settings
from registry.errors import RegistryError

LOOPBACK = "127.0.0.1"
DEFAULT_NDXP_PORT = 9200  # `lgsp ndxp-sim`'s own default
READY_SECONDS = 60.0


class _Stopped(Exception):
    """SIGTERM arrived: unwind so that the children are stopped too."""


def demo_providers(
    *,
    hue_s_port: Annotated[int, typer.Option(help="Hue-S field reports")] = DEFAULT_HUE_S_PORT,
    stations_port: Annotated[
        int, typer.Option(help="environment monitoring stations")
    ] = DEFAULT_STATIONS_PORT,
    vessels_port: Annotated[
        int, typer.Option(help="fishing-vessel tracking")
    ] = DEFAULT_VESSELS_PORT,
) -> None:
    """Serve the demo providers (Hue-S, monitoring stations, vessel tracking) on 127.0.0.1."""
    ports = ProviderPorts(hue_s=hue_s_port, stations=stations_port, vessels=vessels_port)
    serve_providers(host=LOOPBACK, ports=ports)


def demo(
    *,
    host: Annotated[str | None, typer.Option(help="address the exchange listens on")] = None,
    port: Annotated[int | None, typer.Option(help="port the exchange listens on")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="where SQLite, keys, secrets live")] = None,
    ndxp_port: Annotated[int, typer.Option(help="national-platform simulator")] = DEFAULT_NDXP_PORT,
    hue_s_port: Annotated[int, typer.Option(help="Hue-S field reports")] = DEFAULT_HUE_S_PORT,
    stations_port: Annotated[
        int, typer.Option(help="environment monitoring stations")
    ] = DEFAULT_STATIONS_PORT,
    vessels_port: Annotated[
        int, typer.Option(help="fishing-vessel tracking")
    ] = DEFAULT_VESSELS_PORT,
) -> None:
    """Run the demo province: the exchange, the NDXP simulator and the demo providers."""

    settings = settings_with(host=host, port=port, data_dir=data_dir, workers=1)
    ports = ProviderPorts(hue_s=hue_s_port, stations=stations_port, vessels=vessels_port)
    previous = signal.signal(signal.SIGTERM, _raise_stopped)
    children: list[Child] = []
    stopped = threading.Event()
    try:
        processes.ensure_free(
            LOOPBACK,
            {
                "--ndxp-port": ndxp_port,
                "--hue-s-port": hue_s_port,
                "--stations-port": stations_port,
                "--vessels-port": vessels_port,
            },
        )
        processes.ensure_free(settings.host, {"--port": settings.port})
        prepare(settings)
        admin = ensure_first_admin(settings)
        ndxp = ensure_config(settings.data_dir)
        children = _start_children(settings, ndxp=ndxp, ndxp_port=ndxp_port, ports=ports)
        processes.wait_healthy(children)
        endpoints = _endpoints(ports, ndxp_port=ndxp_port, ndxp_client_id=ndxp.client_id)
        loaded = load_province(settings, text=render(endpoints))
        text = _banner(
            settings,
            loaded=loaded,
            admin=_admin_client(settings, client_id=admin.client_id, secret=admin.secret),
            ndxp=ndxp,
            places=_places(children, endpoints),
            database=redacted_database_url(settings),
        )
        # The exchange reads the NDXP secret from its environment (the services' `secret_env`).
        os.environ[SECRET_ENV] = ndxp.secret
        announcer = threading.Thread(
            target=_announce_when_ready,
            kwargs={"url": settings.resolved_public_url, "text": text, "stopped": stopped},
            daemon=True,
        )
        announcer.start()
        serve(settings)
    except (ChildFailed, DemoFileError, RegistryError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except (KeyboardInterrupt, _Stopped):
        pass  # the children are stopped below; the exchange has already shut down
    finally:
        stopped.set()
        processes.stop(children)
        signal.signal(signal.SIGTERM, previous)
    typer.echo("Demo stopped: the exchange, the simulator and the providers are down.")


def _raise_stopped(_signum: int, _frame: FrameType | None) -> None:
    raise _Stopped


def _start_children(
    settings: Settings, *, ndxp: NdxpSetup, ndxp_port: int, ports: ProviderPorts
) -> list[Child]:
    """The simulator and the providers, their output in `<data dir>/logs/`."""
    logs = settings.data_dir / "logs"
    # The children need nothing of the exchange's configuration, least of all its secrets.
    env = {k: v for k, v in os.environ.items() if not k.startswith("LGSP_")}
    simulator = processes.start(
        name="NDXP simulator",
        command=_simulator_command(port=ndxp_port, config_file=ndxp.config_file),
        log=logs / "ndxp-sim.log",
        health_url=f"http://{LOOPBACK}:{ndxp_port}/healthz",
        env=env,
    )
    providers = processes.start(
        name="demo providers",
        command=processes.python_module(
            "lgsp.cli.main",
            "demo-providers",
            f"--hue-s-port={ports.hue_s}",
            f"--stations-port={ports.stations}",
            f"--vessels-port={ports.vessels}",
        ),
        log=logs / "demo-providers.log",
        health_url=f"http://{LOOPBACK}:{ports.hue_s}/healthz",
        env=env,
    )
    return [simulator, providers]


def _endpoints(ports: ProviderPorts, *, ndxp_port: int, ndxp_client_id: str) -> Endpoints:
    """What the province file needs filled in."""
    urls = ports.urls(LOOPBACK)
    return Endpoints(
        hue_s_url=urls["hue_s"],
        stations_url=urls["stations"],
        vessels_url=urls["vessels"],
        ndxp_url=f"http://{LOOPBACK}:{ndxp_port}",
        ndxp_client_id=ndxp_client_id,
    )


def _simulator_command(*, port: int, config_file: Path) -> list[str]:
    # `lgsp ndxp-sim` with this interpreter (so the same virtualenv, installed or not).
    return processes.python_module(
        "lgsp.cli.main",
        "ndxp-sim",
        f"--host={LOOPBACK}",
        f"--port={port}",
        f"--config={config_file}",
    )


def _places(children: list[Child], endpoints: Endpoints) -> list[banner.Place]:
    simulator, providers = children
    return [
        banner.Place("national platform (NDXP simulator)", endpoints.ndxp_url, str(simulator.log)),
        banner.Place("Hue-S field reports", endpoints.hue_s_url, str(providers.log)),
        banner.Place("environment monitoring stations", endpoints.stations_url),
        banner.Place("fishing-vessel tracking", endpoints.vessels_url),
    ]


def _admin_client(settings: Settings, *, client_id: str, secret: str | None) -> Client:
    """The operators' admin credential, its secret from this start or from its file."""
    if secret is None:
        try:
            kept = json.loads((settings.data_dir / CREDENTIAL_FILE).read_text(encoding="utf-8"))
            if kept.get("client_id") == client_id:
                secret = kept.get("client_secret")
        except (OSError, ValueError):
            secret = None
    return Client(
        client_id=client_id,
        system_id=f"{settings.province_code}:{OPERATOR_SYSTEM}",
        scopes=("admin", "auditor"),
        secret=secret,
    )


def _banner(
    settings: Settings,
    *,
    loaded: LoadedProvince,
    admin: Client,
    ndxp: NdxpSetup,
    places: list[banner.Place],
    database: str,
) -> str:
    """The text to print, and the curl sequence written to its file (mode 0600: secrets)."""
    url = settings.resolved_public_url
    curl_file = settings.data_dir / banner.CURL_FILE
    missing = [c for c in banner.NEEDED if c not in loaded.clients or not loaded.clients[c].secret]
    sequence = (
        banner.curl_sequence(url=url, clients=loaded.clients, lookup=lookup_request(ndxp.citizen))
        if not missing
        else f"# The sequence needs the secrets of {', '.join(missing)}: see above.\n"
    )
    write_private(curl_file, "#!/usr/bin/env bash\nset -euo pipefail\n" + sequence)
    return banner.banner(
        head=banner.summary(url=url, database=database, places=places, loaded=loaded),
        credentials=banner.credentials_lines(
            loaded,
            admin=admin,
            file=str(settings.data_dir / CREDENTIALS_FILE),
            data_dir=str(settings.data_dir),
        ),
        sequence=sequence,
        curl_file=str(curl_file),
    )


def _announce_when_ready(*, url: str, text: str, stopped: threading.Event) -> None:
    """Print `text` once the exchange answers `/readyz`; give up if the demo stops first."""
    deadline = time.monotonic() + READY_SECONDS
    while not stopped.is_set() and time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=1.0).status_code == 200:
                typer.echo(text)
                return
        except httpx.TransportError:
            pass
        stopped.wait(0.1)
    if not stopped.is_set():
        typer.echo(f"error: the exchange at {url} did not become ready", err=True)
