"""The full exchange as `lgsp up` serves it, with a registry loaded through the admin API."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from bench import procs
from bench.province import CLIENT_ID, PATH, registry_document, schema_url

LGSP = str(Path(sys.executable).with_name("lgsp"))
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextlib.contextmanager
def database(store: str, *, pg_url: str) -> Iterator[str | None]:
    """The `LGSP_DATABASE_URL` for `store`: None for SQLite (the data dir's file), else a
    fresh PostgreSQL schema, dropped afterwards."""
    if store == "sqlite":
        yield None
        return
    if store != "postgres":
        raise ValueError(f"unknown store {store!r} (sqlite or postgres)")
    schema = "bench_" + uuid.uuid4().hex[:12]
    admin = create_engine(pg_url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            yield schema_url(pg_url, schema)
        finally:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


def postgres_version(pg_url: str) -> str:
    """The server's `PostgreSQL N.N` (a clear `RuntimeError` if it does not answer)."""
    engine = create_engine(pg_url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            version = str(connection.execute(text("SHOW server_version")).scalar_one())
    except Exception as exc:
        raise RuntimeError(
            f"PostgreSQL at {pg_url} does not answer ({type(exc).__name__}); start it, "
            "pass --pg-url, or run with --stores sqlite"
        ) from None
    finally:
        engine.dispose()
    return f"PostgreSQL {version.split()[0]}"


def start(
    fleet: procs.Fleet,
    *,
    workers: int,
    data_dir: Path,
    database_url: str | None,
    log: Path,
    command: Sequence[str] = (LGSP, "up"),
    settings: Mapping[str, str] | None = None,
) -> procs.Server:
    """`lgsp up` (or `command`, taking the same options) on a free loopback port with
    `workers` workers, ready to serve."""
    port = procs.free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LGSP_")}
    env["LGSP_DATA_DIR"] = str(data_dir)
    if database_url is not None:
        env["LGSP_DATABASE_URL"] = database_url
    for name, value in (settings or {}).items():
        env[f"LGSP_{name.upper()}"] = value
    argv = [*command, "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    server = fleet.add(procs.start("exchange", argv, port=port, log=log, env=env))
    procs.wait_http(server, "/readyz", seconds=90)
    return server


def token(server: procs.Server, client_id: str, secret: str, *, seconds: float = 15.0) -> str:
    """A fresh access token (the exchange issues them for at most five minutes).

    A credential just loaded reaches the other workers only at their next registry refresh,
    so a refusal is retried for `seconds` before it counts.
    """
    deadline = time.monotonic() + seconds
    while True:
        answer = httpx.post(
            f"{server.url}/oauth/token",
            auth=(client_id, secret),
            data={"grant_type": "client_credentials"},
            timeout=10,
        )
        if answer.status_code == 200:
            value = answer.json()["access_token"]
            assert isinstance(value, str)
            return value
        server.check_alive()
        if answer.status_code != 401 or time.monotonic() > deadline:
            raise procs.ServerFailed(f"token for {client_id}: {answer.status_code} {answer.text}")
        time.sleep(0.25)


def load_registry(server: procs.Server, *, data_dir: Path, upstream_url: str) -> str:
    """Load the benchmark's registry as the first admin; the client's new secret."""
    admin = json.loads((data_dir / "admin-credential.json").read_text(encoding="utf-8"))
    admin_token = token(server, admin["client_id"], admin["client_secret"])
    loaded = httpx.post(
        f"{server.url}/registry/load",
        content=registry_document(upstream_url).encode("utf-8"),
        headers={"Authorization": f"Bearer {admin_token}", "Content-Type": "application/yaml"},
        timeout=30,
    )
    if loaded.status_code != 200:
        raise procs.ServerFailed(f"registry load: {loaded.status_code} {loaded.text}")
    secret = loaded.json()["secrets"][CLIENT_ID]
    assert isinstance(secret, str)
    return secret


def wait_serving(
    server: procs.Server, *, access_token: str, body: bytes, workers: int, seconds: float = 30
) -> None:
    """Wait until every worker forwards the benchmark call: the registry reaches the other
    workers only at their next refresh, so require a run of 2xx answers on fresh connections."""
    needed = 10 * workers
    streak = 0
    deadline = time.monotonic() + seconds
    last = ""
    headers = {"Authorization": f"Bearer {access_token}", "Content-Type": "application/json"}
    while streak < needed:
        server.check_alive()
        if time.monotonic() > deadline:
            raise procs.ServerFailed(f"the exchange does not forward the benchmark call: {last}")
        # A new client each time: a new connection, so the kernel may pick another worker.
        answer = httpx.post(server.url + PATH, content=body, headers=headers, timeout=10)
        if 200 <= answer.status_code < 300:
            streak += 1
        else:
            streak, last = 0, f"{answer.status_code} {answer.text[:300]}"
            time.sleep(0.2)


def start_upstream(
    fleet: procs.Fleet, *, workdir: Path, root: Path, processes: int = 1
) -> procs.Server:
    """The benchmark's upstream (`bench/upstream.py`) on a free loopback port, answering."""
    port = procs.free_port()
    upstream = fleet.add(
        procs.start(
            "upstream",
            [
                *(sys.executable, "-m", "bench.upstream"),
                *("--port", str(port), "--processes", str(processes)),
            ],
            port=port,
            log=workdir / "upstream.log",
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root)},
        )
    )
    procs.wait_http(upstream, "/")
    return upstream


def bearer_headers(server: procs.Server, secret: str) -> Callable[[], dict[str, str]]:
    """Headers for wrk with a fresh token each time they are asked for (tokens expire)."""

    def headers() -> dict[str, str]:
        access_token = token(server, CLIENT_ID, secret)
        return {"Content-Type": "application/json", "Authorization": f"Bearer {access_token}"}

    return headers


def serving(
    server: procs.Server, *, data_dir: Path, upstream_url: str, body: bytes, workers: int
) -> str:
    """Load the benchmark registry into a started exchange and wait until every worker
    forwards the call; the client's secret."""
    secret = load_registry(server, data_dir=data_dir, upstream_url=upstream_url)
    access_token = token(server, CLIENT_ID, secret)
    wait_serving(server, access_token=access_token, body=body, workers=workers)
    return secret


@dataclass(frozen=True)
class Served:
    """A started upstream and exchange with the benchmark registry loaded and warm."""

    server: procs.Server
    secret: str


@contextlib.contextmanager
def served(
    fleet: procs.Fleet,
    *,
    workdir: Path,
    root: Path,
    store: str,
    pg_url: str,
    workers: int,
    body: bytes,
) -> Iterator[Served]:
    """An upstream and an exchange on `store`, registry loaded, serving; stopped afterwards."""
    upstream = start_upstream(fleet, workdir=workdir, root=root)
    with database(store, pg_url=pg_url) as database_url:
        data_dir = workdir / "var"
        server = start(
            fleet,
            workers=workers,
            data_dir=data_dir,
            database_url=database_url,
            log=workdir / "exchange.log",
        )
        try:
            secret = serving(
                server, data_dir=data_dir, upstream_url=upstream.url, body=body, workers=workers
            )
            yield Served(server=server, secret=secret)
        finally:
            fleet.stop(server)
