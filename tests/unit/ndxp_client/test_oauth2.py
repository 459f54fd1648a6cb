"""OAuth2 client credentials against a real loopback token endpoint: fetch, reuse, refresh."""

from __future__ import annotations

import asyncio
import base64
from urllib.parse import parse_qs

import pytest

from ndxp_client import (
    NdxpAuthError,
    NdxpProtocolError,
    NdxpUnavailable,
    OAuth2ClientCredentials,
    RetryPolicy,
    protocol,
)
from ndxp_client.messages import RequestParts
from ndxp_client.oauth2 import MAX_TOKEN_RESPONSE_BYTES
from ndxp_client.transport import HttpResponse, MockTransport, Timeouts, TransportCall
from tests.unit.ndxp_client.helpers import FakeClock, RecordedSleep, hmac_client, quick_retry
from tests.unit.ndxp_client.national import (
    CITIZEN_SERVICE,
    OAUTH_ID,
    OAUTH_SECRET,
    NationalServer,
    Scripted,
    national_server,
)

pytestmark = pytest.mark.anyio


def oauth(
    server: NationalServer, clock: FakeClock, *, secret: str = OAUTH_SECRET, **options: object
) -> OAuth2ClientCredentials:
    """Client credentials for the test platform's token endpoint, on `clock`."""
    return OAuth2ClientCredentials(
        token_url=f"{server.url}/oauth/token",
        client_id=OAUTH_ID,
        client_secret=secret,
        clock=clock,
        **options,  # type: ignore[arg-type]
    )


def bearer_of(server: NationalServer, index: int) -> str | None:
    """The bearer token the `index`th service request carried."""
    value = server.seen[index].header("Authorization") or ""
    return value.removeprefix("Bearer ")


async def test_token_is_fetched_once_and_reused_until_near_expiry_then_refreshed() -> None:
    clock = FakeClock()
    async with national_server(token_lifetime=300) as server:
        auth = oauth(server, clock, refresh_leeway_seconds=30)
        async with hmac_client(server.url, auth=auth) as client:
            for _ in range(3):
                assert (await client.call(service=CITIZEN_SERVICE)).status == 200
            assert len(server.token_requests) == 1
            clock.advance(269)  # 1 s before the leeway starts: still fresh
            await client.call(service=CITIZEN_SERVICE)
            assert len(server.token_requests) == 1
            clock.advance(2)  # within 30 s of expiry: refreshed before use
            await client.call(service=CITIZEN_SERVICE)
            assert len(server.token_requests) == 2
            await client.call(service=CITIZEN_SERVICE)
    assert len(server.token_requests) == 2
    tokens = [bearer_of(server, index) for index in range(len(server.seen))]
    assert len(set(tokens[:4])) == 1
    assert tokens[4] == tokens[5] != tokens[0]


async def test_the_token_request_is_a_client_credentials_grant_with_basic_auth() -> None:
    async with national_server() as server:
        auth = oauth(server, FakeClock(), scope="tra-cuu dong-bo")
        async with hmac_client(server.url, auth=auth) as client:
            await client.call(service=CITIZEN_SERVICE)
    (request,) = server.token_requests
    assert request.method == "POST"
    basic = (request.header("Authorization") or "").removeprefix("Basic ")
    assert base64.b64decode(basic).decode() == f"{OAUTH_ID}:{OAUTH_SECRET}"
    assert request.header("Content-Type") == "application/x-www-form-urlencoded"
    form = parse_qs(request.body.decode())
    assert form == {"grant_type": ["client_credentials"], "scope": ["tra-cuu dong-bo"]}


async def test_concurrent_calls_share_one_token_fetch() -> None:
    async with (
        national_server(token_delay=0.1) as server,
        hmac_client(server.url, auth=oauth(server, FakeClock())) as client,
    ):
        answers = await asyncio.gather(
            *(client.call(service=CITIZEN_SERVICE, method="GET") for _ in range(20))
        )
    assert [answer.status for answer in answers] == [200] * 20
    assert len(server.token_requests) == 1
    assert len({bearer_of(server, index) for index in range(20)}) == 1


