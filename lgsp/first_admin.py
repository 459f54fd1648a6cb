"""The first admin credential, so that a fresh exchange is usable and still closed to strangers."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from lgsp.auth.keys import load_keys
from lgsp.bootstrap import engine_for
from lgsp.settings import Settings
from registry import credentials, members, systems
from registry.dto import CredentialCreate, CredentialIssued, MemberCreate, SystemCreate
from registry.models import Credential
from registry.secrets import SecretHasher

CREDENTIAL_FILE = "admin-credential.json"
OPERATOR_SYSTEM = "LGSP-OPS"
ACTOR = "lgsp-up"


@dataclass(frozen=True, slots=True)
class AdminCredential:
    """An admin client; `secret` is set only when it was created by this start."""

    client_id: str
    secret: str | None
    file: Path

    def describe(self, url: str) -> str:
        """What `lgsp up` prints about it."""
        if self.secret is None:
            return (
                f"Admin client: {self.client_id} (its secret was shown at first start "
                f"and is in {self.file} if that file was kept)"
            )
        return "\n".join(
            [
                "First admin credential (shown once; also in "
                f"{self.file}, readable by this user only):",
                f"  client id:     {self.client_id}",
                f"  client secret: {self.secret}",
                "Get a token:",
                f"  curl -s -u '{self.client_id}:{self.secret}' "
                f"-d grant_type=client_credentials {url}/oauth/token",
            ]
        )


def ensure_first_admin(settings: Settings) -> AdminCredential:
    """Issue an admin credential for the province's operators unless an active one exists."""
    path = settings.data_dir / CREDENTIAL_FILE
    engine = engine_for(settings)
    keys = load_keys(settings.resolved_keys_dir, settings=settings)
    hasher = SecretHasher(keys.secret_hash_key, key_id=keys.secret_hash_key_id)
    try:
        with Session(engine) as session, session.begin():
            existing = _active_admin(session)
            if existing is not None:
                return AdminCredential(client_id=existing, secret=None, file=path)
            issued = _issue(session, settings=settings, hasher=hasher)
    finally:
        engine.dispose()
    _write_private(path, {"client_id": issued.client_id, "client_secret": issued.client_secret})
    return AdminCredential(client_id=issued.client_id, secret=issued.client_secret, file=path)


def _active_admin(session: Session) -> str | None:
    rows = session.scalars(
        select(Credential).where(Credential.revoked_at.is_(None)).order_by(Credential.created_at)
    )
    for row in rows:
        if "admin" in row.scopes.split():
            return row.client_id
    return None


def _issue(session: Session, *, settings: Settings, hasher: SecretHasher) -> CredentialIssued:
    code = settings.province_code
    if members.get(session=session, code=code) is None:
        members.create(
            session=session,
            data=MemberCreate(code=code, name=settings.province_name),
            actor=ACTOR,
        )
    system_id = f"{code}:{OPERATOR_SYSTEM}"
    if systems.get(session=session, system_id=system_id) is None:
        systems.create(
            session=session,
            data=SystemCreate(id=system_id, name="Vận hành nền tảng LGSP (operators)"),
            actor=ACTOR,
        )
    return credentials.issue(
        session=session,
        data=CredentialCreate(
            system_id=system_id,
            scopes=["admin", "auditor"],
            description="first admin, issued by lgsp up",
        ),
        actor=ACTOR,
        hasher=hasher,
    )


def _write_private(path: Path, content: dict[str, str]) -> None:
    """Write a file only its owner can read, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(content, handle, indent=2)
        handle.write("\n")
    os.replace(temporary, path)
