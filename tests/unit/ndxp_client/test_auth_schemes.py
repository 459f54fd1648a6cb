"""HMAC-signed headers and the timestamped-hash credential, verified by a real server."""

from __future__ import annotations

import base64
import hashlib

import pytest

from ndxp_client import (
    HmacSignedHeaders,
    NdxpAuthError,
    TimestampedHashCredential,
    protocol,
)
from ndxp_client.auth import AuthScheme
from ndxp_client.messages import RequestParts
from ndxp_client.oauth2 import OAuth2ClientCredentials
from ndxp_client.transport import MockTransport
from tests.unit.ndxp_client.helpers import FakeClock, hmac_client
from tests.unit.ndxp_client.national import (
    API_KEY,
    API_SECRET,
    API_USER,
    CITIZEN_SERVICE,
    HMAC_SECRET,
    HMAC_SYSTEM,
    national_server,
)

pytestmark = pytest.mark.anyio


async def test_hmac_headers_verify_on_the_server() -> None:
    async with national_server(scheme="hmac") as server, hmac_client(server.url) as client:
        answer = await client.call(
            service=CITIZEN_SERVICE, path="/x", query="a=%20b", body=b"{}", message_id="m-7"
        )
    assert answer.status == 200
    seen = server.seen[-1]
    parts = protocol.SignedParts(
        method="POST",
        path_and_query=f"/r1/{CITIZEN_SERVICE}/x?a=%20b",
        timestamp=int(seen.header(protocol.HMAC_TIMESTAMP) or 0),
        message_id="m-7",
        body=b"{}",
    )
    signature = seen.header(protocol.HMAC_SIGNATURE) or ""
    assert protocol.hmac_signature_valid(HMAC_SECRET, parts, signature)
    assert seen.header(protocol.HMAC_SYSTEM) == HMAC_SYSTEM


async def test_hmac_signature_covers_the_message_id_body_and_time() -> None:
    clock = FakeClock(1_700_000_000)
    scheme = HmacSignedHeaders(system=HMAC_SYSTEM, secret=HMAC_SECRET, clock=clock)
    parts = RequestParts("POST", "http://n/r1/a/b/c/d/e", "/r1/a/b/c/d/e", "m-1", b"{}")
    transport = MockTransport(_never)
    headers = dict(await scheme.apply(parts, transport=transport))
    assert headers[protocol.HMAC_TIMESTAMP] == "1700000000"
    signed = protocol.SignedParts("POST", "/r1/a/b/c/d/e", 1_700_000_000, "m-1", b"{}")
    assert protocol.hmac_signature_valid(HMAC_SECRET, signed, headers[protocol.HMAC_SIGNATURE])
    for changed in (
        protocol.SignedParts("POST", "/r1/a/b/c/d/e", 1_700_000_000, "m-2", b"{}"),
        protocol.SignedParts("POST", "/r1/a/b/c/d/e", 1_700_000_000, "m-1", b"{ }"),
        protocol.SignedParts("POST", "/r1/a/b/c/d/e", 1_700_000_001, "m-1", b"{}"),
    ):
        assert not protocol.hmac_signature_valid(
            HMAC_SECRET, changed, headers[protocol.HMAC_SIGNATURE]
        )
    assert "hmac-secret" not in repr(scheme)


async def test_timestamped_hash_verifies_on_the_server() -> None:
    scheme = TimestampedHashCredential(api_key=API_KEY, user=API_USER, secret=API_SECRET)
    async with (
        national_server(scheme="api-key") as server,
        hmac_client(server.url, auth=scheme) as client,
    ):
        assert (await client.call(service=CITIZEN_SERVICE, query="q=1")).status == 200
        wrong = TimestampedHashCredential(api_key=API_KEY, user=API_USER, secret="nope")
        async with hmac_client(server.url, auth=wrong) as refused:
            with pytest.raises(NdxpAuthError):
                await refused.call(service=CITIZEN_SERVICE)
    seen = server.seen[0]
    assert seen.header(protocol.API_KEY) == API_KEY
    assert protocol.timestamped_authorization_user(seen.header("Authorization") or "") == API_USER


def test_timestamped_hash_is_sha256_of_endpoint_user_time_secret() -> None:
    endpoint, user, timestamp, secret = "/soap/CSDLQGDC", "lgsp", 1_700_000_000, "s3"
    digest = hashlib.sha256(b"/soap/CSDLQGDClgsp1700000000s3").hexdigest()
    assert (
        protocol.timestamped_hash(endpoint=endpoint, user=user, timestamp=timestamp, secret=secret)
        == digest
    )
    value = protocol.timestamped_authorization(
        endpoint=endpoint, user=user, timestamp=timestamp, secret=secret
    )
    assert value == "Basic " + base64.b64encode(f"lgsp:{digest}".encode()).decode()
    assert protocol.timestamped_authorization_valid(
        value, endpoint=endpoint, user=user, timestamp=timestamp, secret=secret
    )
    assert not protocol.timestamped_authorization_valid(
        value, endpoint="/other", user=user, timestamp=timestamp, secret=secret
    )
    for malformed in ("Bearer x", "Basic", "Basic !!!", "Basic " + base64.b64encode(b"x").decode()):
        assert protocol.timestamped_authorization_user(malformed) is None


def test_protocol_helpers() -> None:
    assert protocol.request_target("http://h:1/api/r1/a?b=%20c") == "/api/r1/a?b=%20c"
    assert protocol.request_target("http://h") == "/"
    assert protocol.request_path("/a/b?c=d") == "/a/b"
    assert protocol.client_id_parts("VN/GOV/000.00.00.H57/LGSP") == (
        "VN",
        "GOV",
        "000.00.00.H57",
        "LGSP",
    )
    for bad in ("VN/GOV/000.00.00.H57", "VN//000.00.00.H57/LGSP", "a/b/c/d/e"):
        with pytest.raises(ValueError, match="four parts"):
            protocol.client_id_parts(bad)


def test_schemes_satisfy_the_protocol_and_name_their_headers() -> None:
    schemes: list[AuthScheme] = [
        HmacSignedHeaders(system="s", secret=b"k"),
        TimestampedHashCredential(api_key="k", user="u", secret="s"),
        OAuth2ClientCredentials(token_url="http://t/token", client_id="c", client_secret="s"),
    ]
    assert all(isinstance(scheme, AuthScheme) for scheme in schemes)
    assert schemes[0].header_names == {"x-ndxp-system", "x-ndxp-timestamp", "x-ndxp-signature"}
    assert schemes[1].header_names == {"x-api-key", "timestamp", "authorization"}
    assert schemes[2].header_names == {"authorization"}
    with pytest.raises(ValueError, match="non-empty secret"):
        HmacSignedHeaders(system="s", secret=b"")
    with pytest.raises(ValueError, match="':'"):
        TimestampedHashCredential(api_key="k", user="a:b", secret="s")


async def _never(_: object) -> object:
    raise AssertionError("HMAC signing makes no call")
