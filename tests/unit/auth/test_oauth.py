"""The authlib grant glue, without HTTP: client authentication, parameters, scopes, errors."""

from __future__ import annotations

import base64

import pytest
from starlette.datastructures import Headers

from lgsp.auth.oauth import (
    InsecureTokenEndpoint,
    TokenAnswer,
    TokenGrantServer,
    TokenRequest,
    parse_basic,
)
from lgsp.auth.tokens import TokenService
from registry.secrets import SecretHasher
from tests.unit.auth.conftest import SECRET, FakeRegistry

ENDPOINT = "https://lgsp.example.gov.vn/oauth/token"


@pytest.fixture
def server(service: TokenService, hasher: SecretHasher, registry: FakeRegistry) -> TokenGrantServer:
    """The grant server over the fake registry."""
    return TokenGrantServer(
        tokens=service, hasher=hasher, registry=registry, token_endpoint=ENDPOINT
    )


def _basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def _ask(
    server: TokenGrantServer,
    form: list[tuple[str, str]],
    *,
    authorization: str | None = None,
    method: str = "POST",
) -> TokenAnswer:
    headers = Headers({"authorization": authorization} if authorization else {})
    return server.respond(TokenRequest(method=method, headers=headers, form=form))


def test_basic_authentication_gets_a_verifiable_token(
    server: TokenGrantServer, service: TokenService
) -> None:
    answer = _ask(
        server, [("grant_type", "client_credentials")], authorization=_basic("c_ex", SECRET)
    )
    assert answer.error is None
    assert answer.status == 200
    assert answer.body["token_type"] == "Bearer"
    assert answer.body["expires_in"] == 300
    assert answer.body["scope"] == "exchange"
    token = answer.body["access_token"]
    assert isinstance(token, str)
    assert service.verify(token).client_id == "c_ex"


def test_post_authentication_gets_a_token(server: TokenGrantServer) -> None:
    answer = _ask(
        server,
        [("grant_type", "client_credentials"), ("client_id", "c_admin"), ("client_secret", SECRET)],
    )
    assert answer.error is None
    assert answer.body["scope"] == "admin exchange"


def test_requested_scope_narrows_the_token(server: TokenGrantServer) -> None:
    answer = _ask(
        server,
        [("grant_type", "client_credentials"), ("scope", "admin")],
        authorization=_basic("c_admin", SECRET),
    )
    assert answer.body["scope"] == "admin"


@pytest.mark.parametrize(
    ("client_id", "secret"),
    [("c_ex", "wrong"), ("c_nobody", SECRET), ("c_ex", SECRET + "x"), ("c_ex", "")],
)
def test_bad_client_credentials_are_invalid_client(
    server: TokenGrantServer, client_id: str, secret: str
) -> None:
    basic = _ask(
        server, [("grant_type", "client_credentials")], authorization=_basic(client_id, secret)
    )
    post = _ask(
        server,
        [("grant_type", "client_credentials"), ("client_id", client_id), ("client_secret", secret)],
    )
    for answer in (basic, post):
        assert (answer.status, answer.error) == (401, "invalid_client")
        assert answer.error_description == "client authentication failed"


def test_revoked_client_is_invalid_client(server: TokenGrantServer, registry: FakeRegistry) -> None:
    registry.revoke("c_ex")
    answer = _ask(
        server, [("grant_type", "client_credentials")], authorization=_basic("c_ex", SECRET)
    )
    assert answer.error == "invalid_client"


def test_no_credentials_is_invalid_client(server: TokenGrantServer) -> None:
    assert _ask(server, [("grant_type", "client_credentials")]).error == "invalid_client"


@pytest.mark.parametrize(
    "header",
    [
        "Basic !!!not-base64!!!",
        "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode(),
        "Basic " + base64.b64encode(b"no-colon").decode(),
        "Basic ",
        "Bearer abc",
    ],
)
def test_malformed_basic_is_invalid_client_not_a_crash(
    server: TokenGrantServer, header: str
) -> None:
    answer = _ask(server, [("grant_type", "client_credentials")], authorization=header)
    assert answer.error == "invalid_client"


def test_two_authentication_methods_are_refused(server: TokenGrantServer) -> None:
    answer = _ask(
        server,
        [("grant_type", "client_credentials"), ("client_id", "c_ex"), ("client_secret", SECRET)],
        authorization=_basic("c_ex", SECRET),
    )
    assert (answer.status, answer.error) == (400, "invalid_request")


@pytest.mark.parametrize("name", ["grant_type", "scope", "client_id"])
def test_repeated_parameters_are_refused(server: TokenGrantServer, name: str) -> None:
    form = [("grant_type", "client_credentials"), ("scope", "exchange"), ("client_id", "c_ex")]
    form.append((name, dict(form)[name]))
    answer = _ask(server, form, authorization=_basic("c_ex", SECRET))
    assert (answer.status, answer.error) == (400, "invalid_request")


@pytest.mark.parametrize("grant", ["password", "authorization_code", ""])
def test_other_grants_are_unsupported(server: TokenGrantServer, grant: str) -> None:
    answer = _ask(server, [("grant_type", grant)], authorization=_basic("c_ex", SECRET))
    assert (answer.status, answer.error) == (400, "unsupported_grant_type")
    assert answer.error_description == "only grant_type=client_credentials is supported"


def test_missing_grant_type_is_refused(server: TokenGrantServer) -> None:
    answer = _ask(server, [], authorization=_basic("c_ex", SECRET))
    assert answer.error == "unsupported_grant_type"


@pytest.mark.parametrize("scope", ["admin", "exchange admin", "superuser"])
def test_scope_the_client_lacks_is_invalid_scope(server: TokenGrantServer, scope: str) -> None:
    answer = _ask(
        server,
        [("grant_type", "client_credentials"), ("scope", scope)],
        authorization=_basic("c_ex", SECRET),
    )
    assert (answer.status, answer.error) == (400, "invalid_scope")


def test_get_is_not_a_token_request(server: TokenGrantServer) -> None:
    answer = _ask(
        server,
        [("grant_type", "client_credentials")],
        authorization=_basic("c_ex", SECRET),
        method="GET",
    )
    assert answer.error == "unsupported_grant_type"


@pytest.mark.parametrize(
    "url", ["http://lgsp.example.gov.vn/oauth/token", "ftp://127.0.0.1/oauth/token"]
)
def test_insecure_token_endpoint_is_refused(
    service: TokenService, hasher: SecretHasher, registry: FakeRegistry, url: str
) -> None:
    with pytest.raises(InsecureTokenEndpoint):
        TokenGrantServer(tokens=service, hasher=hasher, registry=registry, token_endpoint=url)


def test_loopback_http_is_allowed(
    service: TokenService, hasher: SecretHasher, registry: FakeRegistry
) -> None:
    TokenGrantServer(
        tokens=service, hasher=hasher, registry=registry, token_endpoint="http://127.0.0.1:8080/t"
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (_basic("c_ex", "s:e:c"), ("c_ex", "s:e:c")),
        ("basic " + base64.b64encode(b"a%3Ab:c+d").decode(), ("a:b", "c d")),
        (None, None),
        ("Basic", None),
        ("Digest abc", None),
        ("Basic " + base64.b64encode(b":secret").decode(), None),
    ],
)
def test_parse_basic(header: str | None, expected: tuple[str, str] | None) -> None:
    assert parse_basic(header) == expected
