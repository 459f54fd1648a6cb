"""Access tokens, opaque and JWT: issued, recognised, expired, forged."""

from __future__ import annotations

import base64
import json
from typing import Literal

import pytest

from ndxp_client.simulator.tokens import TokenIssuer
from tests.unit.ndxp_simulator.support import OffsetClock


def _issuer(kind: Literal["opaque", "jwt"], clock: OffsetClock, limit: int = 100) -> TokenIssuer:
    return TokenIssuer(
        token_format=kind, lifetime_seconds=60, issuer="sim", clock=clock, limit=limit
    )


@pytest.mark.parametrize("kind", ["opaque", "jwt"])
def test_a_token_names_its_client_until_it_expires(kind: Literal["opaque", "jwt"]) -> None:
    clock = OffsetClock()
    issuer = _issuer(kind, clock)
    token = issuer.issue(client_id="c1")
    assert issuer.client_of(token) == "c1"
    assert issuer.client_of(token + "x") is None
    assert issuer.client_of("") is None
    assert issuer.client_of("a" * 5000) is None
    clock.offset = 61
    assert issuer.client_of(token) is None


def test_another_issuers_jwt_or_an_unsigned_one_is_refused() -> None:
    clock = OffsetClock()
    mine, theirs = _issuer("jwt", clock), _issuer("jwt", clock)
    assert mine.client_of(theirs.issue(client_id="c1")) is None
    _, claims, _ = mine.issue(client_id="c1").split(".")
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none"}).encode()).rstrip(b"=").decode()
    assert mine.client_of(f"{header}.{claims}.") is None


def test_opaque_tokens_are_bounded_oldest_first() -> None:
    issuer = _issuer("opaque", OffsetClock(), limit=2)
    first = issuer.issue(client_id="a")
    second, third = issuer.issue(client_id="b"), issuer.issue(client_id="c")
    assert [issuer.client_of(t) for t in (first, second, third)] == [None, "b", "c"]
