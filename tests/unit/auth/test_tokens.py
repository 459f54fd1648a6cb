"""Issuing and verifying access tokens: RFC 9068 shape, and every reason to refuse one."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jws import JWSRegistry

from lgsp.auth.keys import KeyMaterial
from lgsp.auth.tokens import (
    MAX_LIFETIME_SECONDS,
    CredentialRefused,
    InvalidToken,
    ScopeRefused,
    TokenService,
    resolve_scopes,
)
from tests.unit.auth import forge
from tests.unit.auth.conftest import AUDIENCE, ISSUER, START, FakeClock, FakeRegistry, MakeService


def _credential(registry: FakeRegistry, client_id: str = "c_admin") -> Any:
    cred = registry.snapshot.credential(client_id)
    assert cred is not None
    return cred


def _decode_independently(token: str, keys: KeyMaterial) -> tuple[dict[str, Any], dict[str, Any]]:
    decoded = jwt.decode(token, keys.verification_key, registry=JWSRegistry(algorithms=["Ed25519"]))
    return dict(decoded.header), dict(decoded.claims)


def test_issued_token_is_an_rfc9068_access_token(
    service: TokenService, registry: FakeRegistry, keys: KeyMaterial
) -> None:
    issued = service.issue(credential=_credential(registry))
    header, claims = _decode_independently(issued.access_token, keys)
    assert header == {"typ": "at+jwt", "alg": "Ed25519", "kid": keys.kid}
    assert claims == {
        "iss": ISSUER,
        "sub": "c_admin",
        "aud": AUDIENCE,
        "exp": int(START) + 300,
        "iat": int(START),
        "jti": issued.token_id,
        "client_id": "c_admin",
        "scope": "admin exchange",
    }
    assert issued.expires_in == 300
    assert issued.token_type == "Bearer"
    assert issued.scope == "admin exchange"


def test_each_token_has_its_own_id(service: TokenService, registry: FakeRegistry) -> None:
    cred = _credential(registry)
    ids = {service.issue(credential=cred).token_id for _ in range(20)}
    assert len(ids) == 20


def test_verify_returns_the_caller_with_the_snapshot_system(
    service: TokenService, registry: FakeRegistry
) -> None:
    issued = service.issue(credential=_credential(registry), scope="exchange")
    caller = service.verify(issued.access_token)
    assert caller.client_id == "c_admin"
    assert caller.system_id == "000.00.00.H57:HUE-S"
    assert caller.scopes == frozenset({"exchange"})
    assert caller.token_id == issued.token_id


@pytest.mark.parametrize("lifetime", [0, 301, 3600])
def test_lifetime_is_bounded(make_service: MakeService, lifetime: int) -> None:
    with pytest.raises(ValueError, match="lifetime"):
        make_service(lifetime_seconds=lifetime)


def test_lifetime_follows_settings(
    make_service: MakeService, registry: FakeRegistry, keys: KeyMaterial
) -> None:
    issued = make_service(lifetime_seconds=60).issue(credential=_credential(registry))
    _header, claims = _decode_independently(issued.access_token, keys)
    assert claims["exp"] - claims["iat"] == 60 == issued.expires_in
    assert issued.expires_in <= MAX_LIFETIME_SECONDS


# -- time ------------------------------------------------------------------


def test_token_valid_until_expiry_plus_skew(
    service: TokenService, registry: FakeRegistry, clock: FakeClock
) -> None:
    token = service.issue(credential=_credential(registry)).access_token
    clock.advance(300 + 29)
    assert service.verify(token).client_id == "c_admin"
    clock.advance(1)
    with pytest.raises(InvalidToken, match="expired"):
        service.verify(token)


def test_token_from_the_future_is_refused(
    service: TokenService, registry: FakeRegistry, clock: FakeClock
) -> None:
    token = service.issue(credential=_credential(registry)).access_token
    clock.advance(-30)  # within skew: the issuer's clock may be a little ahead
    assert service.verify(token).client_id == "c_admin"
    clock.advance(-1)
    with pytest.raises(InvalidToken, match="future"):
        service.verify(token)


def test_not_before_in_the_future_is_refused(
    service: TokenService, keys: KeyMaterial, clock: FakeClock
) -> None:
    now = int(clock())
    claims = forge.claims_for(client_id="c_ex", issuer=ISSUER, audience=AUDIENCE, now=now)
    claims["nbf"] = now + 31
    with pytest.raises(InvalidToken, match="not yet valid"):
        service.verify(forge.sign(claims, key=keys.signing_key, kid=keys.kid))
    claims["nbf"] = now + 30
    assert service.verify(forge.sign(claims, key=keys.signing_key, kid=keys.kid)).client_id == (
        "c_ex"
    )


# -- refusals ----------------------------------------------------------------


def _good_claims(clock: FakeClock) -> dict[str, Any]:
    return forge.claims_for(client_id="c_ex", issuer=ISSUER, audience=AUDIENCE, now=int(clock()))


def test_hand_made_good_token_is_accepted(
    service: TokenService, keys: KeyMaterial, clock: FakeClock
) -> None:
    # The control for the refusals below: the forge makes acceptable tokens.
    token = forge.sign(_good_claims(clock), key=keys.signing_key, kid=keys.kid)
    assert service.verify(token).client_id == "c_ex"


def test_token_signed_by_another_key_is_refused(
    service: TokenService, keys: KeyMaterial, clock: FakeClock
) -> None:
    other = forge.other_keys()
    for kid in (other.kid, keys.kid):  # its own kid, or ours
        token = forge.sign(_good_claims(clock), key=other.signing_key, kid=kid)
        with pytest.raises(InvalidToken, match=r"signature|key"):
            service.verify(token)


@pytest.mark.parametrize(
    ("claim", "value", "reason"),
    [
        ("aud", "someone-else", "audience"),
        ("aud", ["someone-else"], "audience"),
        ("iss", "https://evil.example", "issuer"),
        ("sub", "c_admin", "subject"),
        ("exp", "tomorrow", "claim"),
        ("scope", 7, "scope"),
        ("client_id", "", "claim"),
    ],
)
def test_wrong_claims_are_refused(
    service: TokenService,
    keys: KeyMaterial,
    clock: FakeClock,
    claim: str,
    value: object,
    reason: str,
) -> None:
    claims = _good_claims(clock)
    claims[claim] = value
    with pytest.raises(InvalidToken, match=reason):
        service.verify(forge.sign(claims, key=keys.signing_key, kid=keys.kid))


@pytest.mark.parametrize("claim", ["iss", "aud", "exp", "iat", "jti", "sub", "client_id", "scope"])
def test_missing_claims_are_refused(
    service: TokenService, keys: KeyMaterial, clock: FakeClock, claim: str
) -> None:
    claims = _good_claims(clock)
    del claims[claim]
    with pytest.raises(InvalidToken, match="required claim"):
        service.verify(forge.sign(claims, key=keys.signing_key, kid=keys.kid))


def test_overlong_lifetime_is_refused(
    service: TokenService, keys: KeyMaterial, clock: FakeClock
) -> None:
    claims = _good_claims(clock)
    claims["exp"] = claims["iat"] + 3600
    with pytest.raises(InvalidToken, match="lifetime"):
        service.verify(forge.sign(claims, key=keys.signing_key, kid=keys.kid))


def test_audience_list_naming_us_is_accepted(
    service: TokenService, keys: KeyMaterial, clock: FakeClock
) -> None:
    claims = _good_claims(clock)
    claims["aud"] = ["other", AUDIENCE]
    assert service.verify(forge.sign(claims, key=keys.signing_key, kid=keys.kid)).client_id == (
        "c_ex"
    )


def test_alg_none_is_refused(service: TokenService, keys: KeyMaterial, clock: FakeClock) -> None:
    with pytest.raises(InvalidToken, match="algorithm"):
        service.verify(forge.unsigned(_good_claims(clock), kid=keys.kid))


@pytest.mark.parametrize("form", ["pem", "raw", "jwk"])
def test_hs256_keyed_with_the_public_key_is_refused(
    service: TokenService, keys: KeyMaterial, clock: FakeClock, form: str
) -> None:
    secret = forge.public_key_forms(keys)[form]
    token = forge.hs256(_good_claims(clock), secret=secret, kid=keys.kid)
    with pytest.raises(InvalidToken, match="algorithm"):
        service.verify(token)


def test_polymorphic_eddsa_name_is_refused(
    service: TokenService, keys: KeyMaterial, clock: FakeClock
) -> None:
    # Same key, same signature scheme, other "alg" value: the pin is on the name.
    token = forge.sign(_good_claims(clock), key=keys.signing_key, kid=keys.kid, alg="EdDSA")
    with pytest.raises(InvalidToken, match="algorithm"):
        service.verify(token)


@pytest.mark.parametrize("typ", ["JWT", "jwt", "at+JWS", None])
def test_wrong_type_is_refused(
    service: TokenService, keys: KeyMaterial, clock: FakeClock, typ: str | None
) -> None:
    token = forge.sign(_good_claims(clock), key=keys.signing_key, kid=keys.kid, typ=typ)
    with pytest.raises(InvalidToken, match="type"):
        service.verify(token)


@pytest.mark.parametrize("typ", ["at+jwt", "AT+JWT", "application/at+jwt"])
def test_rfc9068_type_spellings_are_accepted(
    service: TokenService, keys: KeyMaterial, clock: FakeClock, typ: str
) -> None:
    token = forge.sign(_good_claims(clock), key=keys.signing_key, kid=keys.kid, typ=typ)
    assert service.verify(token).client_id == "c_ex"


def test_unknown_kid_is_refused(service: TokenService, keys: KeyMaterial, clock: FakeClock) -> None:
    token = forge.sign(_good_claims(clock), key=keys.signing_key, kid="another-kid")
    with pytest.raises(InvalidToken, match="key"):
        service.verify(token)


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["scope"] = "admin exchange auditor"
    return ".".join([header, forge.segment(claims), signature])


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "garbage",
        "a.b.c",
        "..",
        "a.b",
        "€.€.€",
        "eyJhbGciOiJFZDI1NTE5In0.bm90IGpzb24.AAAA",
        "eyJ0eXAiOiJhdCtqd3QifQ.e30.",
        "W10.e30.AAAA",  # header is a JSON array
        "x" * 5000,
    ],
)
def test_garbage_is_refused(service: TokenService, garbage: str) -> None:
    with pytest.raises(InvalidToken):
        service.verify(garbage)


def test_tampered_payload_is_refused(service: TokenService, registry: FakeRegistry) -> None:
    token = service.issue(credential=_credential(registry, "c_ex")).access_token
    with pytest.raises(InvalidToken, match="signature"):
        service.verify(_tampered(token))


def test_other_issuer_or_audience_service_refuses_our_tokens(
    make_service: MakeService, registry: FakeRegistry
) -> None:
    token = make_service().issue(credential=_credential(registry)).access_token
    with pytest.raises(InvalidToken, match="issuer"):
        make_service(issuer="https://other.example").verify(token)
    with pytest.raises(InvalidToken, match="audience"):
        make_service(audience="other").verify(token)


# -- the registry snapshot -------------------------------------------------------


def test_token_of_a_client_revoked_later_is_refused(
    service: TokenService, registry: FakeRegistry
) -> None:
    token = service.issue(credential=_credential(registry, "c_ex")).access_token
    assert service.verify(token).client_id == "c_ex"
    registry.revoke("c_ex")
    with pytest.raises(InvalidToken, match="revoked"):
        service.verify(token)


def test_token_of_a_deleted_client_is_refused(
    service: TokenService, registry: FakeRegistry
) -> None:
    token = service.issue(credential=_credential(registry, "c_ex")).access_token
    del registry.credentials["c_ex"]
    with pytest.raises(InvalidToken, match="unknown"):
        service.verify(token)


def test_scope_withdrawn_from_the_credential_leaves_the_token(
    service: TokenService, registry: FakeRegistry
) -> None:
    token = service.issue(credential=_credential(registry)).access_token
    cred = _credential(registry)
    registry.add(type(cred)(**{**_asdict(cred), "scopes": frozenset({"exchange"})}))
    assert service.verify(token).scopes == frozenset({"exchange"})


def _asdict(cred: Any) -> dict[str, Any]:
    return {name: getattr(cred, name) for name in cred.__slots__}


def test_revoked_credential_gets_no_token(service: TokenService, registry: FakeRegistry) -> None:
    registry.revoke("c_ex")
    with pytest.raises(CredentialRefused):
        service.issue(credential=_credential(registry, "c_ex"))


# -- scopes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("granted", "requested", "expected"),
    [
        ({"exchange", "admin"}, None, {"exchange", "admin"}),
        ({"exchange", "admin"}, "", {"exchange", "admin"}),
        ({"exchange", "admin"}, "admin", {"admin"}),
        ({"exchange", "admin"}, "admin  exchange", {"exchange", "admin"}),
        ({"exchange", "legacy"}, None, {"exchange"}),  # unknown granted scopes are dropped
    ],
)
def test_resolve_scopes(granted: set[str], requested: str | None, expected: set[str]) -> None:
    assert resolve_scopes(granted=frozenset(granted), requested=requested) == expected


@pytest.mark.parametrize(
    ("granted", "requested"),
    [
        ({"exchange"}, "admin"),
        ({"exchange"}, "exchange admin"),
        ({"exchange", "legacy"}, "legacy"),
        ({"legacy"}, None),
        (set(), None),
    ],
)
def test_resolve_scopes_refuses(granted: set[str], requested: str | None) -> None:
    with pytest.raises(ScopeRefused):
        resolve_scopes(granted=frozenset(granted), requested=requested)


# -- the cache of verified tokens ---------------------------------------------


def test_a_verified_token_is_not_checked_cryptographically_again(
    service: TokenService,
    registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lgsp.auth import tokens as tokens_module

    token = service.issue(credential=_credential(registry)).access_token
    decodes = []
    real_decode = tokens_module.jwt.decode

    def counting_decode(*args: object, **kwargs: object) -> object:
        decodes.append(1)
        return real_decode(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tokens_module.jwt, "decode", counting_decode)
    for _ in range(5):
        assert service.verify(token).client_id == "c_admin"
    assert len(decodes) == 1


def test_a_cached_token_still_expires_and_is_still_revocable(
    service: TokenService, registry: FakeRegistry, clock: FakeClock
) -> None:
    token = service.issue(credential=_credential(registry)).access_token
    service.verify(token)
    registry.revoke("c_admin")
    with pytest.raises(InvalidToken, match="revoked"):
        service.verify(token)

    other = service.issue(credential=registry.credentials["c_ex"]).access_token
    service.verify(other)
    clock.advance(300 + 30)
    with pytest.raises(InvalidToken, match="expired"):
        service.verify(other)


def test_a_refused_token_is_never_cached(
    service: TokenService, keys: KeyMaterial, clock: FakeClock
) -> None:
    forged = "eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.eyJzdWIiOiJjX2FkbWluIn0."
    for _ in range(2):
        with pytest.raises(InvalidToken):
            service.verify(forged)
