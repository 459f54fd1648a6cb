"""Authentication at the simulator: the token endpoint, each scheme's refusals, the control API."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr

from ndxp_client import protocol
from tests.unit.ndxp_simulator import payloads
from tests.unit.ndxp_simulator.support import (
    CLIENT,
    LOOKUP,
    OTHER,
    SCHEMES,
    RunningSimulator,
    make_config,
    running_simulator,
)


@pytest.fixture(scope="module")
def module_sim() -> Iterator[RunningSimulator]:
    with running_simulator() as sim:
        yield sim


@pytest.fixture
def sim(module_sim: RunningSimulator) -> Iterator[RunningSimulator]:
    """The module's simulator, emptied, its clock back at real time afterwards."""
    assert module_sim.control("POST", "/reset").status_code == 204
    yield module_sim
    module_sim.clock.offset = 0


def _lookup(sim: RunningSimulator) -> bytes:
    return json.dumps(payloads.lookup(sim.citizens()[0])).encode()


def _token(sim: RunningSimulator, **kwargs: object) -> httpx.Response:
    return sim.http.post("/oauth/token", **kwargs)  # type: ignore[arg-type]


def test_the_token_endpoint_takes_basic_or_form_credentials(sim: RunningSimulator) -> None:
    secret = CLIENT.secret.get_secret_value()
    form = {"grant_type": "client_credentials"}
    by_basic = _token(sim, data=form, auth=(CLIENT.client_id, secret))
    by_form = _token(sim, data={**form, "client_id": CLIENT.client_id, "client_secret": secret})
    for answer in (by_basic, by_form):
        assert answer.status_code == 200
        assert answer.json()["token_type"] == "Bearer"
        assert answer.json()["expires_in"] == 300
        assert answer.headers["cache-control"] == "no-store"
    assert by_basic.json()["access_token"] != by_form.json()["access_token"]


@pytest.mark.parametrize(
    ("kwargs", "status", "error"),
    [
        (
            {"data": {"grant_type": "client_credentials"}, "auth": ("lgsp-h57", "wrong")},
            401,
            "invalid_client",
        ),
        (
            {"data": {"grant_type": "client_credentials"}, "auth": ("nobody", "x" * 20)},
            401,
            "invalid_client",
        ),
        (
            {"data": {"grant_type": "password"}, "auth": ("lgsp-h57", "x")},
            400,
            "unsupported_grant_type",
        ),
        ({"json": {"grant_type": "client_credentials"}}, 400, "invalid_request"),
        (
            {
                "content": b"grant_type=a&grant_type=b",
                "headers": {"content-type": "application/x-www-form-urlencoded"},
            },
            400,
            "invalid_request",
        ),
    ],
)
def test_the_token_endpoint_refuses(
    sim: RunningSimulator, kwargs: dict[str, object], status: int, error: str
) -> None:
    answer = _token(sim, **kwargs)
    assert (answer.status_code, answer.json()["error"]) == (status, error)
    if status == 401:
        assert answer.headers["www-authenticate"].startswith("Basic")


def test_basic_credentials_work_form_urlencoded_or_as_typed() -> None:
    odd = CLIENT.model_copy(update={"secret": SecretStr("a+b%2Fc:d-secret-with-odd-bytes")})
    with running_simulator(make_config(clients=(odd,))) as sim:
        form = {"grant_type": "client_credentials"}
        as_typed = ("lgsp-h57", "a+b%2Fc:d-secret-with-odd-bytes")
        encoded = ("lgsp-h57", "a%2Bb%252Fc%3Ad-secret-with-odd-bytes")
        assert _token(sim, data=form, auth=as_typed).status_code == 200
        assert _token(sim, data=form, auth=encoded).status_code == 200
        assert _token(sim, data=form, auth=("lgsp-h57", "a b%2Fc:d")).status_code == 401


def test_an_expired_token_is_refused(sim: RunningSimulator) -> None:
    caller = sim.caller()
    assert caller.call(LOOKUP, _lookup(sim)).status_code == 200
    sim.clock.offset = 301
    answer = caller.call(LOOKUP, _lookup(sim))
    assert answer.status_code == 401
    assert answer.headers[protocol.ERROR] == protocol.ERROR_AUTHENTICATION_FAILED
    assert 'error="invalid_token"' in answer.headers["www-authenticate"]


def test_jwt_tokens_work_and_a_forged_one_is_refused() -> None:
    with running_simulator(make_config(token_format="jwt")) as sim:
        caller = sim.caller()
        token = caller.token()
        header, claims, _ = token.split(".")
        assert json.loads(base64.urlsafe_b64decode(header + "==")) == {
            "typ": "at+jwt",
            "alg": "HS256",
        }
        assert caller.call(LOOKUP, _lookup(sim)).status_code == 200
        payload = json.loads(base64.urlsafe_b64decode(claims + "=="))
        payload["sub"] = "qlvb-h49"
        forged_claims = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
        caller._token = ".".join((header, forged_claims, token.split(".")[2]))
        assert caller.call(LOOKUP, _lookup(sim)).status_code == 401