async def test_a_refused_token_is_dropped_once_and_a_new_one_tried() -> None:
    async with (
        national_server() as server,
        hmac_client(server.url, auth=oauth(server, FakeClock())) as client,
    ):
        await client.call(service=CITIZEN_SERVICE)
        server.revoke_tokens()
        # A POST too: the platform refused the credential before the service saw it.
        answer = await client.call(service=CITIZEN_SERVICE, method="POST", body=b"{}")
        assert answer.status == 200
        assert len(server.token_requests) == 2
        assert bearer_of(server, 1) == bearer_of(server, 0) != bearer_of(server, 2)
        # A platform that refuses every token: one fresh token, then the error.
        server.accept_tokens = False
        calls_before = len(server.seen)
        with pytest.raises(NdxpAuthError) as caught:
            await client.call(service=CITIZEN_SERVICE)
    assert caught.value.code == protocol.ERROR_AUTHENTICATION_FAILED
    assert len(server.seen) - calls_before == 2


async def test_token_endpoint_failures_map_to_the_error_tree() -> None:
    async with national_server() as server:
        wrong = oauth(server, FakeClock(), secret="not-the-secret")
        async with hmac_client(server.url, auth=wrong) as client:
            with pytest.raises(NdxpAuthError) as refused:
                await client.call(service=CITIZEN_SERVICE)
        assert refused.value.code == "invalid_client"
        assert "not-the-secret" not in str(refused.value)
        assert "not-the-secret" not in repr(wrong)
        assert server.seen == [], "no service call without a token"

        server.token_status = 503
        sleep = RecordedSleep()
        retry = quick_retry(sleep, attempts=3)
        async with hmac_client(server.url, auth=oauth(server, FakeClock()), retry=retry) as client:
            with pytest.raises(NdxpUnavailable):
                await client.call(service=CITIZEN_SERVICE, method="GET")
        assert len(server.token_requests) == 4, "one refused, then three transient attempts"


async def test_an_answer_that_is_not_a_bearer_token_is_a_protocol_error() -> None:
    bodies = [
        b"not json",
        b'{"access_token": "t", "token_type": "mac"}',
        b'{"token_type": "Bearer"}',
        b"[]",
    ]
    for body in bodies:

        async def answer(call: TransportCall, body: bytes = body) -> HttpResponse:
            assert call.max_response_bytes == MAX_TOKEN_RESPONSE_BYTES
            return HttpResponse(200, (("Content-Type", "application/json"),), body)

        auth = OAuth2ClientCredentials(
            token_url="http://127.0.0.1:9/oauth/token", client_id="c", client_secret="s"
        )
        with pytest.raises(NdxpProtocolError):
            await auth.apply(_parts(), transport=MockTransport(answer))


async def test_leeway_never_exceeds_half_the_lifetime() -> None:
    clock = FakeClock()
    async with national_server(token_lifetime=40) as server:
        auth = oauth(server, clock, refresh_leeway_seconds=30)
        async with hmac_client(server.url, auth=auth) as client:
            await client.call(service=CITIZEN_SERVICE)
            clock.advance(19)
            await client.call(service=CITIZEN_SERVICE)
            assert len(server.token_requests) == 1, "not refreshed on every call"
            clock.advance(2)
            await client.call(service=CITIZEN_SERVICE)
            assert len(server.token_requests) == 2


def test_oauth2_settings_are_checked() -> None:
    for bad in ({"client_id": "a:b"}, {"client_secret": ""}, {"refresh_leeway_seconds": -1}):
        settings: dict[str, object] = {
            "token_url": "http://p/oauth/token",
            "client_id": "c",
            "client_secret": "s",
            **bad,
        }
        with pytest.raises(ValueError, match=r"client id|secret|leeway"):
            OAuth2ClientCredentials(**settings)  # type: ignore[arg-type]
    assert RetryPolicy.never().attempts == 1
    assert Timeouts(connect=1, read=2).read == 2


def _parts() -> RequestParts:
    return RequestParts("GET", "http://p/r1/a/b/c/d/e", "/r1/a/b/c/d/e", "m", b"")


async def test_a_bearer_challenge_without_xroad_error_also_refreshes_the_token() -> None:
    challenge = (("WWW-Authenticate", 'Bearer error="invalid_token"'),)
    async with (
        national_server() as server,
        hmac_client(server.url, auth=oauth(server, FakeClock())) as client,
    ):
        server.answer_next(Scripted(status=401, headers=challenge))
        assert (await client.call(service=CITIZEN_SERVICE)).status == 200
        assert len(server.token_requests) == 2
        # A plain 401 is the service's own answer: returned, the token kept.
        server.answer_next(Scripted(status=401, body=b"not yours"))
        answer = await client.call(service=CITIZEN_SERVICE)
    assert (answer.status, answer.body) == (401, b"not yours")
    assert len(server.token_requests) == 2
    assert len(server.seen) == 3
