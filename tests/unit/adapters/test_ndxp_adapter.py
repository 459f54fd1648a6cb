"""The NDXP adapter against a real loopback platform: what it sends, returns and raises."""

from __future__ import annotations

import pytest

from adapters.base import Adapter, OutboundRequest, Timeouts
from adapters.errors import (
    AdapterClosed,
    UpstreamProtocolError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from adapters.ndxp import NdxpAdapterFactory
from ndxp_client import protocol
from tests.unit.ndxp_client.national import (
    CITIZEN_SERVICE,
    CLIENT,
    HMAC_SECRET,
    HMAC_SYSTEM,
    OAUTH_ID,
    OAUTH_SECRET,
    Scripted,
    closed_port,
    national_server,
)

pytestmark = pytest.mark.anyio

EXCHANGE_ID = "0190a6c4-0000-7000-8000-0000000000aa"
SECRET_QUERY = "so_dinh_danh=001099012345"
ENVIRON = {"HMAC_SECRET": HMAC_SECRET.decode(), "OAUTH_SECRET": OAUTH_SECRET}


def adapter_for(factory: NdxpAdapterFactory, base_url: str, **auth: object) -> Adapter:
    """An adapter to the citizen look-up at `base_url`, HMAC-signed unless `auth` is given."""
    scheme = auth or {"scheme": "hmac", "system": HMAC_SYSTEM, "secret_env": "HMAC_SECRET"}
    options = {"base_url": base_url, "client": CLIENT, "service": CITIZEN_SERVICE, "auth": scheme}
    return factory.create(factory.validate_options(options))


def outbound(
    method: str = "POST",
    *,
    headers: tuple[tuple[str, str], ...] = (),
    read: float = 2.0,
    query: str = "",
) -> OutboundRequest:
    """A call as the exchange hands it over."""
    return OutboundRequest(
        method=method,
        path="/chi-tiet",
        query=query,
        headers=headers,
        body=b'{"SoDinhDanh": "001099012345"}',
        exchange_id=EXCHANGE_ID,
        timeouts=Timeouts(connect=1.0, read=read),
    )


async def test_forwards_with_the_exchange_id_as_message_id() -> None:
    factory = NdxpAdapterFactory(environ=ENVIRON)
    caller = (
        ("Content-Type", "application/json"),
        ("X-Road-UserId", "can-bo-17"),
        ("X-Road-Id", "forged"),
        ("Idempotency-Key", "callers-own"),
        ("X-Road-Client", "VN/GOV/000.00.00.H99/OTHER"),
    )
    try:
        async with national_server(scheme="hmac") as server:
            adapter = adapter_for(factory, server.url)
            answer = await adapter.send(outbound(headers=caller, query="a=1"))
    finally:
        await factory.aclose()
    assert answer.status == 200
    assert answer.body == b'{"ok": true}'
    seen = server.seen[0]
    assert seen.target == f"/r1/{CITIZEN_SERVICE}/chi-tiet?a=1"
    assert seen.values(protocol.MESSAGE_ID) == [EXCHANGE_ID]
    assert seen.values(protocol.IDEMPOTENCY_KEY) == [EXCHANGE_ID]
    assert seen.values(protocol.CLIENT) == [CLIENT]
    assert seen.values(protocol.USER_ID) == ["can-bo-17"]
    assert seen.values("Content-Type") == ["application/json"]
    assert (dict(answer.headers)[protocol.MESSAGE_ID]) == EXCHANGE_ID


async def test_a_post_gets_one_attempt_and_the_answer_as_it_came() -> None:
    factory = NdxpAdapterFactory(environ=ENVIRON)
    try:
        async with national_server(scheme="hmac") as server:
            adapter = adapter_for(factory, server.url)
            server.answer_next(Scripted(status=503, body=b"busy"))
            busy = await adapter.send(outbound("POST"))
            server.answer_next(Scripted(status=503, body=b"busy"))
            also_once = await adapter.send(outbound("GET"))
    finally:
        await factory.aclose()
    assert (busy.status, busy.body, also_once.status) == (503, b"busy", 503)
    assert len(server.seen) == 2, "the adapter never retries: the exchange decides"


async def test_an_xroad_error_is_returned_as_the_answer() -> None:
    factory = NdxpAdapterFactory(environ=ENVIRON)
    try:
        async with national_server(scheme="hmac") as server:
            server.answer_next(Scripted(status=409, error=protocol.ERROR_DUPLICATE_MESSAGE_ID))
            answer = await adapter_for(factory, server.url).send(outbound())
    finally:
        await factory.aclose()
    assert answer.status == 409
    assert dict(answer.headers)[protocol.ERROR] == protocol.ERROR_DUPLICATE_MESSAGE_ID


async def test_failures_map_to_upstream_errors() -> None:
    factory = NdxpAdapterFactory(environ=ENVIRON)
    try:
        with closed_port() as port:
            adapter = adapter_for(factory, f"http://127.0.0.1:{port}")
            with pytest.raises(UpstreamUnavailable) as refused:
                await adapter.send(outbound(query=SECRET_QUERY))
        assert refused.value.may_have_reached_provider is False
        assert refused.value.__cause__ is not None
        assert SECRET_QUERY not in str(refused.value)

        async with national_server(scheme="hmac") as server:
            adapter = adapter_for(factory, server.url)
            server.answer_next(Scripted(delay=1.0))
            with pytest.raises(UpstreamTimeout) as late:
                await adapter.send(outbound(read=0.2, query=SECRET_QUERY))
            assert late.value.may_have_reached_provider is True
            server.answer_next(Scripted(hash="wrong"))
            with pytest.raises(UpstreamProtocolError):
                await adapter.send(outbound())
            server.scheme = "api-key"  # our HMAC headers are now refused: 401
            with pytest.raises(UpstreamUnavailable, match="credential"):
                await adapter.send(outbound())
    finally:
        await factory.aclose()
    with pytest.raises(AdapterClosed):
        await adapter.send(outbound())


async def test_oauth2_tokens_are_fetched_once_per_adapter() -> None:
    factory = NdxpAdapterFactory(environ=ENVIRON)
    try:
        async with national_server(scheme="bearer") as server:
            adapter = adapter_for(
                factory,
                server.url,
                scheme="oauth2",
                token_url=f"{server.url}/oauth/token",
                client_id=OAUTH_ID,
                secret_env="OAUTH_SECRET",
            )
            for _ in range(3):
                assert (await adapter.send(outbound())).status == 200
            server.revoke_tokens()
            assert (await adapter.send(outbound())).status == 200
    finally:
        await factory.aclose()
    assert len(server.token_requests) == 2
    assert len(server.seen) == 5, "three calls, one refused token, and its repeat"


async def test_a_closed_adapter_refuses_calls_and_others_carry_on() -> None:
    factory = NdxpAdapterFactory(environ=ENVIRON)
    try:
        async with national_server(scheme="hmac") as server:
            closed, other = adapter_for(factory, server.url), adapter_for(factory, server.url)
            await closed.aclose()
            await closed.aclose()
            with pytest.raises(AdapterClosed):
                await closed.send(outbound())
            assert (await other.send(outbound())).status == 200
    finally:
        await factory.aclose()
