"""A whole exchange application on the test database, driven through HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lgsp.app import create_app
from lgsp.bootstrap import Runtime, build_runtime, prepare
from lgsp.settings import Settings
from tests import factories
from tests.factories import transaction
from tests.integration.auth_factories import add_client


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
        client_id, secret = add_client(runtime, scopes=scopes, system_code=system_code)
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


def registry_token(runtime: Runtime, scopes: Iterable[str], *, system_id: str) -> str:
    """An access token of a new credential, minted by the node's own token service."""
    with transaction(runtime.engine) as session:
        issued = factories.credential(
            session, system_id=system_id, scopes=scopes, secret_hasher=runtime.hasher
        )
    runtime.registry.refresh()
    view = runtime.registry.snapshot.credential(issued.client_id)
    assert view is not None
    return runtime.tokens.issue(credential=view).access_token


@pytest.fixture
def admin(runtime: Runtime, client: TestClient) -> dict[str, str]:
    """Headers of an administrator (its system lives under another province)."""
    token = registry_token(runtime, ["admin"], system_id="000.00.00.H38:ADMIN")
    return {"Authorization": f"Bearer {token}"}
