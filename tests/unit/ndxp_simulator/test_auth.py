"""The authenticator, scheme by scheme, with a clock the test moves."""

from __future__ import annotations

import time

import pytest
from starlette.datastructures import Headers

from ndxp_client import protocol
from ndxp_client.simulator.auth import Authenticator, Credentials
from ndxp_client.simulator.errors import AuthenticationFailed, BadRequest, InvalidSignature
from ndxp_client.simulator.tokens import TokenIssuer
from tests.unit.ndxp_simulator.support import CLIENT, OTHER, OffsetClock, make_config

TARGET = "/r1/VN/GOV/000.00.00.G06/CSDLQGDC/tra-cuu-cong-dan?x=1"
BODY = '{"HoVaTen": "Lê Thị Hoài Thu"}'.encode()


def _auth(clock: OffsetClock) -> tuple[Authenticator, TokenIssuer]:
    tokens = TokenIssuer(
        token_format="opaque", lifetime_seconds=60, issuer="s", clock=clock, limit=9
    )
    return Authenticator(config=make_config(), tokens=tokens, clock=clock), tokens


def _hmac(
    ts: int, *, secret: str = CLIENT.secret.get_secret_value(), body: bytes = BODY
) -> dict[str, str]:
    parts = protocol.SignedParts("POST", TARGET, ts, "m-1", body)
    return {
        protocol.HMAC_SYSTEM: CLIENT.client_id,
        protocol.HMAC_TIMESTAMP: str(ts),
        protocol.HMAC_SIGNATURE: protocol.hmac_signature(secret.encode(), parts),
        protocol.MESSAGE_ID: "m-1",
    }


def _api_key(
    ts: int, *, endpoint: str = "/r1/VN/GOV/000.00.00.G06/CSDLQGDC/tra-cuu-cong-dan"
) -> dict[str, str]:
    assert CLIENT.api_key is not None
    return {
        protocol.API_KEY: CLIENT.api_key.get_secret_value(),
        protocol.API_TIMESTAMP: str(ts),
        protocol.AUTHORIZATION: protocol.timestamped_authorization(
            endpoint=endpoint,
            user=CLIENT.client_id,
            timestamp=ts,
            secret=CLIENT.secret.get_secret_value(),
        ),
    }


def _credentials(headers: dict[str, str], body: bytes = BODY) -> Credentials:
    return Credentials(
        method="POST",
        path_and_query=TARGET,
        headers=Headers({protocol.CLIENT: CLIENT.xroad_client, **headers}),
        body=body,
    )


def test_each_scheme_finds_the_client() -> None:
    clock = OffsetClock()
    auth, tokens = _auth(clock)
    now = int(time.time())
    bearer = {"Authorization": f"Bearer {tokens.issue(client_id=CLIENT.client_id)}"}
    for headers in (_hmac(now), _api_key(now), bearer):
        assert auth.authenticate(_credentials(headers)) == CLIENT


def test_the_clock_window_is_the_configured_skew() -> None:
    clock = OffsetClock()
    auth, _ = _auth(clock)
    now = int(time.time())
    clock.offset = 299
    assert auth.authenticate(_credentials(_hmac(now))) == CLIENT
    clock.offset = 310
    with pytest.raises(AuthenticationFailed, match="seconds from"):
        auth.authenticate(_credentials(_hmac(now)))
    with pytest.raises(AuthenticationFailed, match="unix seconds"):
        auth.authenticate(_credentials({**_hmac(now), protocol.HMAC_TIMESTAMP: "2025-01-01"}))


@pytest.mark.parametrize(
    "headers",
    [
        lambda now: _hmac(now, secret="the-wrong-secret-entirely"),
        lambda now: {**_hmac(now), protocol.MESSAGE_ID: "m-2"},
        lambda now: _hmac(now, body=BODY + b" "),
    ],
)
def test_an_hmac_signature_over_anything_else_is_refused(headers: object) -> None:
    auth, _ = _auth(OffsetClock())
    with pytest.raises(InvalidSignature):
        auth.authenticate(_credentials(headers(int(time.time()))))  # type: ignore[operator]


def test_the_api_key_hash_covers_the_endpoint_and_names_the_user() -> None:
    auth, _ = _auth(OffsetClock())
    now = int(time.time())
    with pytest.raises(AuthenticationFailed, match="does not match"):
        auth.authenticate(_credentials(_api_key(now, endpoint="/elsewhere")))
    other_user = _api_key(now)
    other_user[protocol.AUTHORIZATION] = protocol.timestamped_authorization(
        endpoint="/x", user="someone", timestamp=now, secret="s"
    )
    with pytest.raises(AuthenticationFailed, match="user"):
        auth.authenticate(_credentials(other_user))
    with pytest.raises(AuthenticationFailed):
        auth.authenticate(_credentials({**_api_key(now), protocol.API_KEY: "unknown-key"}))


def test_x_road_client_is_required_and_must_match() -> None:
    auth, _ = _auth(OffsetClock())
    now = int(time.time())
    with pytest.raises(BadRequest):
        auth.authenticate(_credentials({**_hmac(now), protocol.CLIENT: ""}))
    with pytest.raises(AuthenticationFailed, match="X-Road-Client"):
        auth.authenticate(_credentials({**_hmac(now), protocol.CLIENT: OTHER.xroad_client}))


def test_token_client_checks_secret_and_scheme() -> None:
    auth, _ = _auth(OffsetClock())
    secret = CLIENT.secret.get_secret_value()
    assert auth.token_client(client_id=CLIENT.client_id, secret=secret) == CLIENT
    assert auth.token_client(client_id=CLIENT.client_id, secret=secret + "x") is None
    assert auth.token_client(client_id="nobody", secret=secret) is None


def test_the_hmac_system_and_api_user_may_differ_from_the_client_id() -> None:
    apart = CLIENT.model_copy(update={"hmac_system": "000.00.00.H57:LGSP", "api_user": "motcua"})
    clock = OffsetClock()
    tokens = TokenIssuer(
        token_format="opaque", lifetime_seconds=9, issuer="s", clock=clock, limit=9
    )
    auth = Authenticator(config=make_config(clients=(apart,)), tokens=tokens, clock=clock)
    now = int(time.time())
    signed = {**_hmac(now), protocol.HMAC_SYSTEM: "000.00.00.H57:LGSP"}
    assert auth.authenticate(_credentials(signed)) == apart
    with pytest.raises(AuthenticationFailed):
        auth.authenticate(_credentials(_hmac(now)))
    endpoint = "/r1/VN/GOV/000.00.00.G06/CSDLQGDC/tra-cuu-cong-dan"
    keyed = _api_key(now)
    keyed[protocol.AUTHORIZATION] = protocol.timestamped_authorization(
        endpoint=endpoint, user="motcua", timestamp=now, secret=CLIENT.secret.get_secret_value()
    )
    assert auth.authenticate(_credentials(keyed)) == apart
