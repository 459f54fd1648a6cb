"""A whole exchange application on the test database, driven through HTTP."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lgsp.app import create_app
from lgsp.bootstrap import Runtime, build_runtime, prepare
from lgsp.settings import Settings
from registry.models import Change, Credential, Member, System
from registry.secrets import generate_client_id, generate_secret


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings of a node whose data lives in the test's own directory."""
    return Settings(data_dir=tmp_path / "var", database_url=database_url)


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    """A prepared (migrated, keyed) node runtime; its connections are closed afterwards."""
    prepare(settings)
    built = build_runtime(settings)
    yield built
    built.engine.dispose()


@pytest.fixture
def app(runtime: Runtime) -> FastAPI:
    """The application around the runtime."""
    return create_app(runtime)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client of the started application (its lifespan has run)."""
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def token_for(runtime: Runtime, client: TestClient) -> Callable[..., str]:
    """Mint an access token, through the real token endpoint, for a new client with `scopes`."""

    def mint(*scopes: str, system_code: str = "TEST") -> str:
        client_id, secret = add_credential(runtime, scopes=scopes, system_code=system_code)
        answer = client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(client_id, secret),
        )
        assert answer.status_code == 200, answer.text
        token = answer.json()["access_token"]
        assert isinstance(token, str)
        return token

    return mint


def add_credential(
    runtime: Runtime, *, scopes: Sequence[str], system_code: str = "TEST"
) -> tuple[str, str]:
    """Insert a member, a system and a credential straight into the registry tables."""
    now = dt.datetime.now(dt.UTC)
    member_code = "000.00.00.H57"
    system_id = f"{member_code}:{system_code}"
    client_id, secret = generate_client_id(), generate_secret()
    with Session(runtime.engine) as session, session.begin():
        if session.get(Member, member_code) is None:
            session.add(Member(code=member_code, name="Tỉnh thử", created_at=now, updated_at=now))
        if session.get(System, system_id) is None:
            session.add(
                System(
                    id=system_id,
                    member_code=member_code,
                    code=system_code,
                    name="Hệ thống thử",
                    created_at=now,
                    updated_at=now,
                )
            )
        # No ORM relationships order the inserts, so make the parents exist first.
        session.flush()
        session.add(
            Credential(
                client_id=client_id,
                system_id=system_id,
                secret_hash=runtime.hasher.hash(secret),
                scopes=" ".join(scopes),
                description="test",
                created_at=now,
                revoked_at=None,
            )
        )
        session.add(
            Change(
                at=now,
                actor="test",
                entity="credential",
                entity_key=client_id,
                action="create",
                before=None,
                after={"client_id": client_id},
                note="",
            )
        )
    runtime.registry.refresh()
    return client_id, secret
