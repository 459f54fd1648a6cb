"""The demo province: its file filled in, loaded through the registry loader, its secrets kept.

Loading is idempotent (the loader writes nothing for what is already equal). The secrets of the
credentials a load creates are written to `<data dir>/demo-credentials.json` (mode 0600) before
the load commits, and read back on later starts, since the registry keeps only their hashes.
"""

from __future__ import annotations

import json
import os
import string
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from lgsp.auth.keys import load_keys
from lgsp.bootstrap import catalogue_for, engine_for
from lgsp.settings import Settings
from registry import loader
from registry.document import parse
from registry.models import Credential
from registry.report import LoadReport
from registry.secrets import SecretHasher

TEMPLATE = Path(__file__).with_name("province.yaml")
CREDENTIALS_FILE = "demo-credentials.json"
ACTOR = "lgsp-demo"


class DemoFileError(RuntimeError):
    """A file the demo keeps in its data directory cannot be used."""


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Where the province's providers and the national platform's simulator listen."""

    hue_s_url: str
    stations_url: str
    vessels_url: str
    ndxp_url: str
    ndxp_client_id: str


@dataclass(frozen=True, slots=True)
class Client:
    """A demo credential as the banner and `demo-credentials.json` show it."""

    client_id: str
    system_id: str
    scopes: tuple[str, ...]
    secret: str | None


@dataclass(frozen=True, slots=True)
class LoadedProvince:
    """What a start's load did, and every demo client with its secret where it is known."""

    report: LoadReport
    clients: dict[str, Client] = field(default_factory=dict)

    @property
    def lost(self) -> list[str]:
        """Live clients of the file whose secret is not in the credentials file."""
        return sorted(c.client_id for c in self.clients.values() if c.secret is None)


def render(endpoints: Endpoints) -> str:
    """The province file with the endpoints filled in."""
    template = string.Template(TEMPLATE.read_text(encoding="utf-8"))
    return template.substitute(
        HUE_S_URL=endpoints.hue_s_url,
        STATIONS_URL=endpoints.stations_url,
        VESSELS_URL=endpoints.vessels_url,
        NDXP_URL=endpoints.ndxp_url,
        NDXP_CLIENT_ID=endpoints.ndxp_client_id,
    )


def load_province(settings: Settings, *, text: str) -> LoadedProvince:
    """Load `text` into the registry; keep the secrets of new credentials in the data dir."""
    path = settings.data_dir / CREDENTIALS_FILE
    saved = read_secrets(path)
    keys = load_keys(settings.resolved_keys_dir, settings=settings)
    hasher = SecretHasher(keys.secret_hash_key, key_id=keys.secret_hash_key_id)
    engine = engine_for(settings)
    try:
        with Session(engine) as session, session.begin():
            report = loader.load(
                session, text, actor=ACTOR, hasher=hasher, schemas=catalogue_for(settings)
            )
            session.flush()
            clients = _clients(session, text=text, known={**saved, **report.secrets}, hasher=hasher)
            # Written before the commit: if the file cannot be written, no credential is
            # created whose secret nobody would ever see.
            write_credentials(path, url=settings.resolved_public_url, clients=clients)
    finally:
        engine.dispose()
    return LoadedProvince(report=report, clients=clients)


def _clients(
    session: Session, *, text: str, known: dict[str, str], hasher: SecretHasher
) -> dict[str, Client]:
    """The file's live credentials, each with its secret if a kept one still verifies."""
    clients: dict[str, Client] = {}
    for entry in parse(text).credentials:
        row = session.get(Credential, entry.client_id)
        if row is None or row.revoked_at is not None:
            continue
        secret = known.get(entry.client_id)
        if secret is not None and not hasher.verify(secret, row.secret_hash):
            secret = None  # kept from another store: as good as lost
        clients[entry.client_id] = Client(
            client_id=entry.client_id,
            system_id=row.system_id,
            scopes=tuple(row.scopes.split()),
            secret=secret,
        )
    return clients


def read_secrets(path: Path) -> dict[str, str]:
    """`client id -> secret` from the credentials file; empty if there is none yet."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise DemoFileError(f"{path} cannot be read as JSON ({type(exc).__name__})") from None
    clients = document.get("clients") if isinstance(document, dict) else None
    if not isinstance(clients, dict):
        raise DemoFileError(f"{path} has no `clients` object")
    return {
        str(client_id): entry["client_secret"]
        for client_id, entry in clients.items()
        if isinstance(entry, dict) and isinstance(entry.get("client_secret"), str)
    }


def write_credentials(path: Path, *, url: str, clients: dict[str, Client]) -> None:
    """Rewrite the credentials file (mode 0600) if what it should hold has changed."""
    document = {
        "exchange_url": url,
        "token_url": f"{url}/oauth/token",
        "clients": {
            c.client_id: {
                "client_secret": c.secret,
                "system_id": c.system_id,
                "scopes": list(c.scopes),
            }
            for c in sorted(clients.values(), key=lambda c: c.client_id)
            if c.secret is not None
        },
    }
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except FileNotFoundError:
        pass
    write_private(path, text)


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` atomically, the file readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)  # O_CREAT's mode does not apply to an existing file
        handle.write(text)
    os.replace(temporary, path)
