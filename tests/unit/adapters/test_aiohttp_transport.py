"""The aiohttp transport's lifecycle, and its mapping of failures the contract cannot provoke."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from adapters.aiohttp_transport import AiohttpTransport, upstream_error
from adapters.base import Timeouts
from adapters.errors import (
    AdapterClosed,
    UpstreamProtocolError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from tests.unit.adapters.provider import Received, raw_provider

TIMEOUTS = Timeouts(connect=1.0, read=1.0)


def test_constructing_needs_no_event_loop() -> None:
    transport = AiohttpTransport(limit=10, limit_per_host=5)
    assert not transport.is_open


@pytest.mark.anyio
async def test_session_opens_on_first_call_and_closes_with_aclose() -> None:
    transport = AiohttpTransport()

    async def get(url: str) -> bytes:
        response = await transport.request(
            method="GET", url=url, headers=(), body=b"", timeouts=TIMEOUTS, max_response_bytes=100
        )
        return response.body

    async with raw_provider() as provider:
        states = [transport.is_open]
        assert await get(provider.url("/x")) == b"ok"
        states.append(transport.is_open)
        await transport.aclose()
        states.append(transport.is_open)
        assert states == [False, True, False]
        with pytest.raises(AdapterClosed):
            await get(provider.url("/x"))
        await transport.aclose()


@pytest.mark.anyio
async def test_closing_during_a_call_is_adapter_closed_not_an_upstream_failure() -> None:
    transport = AiohttpTransport()
    arrived = asyncio.Event()

    async def hold(_: Received, writer: asyncio.StreamWriter) -> bool:
        arrived.set()
        await asyncio.Event().wait()
        return False

    async with raw_provider() as provider:
        provider.behaviour = hold
        call = asyncio.create_task(
            transport.request(
                method="GET",
                url=provider.url("/slow"),
                headers=(),
                body=b"",
                timeouts=Timeouts(connect=1.0, read=3.0),
                max_response_bytes=100,
            )
        )
        await arrived.wait()
        await transport.aclose()
        with pytest.raises(AdapterClosed):
            await call


@pytest.mark.parametrize(
    ("error", "expected", "reached"),
    [
        (aiohttp.ConnectionTimeoutError("t"), UpstreamTimeout, False),
        (aiohttp.SocketTimeoutError("t"), UpstreamTimeout, True),
        (TimeoutError(), UpstreamTimeout, True),
        (aiohttp.ClientOSError(104, "Connection reset by peer"), UpstreamUnavailable, True),
        (ConnectionResetError(104, "reset"), UpstreamUnavailable, True),
        (aiohttp.ClientConnectionError("Connection lost"), UpstreamUnavailable, True),
        (aiohttp.ServerDisconnectedError(), UpstreamUnavailable, True),
        (
            aiohttp.ClientPayloadError("Response payload is not completed"),
            UpstreamUnavailable,
            True,
        ),
        (aiohttp.InvalidURL("http://"), UpstreamProtocolError, True),
    ],
)
def test_failure_mapping(error: BaseException, expected: type[Exception], reached: bool) -> None:
    mapped = upstream_error(error)
    assert type(mapped) is expected
    assert mapped.may_have_reached_provider is reached
