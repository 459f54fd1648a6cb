"""The token endpoint and bearer authentication of a whole exchange, through real HTTP."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from lgsp.app import create_app
from lgsp.auth.deps import require_scope
from lgsp.auth.models import Caller
from lgsp.auth.tokens import TokenService
from lgsp.bootstrap import Runtime, build_runtime, prepare
from lgsp.settings import Settings
from tests.integration.auth_factories import add_client, revoke_client
from tests.unit.auth import forge

pytestmark = pytest.mark.storage

FAILURES_PER_MINUTE = 5
FORM = {"grant_type": "client_credentials"}


def _probe_router() -> APIRouter:
    """Two tiny routes guarded by `require_scope`, as real routers use it."""
    probe = APIRouter(prefix="/probe")

    @probe.get("/admin")
    async def admin(caller: Caller = Depends(require_scope("admin"))) -> dict[str, Any]:
        return {"client_id": caller.client_id, "system_id": caller.system_id}

    @probe.get("/exchange")
    async def exchange(caller: Caller = Depends(require_scope("exchange"))) -> dict[str, Any]:
        return {"client_id": caller.client_id, "scopes": sorted(caller.scopes)}

    return probe


@pytest.fixture
def auth_settings(tmp_path: Path, database_url: str) -> Settings:
    """A node with a small brute-force limit so the brake can be seen."""
    return Settings(
        data_dir=tmp_path / "var",
        database_url=database_url,
        token_failures_per_minute=FAILURES_PER_MINUTE,
    )


@pytest.fixture
def auth_runtime(auth_settings: Settings) -> Runtime:
    """A prepared node runtime."""
    prepare(auth_settings)
    return build_runtime(auth_settings)


@pytest.fixture
def auth_app(auth_runtime: Runtime) -> FastAPI:
    """The exchange application plus the probe routes."""
    app = create_app(auth_runtime)
    app.include_router(_probe_router())
    return app


@pytest.fixture
def http(auth_app: FastAPI) -> Iterator[TestClient]:
    """A client of the started application."""
    with TestClient(auth_app, raise_server_exceptions=False) as client:
        yield client


def assert_problem(answer: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    """The answer is an exchange problem of this status and type."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = answer.json()
    assert body["type"] == f"urn:lgsp:problem:{slug}"
    assert body["status"] == status
    assert body["detail"]
    return body


def assert_oauth_error(answer: httpx.Response, status: int, slug: str, error: str) -> None:
    """A problem that also carries the RFC 6749 §5.2 members."""
    body = assert_problem(answer, status, slug)
    assert body["error"] == error
    assert body["error_description"] == body["detail"]
    assert answer.headers["cache-control"] == "no-store"