@pytest.mark.parametrize("scheme", ["hmac", "api-key"])
def test_a_wrong_secret_is_refused(sim: RunningSimulator, scheme: str) -> None:
    answer = sim.caller().call(LOOKUP, _lookup(sim), scheme=scheme, secret="not-the-secret-at-all")
    assert answer.status_code == 401
    expected = (
        protocol.ERROR_INVALID_SIGNATURE
        if scheme == "hmac"
        else protocol.ERROR_AUTHENTICATION_FAILED
    )
    assert answer.headers[protocol.ERROR] == expected
    assert answer.json()["type"] == expected
    assert sim.effects() == []
    [record] = sim.records()
    assert (record["client"], record["status"], record["error"]) == (None, 401, expected)


@pytest.mark.parametrize("scheme", ["hmac", "api-key"])
@pytest.mark.parametrize("skew", [-320, 320])
def test_a_timestamp_beyond_the_skew_is_refused(
    sim: RunningSimulator, scheme: str, skew: int
) -> None:
    caller = sim.caller()
    fresh = caller.call(LOOKUP, _lookup(sim), scheme=scheme, timestamp=int(time.time()) + skew // 2)
    assert fresh.status_code == 200
    stale = caller.call(LOOKUP, _lookup(sim), scheme=scheme, timestamp=int(time.time()) + skew)
    assert stale.status_code == 401
    assert "seconds from the platform's clock" in stale.json()["message"]


def test_a_signature_binds_the_body_and_the_message_id(sim: RunningSimulator) -> None:
    caller = sim.caller()
    body = _lookup(sim)
    target = protocol.service_path(LOOKUP)
    headers = caller.auth_headers("hmac", target=target, message_id="m-1", body=body)
    base = {"Content-Type": "application/json", protocol.CLIENT: CLIENT.xroad_client}
    other_body = sim.http.post(
        target, content=body + b" ", headers={**base, **headers, protocol.MESSAGE_ID: "m-1"}
    )
    other_id = sim.http.post(
        target, content=body, headers={**base, **headers, protocol.MESSAGE_ID: "m-2"}
    )
    signed = sim.http.post(
        target, content=body, headers={**base, **headers, protocol.MESSAGE_ID: "m-1"}
    )
    assert (other_body.status_code, other_id.status_code, signed.status_code) == (401, 401, 200)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_x_road_client_must_be_the_credentials_own(sim: RunningSimulator, scheme: str) -> None:
    caller = sim.caller()
    wrong = caller.call(
        LOOKUP, _lookup(sim), scheme=scheme, extra={protocol.CLIENT: OTHER.xroad_client}
    )
    assert (wrong.status_code, wrong.headers[protocol.ERROR]) == (
        401,
        protocol.ERROR_AUTHENTICATION_FAILED,
    )
    missing = caller.call(LOOKUP, _lookup(sim), scheme=scheme, extra={protocol.CLIENT: ""})
    assert (missing.status_code, missing.headers[protocol.ERROR]) == (400, "Client.BadRequest")


def test_a_client_may_use_only_its_configured_schemes(sim: RunningSimulator) -> None:
    other = sim.caller(OTHER)
    assert other.call(LOOKUP, _lookup(sim), scheme="oauth2").status_code == 200
    assert other.call(LOOKUP, _lookup(sim), scheme="hmac").status_code == 401
    assert other.call(LOOKUP, _lookup(sim), scheme="api-key").status_code == 401


def test_no_credential_at_all_is_refused(sim: RunningSimulator) -> None:
    answer = sim.http.post(
        protocol.service_path(LOOKUP),
        content=_lookup(sim),
        headers={"Content-Type": "application/json", protocol.CLIENT: CLIENT.xroad_client},
    )
    assert (answer.status_code, answer.headers[protocol.ERROR]) == (
        401,
        protocol.ERROR_AUTHENTICATION_FAILED,
    )


def test_the_control_api_needs_the_control_token_when_configured() -> None:
    config = make_config(control_token=SecretStr("control-token-for-tests"))
    with running_simulator(config) as sim:
        assert sim.http.get("/_sim/records").status_code == 401
        wrong = {"Authorization": "Bearer not-it"}
        assert sim.http.put("/_sim/faults", json={"outage": True}, headers=wrong).status_code == 401
        assert sim.control("GET", "/records").status_code == 200
        assert sim.control("GET", "/faults").json()["outage"] is False


def test_without_a_control_token_the_control_api_answers_loopback_callers(
    sim: RunningSimulator,
) -> None:
    assert sim.http.get("/_sim/faults").status_code == 200
