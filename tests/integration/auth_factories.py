"""Registry rows for authentication tests, written straight to the tables as an admin would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy.orm import Session

from lgsp.bootstrap import Runtime
from registry.models import Change, Credential, Member, System
from registry.secrets import generate_client_id, generate_secret

MEMBER_CODE = "000.00.00.H57"


def _change(*, now: dt.datetime, client_id: str, action: str) -> Change:
    # Nodes reload their snapshot only when the newest change id moves.
    return Change(
        at=now,
        actor="test",
        entity="credential",
        entity_key=client_id,
        action=action,
        before=None,
        after={"client_id": client_id},
        note="",
    )


def add_client(
    runtime: Runtime, *, scopes: Iterable[str], system_code: str = "AUTH"
) -> tuple[str, str]:
    """A new client (with its member and system if missing); returns (client id, secret)."""
    now = dt.datetime.now(dt.UTC)
    system_id = f"{MEMBER_CODE}:{system_code}"
    client_id, secret = generate_client_id(), generate_secret()
    with Session(runtime.engine) as session, session.begin():
        if session.get(Member, MEMBER_CODE) is None:
            session.add(Member(code=MEMBER_CODE, name="Sở thử", created_at=now, updated_at=now))
        if session.get(System, system_id) is None:
            session.add(
                System(
                    id=system_id,
                    member_code=MEMBER_CODE,
                    code=system_code,
                    name="Hệ thống thử",
                    created_at=now,
                    updated_at=now,
                )
            )
        # The tables have no ORM relationships, so the unit of work does not
        # know to insert the system before the credential that refers to it.
        session.flush()
        session.add(
            Credential(
                client_id=client_id,
                system_id=system_id,
                secret_hash=runtime.hasher.hash(secret),
                scopes=" ".join(scopes),
                description="auth test",
                created_at=now,
                revoked_at=None,
            )
        )
        session.add(_change(now=now, client_id=client_id, action="create"))
    runtime.registry.refresh()
    return client_id, secret


def revoke_client(runtime: Runtime, client_id: str, *, refresh: bool = True) -> None:
    """Revoke a client in the database; the node sees it once its snapshot refreshes."""
    now = dt.datetime.now(dt.UTC)
    with Session(runtime.engine) as session, session.begin():
        row = session.get(Credential, client_id)
        assert row is not None
        row.revoked_at = now
        session.add(_change(now=now, client_id=client_id, action="revoke"))
    if refresh:
        runtime.registry.refresh()