def _token(http: TestClient, client_id: str, secret: str, **form: str) -> httpx.Response:
    return http.post("/oauth/token", data={**FORM, **form}, auth=(client_id, secret))


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _verify_with_served_keys(http: TestClient, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Decode `token` as an outside party would: with the JWKS the exchange serves."""
    keyset = KeySet.import_key_set(http.get("/oauth/jwks").json())
    decoded = jwt.decode(token, keyset, registry=JWSRegistry(algorithms=["Ed25519"]))
    return dict(decoded.header), dict(decoded.claims)


# -- issuing -----------------------------------------------------------------


def test_token_via_basic_is_an_rfc9068_token(
    http: TestClient, auth_runtime: Runtime, auth_settings: Settings
) -> None:
    client_id, secret = add_client(auth_runtime, scopes=["exchange", "auditor"])
    answer = _token(http, client_id, secret)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["pragma"] == "no-cache"
    body = answer.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["token_type"] == "Bearer"
    assert 0 < body["expires_in"] <= 300
    assert body["scope"] == "auditor exchange"

    header, claims = _verify_with_served_keys(http, body["access_token"])
    metadata = http.get("/.well-known/oauth-authorization-server").json()
    assert header["typ"] == "at+jwt"
    assert header["alg"] == "Ed25519"
    assert header["kid"] == auth_runtime.keys.kid
    assert claims["iss"] == metadata["issuer"] == auth_settings.resolved_issuer
    assert claims["aud"] == auth_settings.token_audience
    assert claims["sub"] == claims["client_id"] == client_id
    assert claims["scope"] == "auditor exchange"
    assert claims["exp"] - claims["iat"] == body["expires_in"]
    assert abs(claims["iat"] - time.time()) < 60
    assert isinstance(claims["jti"], str)
    assert claims["jti"]


def test_token_via_post_works_and_opens_a_route(http: TestClient, auth_runtime: Runtime) -> None:
    client_id, secret = add_client(auth_runtime, scopes=["exchange", "admin"], system_code="POST")
    answer = http.post(
        "/oauth/token", data={**FORM, "client_id": client_id, "client_secret": secret}
    )
    assert answer.status_code == 200, answer.text
    token = answer.json()["access_token"]
    probe = http.get("/probe/admin", headers=_bearer(token))
    assert probe.status_code == 200, probe.text
    assert probe.json() == {"client_id": client_id, "system_id": "000.00.00.H57:POST"}


def test_scope_parameter_narrows_the_token(http: TestClient, auth_runtime: Runtime) -> None:
    client_id, secret = add_client(auth_runtime, scopes=["exchange", "admin"])
    answer = _token(http, client_id, secret, scope="exchange")
    assert answer.json()["scope"] == "exchange"
    token = answer.json()["access_token"]
    assert http.get("/probe/exchange", headers=_bearer(token)).status_code == 200
    assert_problem(http.get("/probe/admin", headers=_bearer(token)), 403, "forbidden")


# -- token endpoint refusals ---------------------------------------------------


@pytest.mark.parametrize("how", ["basic", "post"])
@pytest.mark.parametrize("case", ["bad secret", "unknown client", "revoked client"])
def test_bad_client_credentials_are_401(
    http: TestClient, auth_runtime: Runtime, how: str, case: str
) -> None:
    client_id, secret = add_client(auth_runtime, scopes=["exchange"])
    if case == "bad secret":
        secret += "x"
    elif case == "unknown client":
        client_id = "c_" + "0" * 24
    else:
        revoke_client(auth_runtime, client_id)
    if how == "basic":
        answer = _token(http, client_id, secret)
    else:
        answer = http.post(
            "/oauth/token", data={**FORM, "client_id": client_id, "client_secret": secret}
        )
    assert_oauth_error(answer, 401, "invalid-client", "invalid_client")
    assert answer.headers["www-authenticate"] == 'Basic realm="lgsp"'


def test_oauth_request_errors_are_400(http: TestClient, auth_runtime: Runtime) -> None:
    client_id, secret = add_client(auth_runtime, scopes=["exchange"])
    assert_oauth_error(
        _token(http, client_id, secret, scope="admin"), 400, "bad-request", "invalid_scope"
    )
    assert_oauth_error(
        _token(http, client_id, secret, grant_type="password"),
        400,
        "bad-request",
        "unsupported_grant_type",
    )
    both = http.post(
        "/oauth/token",
        data={**FORM, "client_id": client_id, "client_secret": secret},
        auth=(client_id, secret),
    )
    assert_oauth_error(both, 400, "bad-request", "invalid_request")


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"grant_type": "client_credentials"}', "application/json"),
        (b"grant_type=client_credentials", "text/plain"),
        (b"grant_type=client_credentials", None),
        (b"grant_type=client_credentials", "application/x-www-form-urlencoded; charset=latin-1"),
    ],
)
def test_other_media_types_are_415(
    http: TestClient, auth_runtime: Runtime, content: bytes, content_type: str | None
) -> None:
    client_id, secret = add_client(auth_runtime, scopes=["exchange"])
    headers = {"Content-Type": content_type} if content_type else {}
    answer = http.post("/oauth/token", content=content, headers=headers, auth=(client_id, secret))
    assert_problem(answer, 415, "unsupported-media-type")


def test_form_with_charset_utf8_is_accepted(http: TestClient, auth_runtime: Runtime) -> None:
    client_id, secret = add_client(auth_runtime, scopes=["exchange"])
    answer = http.post(
        "/oauth/token",
        content=b"grant_type=client_credentials",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"},
        auth=(client_id, secret),
    )
    assert answer.status_code == 200, answer.text


def test_oversized_form_is_413(http: TestClient, auth_runtime: Runtime) -> None:
    client_id, secret = add_client(auth_runtime, scopes=["exchange"])
    answer = _token(http, client_id, secret, padding="x" * 20_000)
    assert_problem(answer, 413, "body-too-large")


def test_get_on_the_token_endpoint_is_405(http: TestClient) -> None:
    assert_problem(http.get("/oauth/token"), 405, "method-not-allowed")


def test_repeated_failures_hit_the_brake(http: TestClient, auth_runtime: Runtime) -> None:
    client_id, secret = add_client(auth_runtime, scopes=["exchange"])
    for _ in range(FAILURES_PER_MINUTE):
        assert _token(http, client_id, "guess").status_code == 401
    # Even the right secret waits now: the brake does not tell guesses apart.
    answer = _token(http, client_id, secret)
    assert_problem(answer, 429, "rate-limited")
    assert 1 <= int(answer.headers["retry-after"]) <= 60


def test_successes_do_not_count_toward_the_brake(http: TestClient, auth_runtime: Runtime) -> None:
    client_id, secret = add_client(auth_runtime, scopes=["exchange"])
    for _ in range(FAILURES_PER_MINUTE * 3):
        assert _token(http, client_id, secret).status_code == 200


# -- bearer authentication on routes -------------------------------------------------


def _service(runtime: Runtime, *, clock: Callable[[], float]) -> TokenService:
    settings = runtime.settings
    return TokenService(
        keys=runtime.keys,
        issuer=settings.resolved_issuer,
        audience=settings.token_audience,
        lifetime_seconds=settings.token_lifetime_seconds,
        clock_skew_seconds=settings.token_clock_skew_seconds,
        registry=runtime.registry,
        clock=clock,
    )


def _issued_at(runtime: Runtime, client_id: str, *, offset: float) -> str:
    credential = runtime.registry.snapshot.credential(client_id)
    assert credential is not None
    service = _service(runtime, clock=lambda: time.time() + offset)
    return service.issue(credential=credential).access_token


def _claims(runtime: Runtime, client_id: str, **changes: Any) -> dict[str, Any]:
    settings = runtime.settings
    claims = forge.claims_for(
        client_id=client_id,
        issuer=settings.resolved_issuer,
        audience=settings.token_audience,
        now=int(time.time()),
    )
    claims.update(changes)
    return claims


BadToken = Callable[[Runtime, str], str]

BAD_TOKENS: dict[str, BadToken] = {
    "expired": lambda rt, cid: _issued_at(rt, cid, offset=-400),
    "not yet valid": lambda rt, cid: _issued_at(rt, cid, offset=+120),
    "forged": lambda rt, cid: forge.sign(
        _claims(rt, cid), key=forge.other_keys().signing_key, kid=rt.keys.kid
    ),
    "wrong audience": lambda rt, cid: forge.sign(
        _claims(rt, cid, aud="ndxp"), key=rt.keys.signing_key, kid=rt.keys.kid
    ),
    "wrong issuer": lambda rt, cid: forge.sign(
        _claims(rt, cid, iss="https://evil.example"), key=rt.keys.signing_key, kid=rt.keys.kid
    ),
    "alg none": lambda rt, cid: forge.unsigned(_claims(rt, cid), kid=rt.keys.kid),
    "hs256 with public key": lambda rt, cid: forge.hs256(
        _claims(rt, cid), secret=forge.public_key_forms(rt.keys)["pem"], kid=rt.keys.kid
    ),
    "wrong typ": lambda rt, cid: forge.sign(
        _claims(rt, cid), key=rt.keys.signing_key, kid=rt.keys.kid, typ="JWT"
    ),
    "garbage": lambda rt, cid: "not.a.token",
}


def test_the_forge_makes_acceptable_tokens(http: TestClient, auth_runtime: Runtime) -> None:
    # The control for the refusals: a hand-made token with nothing wrong passes.
    client_id, _secret = add_client(auth_runtime, scopes=["admin"])
    good = forge.sign(
        _claims(auth_runtime, client_id, scope="admin"),
        key=auth_runtime.keys.signing_key,
        kid=auth_runtime.keys.kid,
    )
    assert http.get("/probe/admin", headers=_bearer(good)).status_code == 200
    assert (
        http.get(
            "/probe/admin", headers=_bearer(_issued_at(auth_runtime, client_id, offset=-200))
        ).status_code
        == 200
    )


@pytest.mark.parametrize("case", sorted(BAD_TOKENS))
def test_bad_tokens_are_401(http: TestClient, auth_runtime: Runtime, case: str) -> None:
    client_id, _secret = add_client(auth_runtime, scopes=["admin", "exchange"])
    token = BAD_TOKENS[case](auth_runtime, client_id)
    answer = http.get("/probe/admin", headers=_bearer(token))
    assert_problem(answer, 401, "invalid-token")
    assert answer.headers["www-authenticate"].startswith('Bearer error="invalid_token"')


def test_missing_token_is_401_without_error_code(http: TestClient) -> None:
    answer = http.get("/probe/exchange")
    assert_problem(answer, 401, "unauthenticated")
    assert answer.headers["www-authenticate"] == 'Bearer realm="lgsp"'


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer a b", "Token abc"]
)
def test_malformed_authorization_is_401(http: TestClient, header: str) -> None:
    answer = http.get("/probe/exchange", headers={"Authorization": header})
    assert_problem(answer, 401, "invalid-token")
    assert 'error="invalid_token"' in answer.headers["www-authenticate"]


def test_exchange_token_on_admin_route_is_403(http: TestClient, auth_runtime: Runtime) -> None:
    client_id, secret = add_client(auth_runtime, scopes=["exchange"])
    token = _token(http, client_id, secret).json()["access_token"]
    answer = http.get("/probe/admin", headers=_bearer(token))
    assert_problem(answer, 403, "forbidden")
    assert answer.headers["www-authenticate"] == 'Bearer error="insufficient_scope", scope="admin"'


def test_revocation_takes_effect_when_the_snapshot_refreshes(
    http: TestClient, auth_runtime: Runtime
) -> None:
    client_id, secret = add_client(auth_runtime, scopes=["exchange"])
    token = _token(http, client_id, secret).json()["access_token"]
    assert http.get("/probe/exchange", headers=_bearer(token)).status_code == 200

    revoke_client(auth_runtime, client_id, refresh=False)
    # Verification reads no database: until the node reloads, the old snapshot rules.
    assert http.get("/probe/exchange", headers=_bearer(token)).status_code == 200

    assert auth_runtime.registry.refresh()
    answer = http.get("/probe/exchange", headers=_bearer(token))
    assert_problem(answer, 401, "invalid-token")
    assert_oauth_error(_token(http, client_id, secret), 401, "invalid-client", "invalid_client")


# -- discovery ---------------------------------------------------------------------------


def test_jwks_serves_only_public_keys(http: TestClient, auth_runtime: Runtime) -> None:
    answer = http.get("/oauth/jwks")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/jwk-set+json"
    (key,) = answer.json()["keys"]
    assert key["kid"] == auth_runtime.keys.kid
    assert (key["kty"], key["crv"], key["alg"], key["use"]) == ("OKP", "Ed25519", "Ed25519", "sig")
    assert "d" not in key


def test_metadata_is_rfc8414(http: TestClient, auth_settings: Settings) -> None:
    answer = http.get("/.well-known/oauth-authorization-server")
    assert answer.status_code == 200
    meta = answer.json()
    base = auth_settings.resolved_public_url
    assert meta["issuer"] == auth_settings.resolved_issuer
    assert meta["token_endpoint"] == f"{base}/oauth/token"
    assert meta["jwks_uri"] == f"{base}/oauth/jwks"
    assert meta["grant_types_supported"] == ["client_credentials"]
    assert sorted(meta["token_endpoint_auth_methods_supported"]) == [
        "client_secret_basic",
        "client_secret_post",
    ]
    assert sorted(meta["scopes_supported"]) == ["admin", "auditor", "exchange"]


def test_demo_on_a_plain_http_lan_address_issues_tokens(tmp_path: Path, database_url: str) -> None:
    # Production refuses a non-https public URL at start (settings); a demo
    # listening on a LAN name over plain http must still work.
    settings = Settings(
        data_dir=tmp_path / "plain", database_url=database_url, public_url="http://lgsp.example"
    )
    prepare(settings)
    runtime = build_runtime(settings)
    client_id, secret = add_client(runtime, scopes=["exchange"])
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        answer = _token(client, client_id, secret)
    assert answer.status_code == 200, answer.text
    assert runtime.tokens.verify(answer.json()["access_token"]).client_id == client_id


# -- a real server and a real client -------------------------------------------------------


@pytest.fixture
def served(auth_app: FastAPI) -> Iterator[str]:
    """The application on a real uvicorn server on a loopback port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(auth_app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _curl(*args: str) -> subprocess.CompletedProcess[str]:
    curl = shutil.which("curl")
    assert curl is not None
    return subprocess.run(
        [curl, "-sS", "--max-time", "10", *args], capture_output=True, text=True, check=True
    )


def test_real_server_with_curl_or_httpx(served: str, auth_runtime: Runtime) -> None:
    client_id, secret = add_client(auth_runtime, scopes=["exchange", "admin"])
    if shutil.which("curl"):
        # Exactly the command in the design: curl -u id:secret -d grant_type=client_credentials
        done = _curl(
            "-u",
            f"{client_id}:{secret}",
            "-d",
            "grant_type=client_credentials",
            f"{served}/oauth/token",
        )
        token = json.loads(done.stdout)["access_token"]
        probe = _curl("-H", f"Authorization: Bearer {token}", f"{served}/probe/admin")
        assert json.loads(probe.stdout)["client_id"] == client_id
        refused = _curl(
            "-i",
            "-u",
            f"{client_id}:nope",
            "-d",
            "grant_type=client_credentials",
            f"{served}/oauth/token",
        )
        head = refused.stdout.lower()
        assert head.startswith("http/1.1 401")
        assert "content-type: application/problem+json" in head
        assert 'www-authenticate: basic realm="lgsp"' in head
    else:
        with httpx.Client(base_url=served, timeout=10) as client:
            answer = client.post("/oauth/token", data=FORM, auth=(client_id, secret))
            assert answer.status_code == 200, answer.text
            token = answer.json()["access_token"]
            probe = client.get("/probe/admin", headers=_bearer(token))
            assert probe.json()["client_id"] == client_id
            refused = client.post("/oauth/token", data=FORM, auth=(client_id, "nope"))
            assert_problem(refused, 401, "invalid-client")
