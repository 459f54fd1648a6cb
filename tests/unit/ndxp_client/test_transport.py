"""The transport seam: MockTransport, the aiohttp failure mapping, and a client over a mock."""

from __future__ import annotations

import aiohttp
import pytest

from ndxp_client import NdxpClient, NdxpProtocolError, RetryPolicy, Timeouts, protocol
from ndxp_client.aiohttp_transport import AiohttpTransport, transport_error
from ndxp_client.auth import HmacSignedHeaders
from ndxp_client.errors import from_transport
from ndxp_client.transport import (
    HttpResponse,
    MockTransport,
    TransportCall,
    TransportClosed,
    TransportError,
    TransportProtocolError,
    TransportTimeout,
    TransportUnavailable,
)
from tests.unit.ndxp_client.national import CITIZEN_SERVICE, CLIENT

pytestmark = pytest.mark.anyio

TIMEOUTS = Timeouts(connect=1.0, read=1.0)


async def test_mock_transport_answers_refuses_large_answers_and_closes() -> None:
    calls: list[TransportCall] = []

    async def handler(call: TransportCall) -> HttpResponse:
        calls.append(call)
        return HttpResponse(200, (("X", "1"),), b"abc")

    transport = MockTransport(handler)
    response = await transport.request(
        method="GET",
        url="http://p/x",
        headers=(),
        body=b"",
        timeouts=TIMEOUTS,
        max_response_bytes=3,
    )
    assert (response.status, response.headers, response.body) == (200, (("X", "1"),), b"abc")
    assert calls[0].url == "http://p/x"
    with pytest.raises(TransportProtocolError):
        await transport.request(
            method="GET", url="u", headers=(), body=b"", timeouts=TIMEOUTS, max_response_bytes=2
        )
    await transport.aclose()
    with pytest.raises(TransportClosed) as closed:
        await transport.request(
            method="GET", url="u", headers=(), body=b"", timeouts=TIMEOUTS, max_response_bytes=9
        )
    assert closed.value.may_have_reached_server is False


async def test_a_client_works_over_any_transport() -> None:
    async def handler(call: TransportCall) -> HttpResponse:
        target = protocol.request_target(call.url)
        digest = protocol.request_hash(method=call.method, path_and_query=target, body=call.body)
        return HttpResponse(200, ((protocol.REQUEST_HASH, digest),), b"{}")

    transport = MockTransport(handler)
    auth = HmacSignedHeaders(system="s", secret=b"k")
    async with NdxpClient(
        base_url="http://ndxp.invalid/gw/",
        client=CLIENT,
        auth=auth,
        transport=transport,
        retry=RetryPolicy.never(),
    ) as client:
        answer = await client.call(service=CITIZEN_SERVICE, path="/p", query="q=1", body=b"b")
    assert answer.request_hash_ok is True


async def test_a_hash_over_another_base_path_is_refused() -> None:
    # The hash covers the target as sent, the base URL's own path included.
    async def handler(call: TransportCall) -> HttpResponse:
        target = protocol.request_target(call.url).removeprefix("/gw")
        digest = protocol.request_hash(method=call.method, path_and_query=target, body=call.body)
        return HttpResponse(200, ((protocol.REQUEST_HASH, digest),), b"{}")

    auth = HmacSignedHeaders(system="s", secret=b"k")
    client = NdxpClient(
        base_url="http://ndxp.invalid/gw",
        client=CLIENT,
        auth=auth,
        transport=MockTransport(handler),
    )
    with pytest.raises(NdxpProtocolError):
        await client.call(service=CITIZEN_SERVICE, method="GET")


def test_constructing_needs_no_event_loop() -> None:
    transport = AiohttpTransport(limit=10, limit_per_host=5)
    assert not transport.is_open


@pytest.mark.parametrize(
    ("error", "expected", "reached"),
    [
        (aiohttp.ConnectionTimeoutError("t"), TransportTimeout, False),
        (aiohttp.SocketTimeoutError("t"), TransportTimeout, True),
        (TimeoutError(), TransportTimeout, True),
        (aiohttp.ClientOSError(104, "Connection reset by peer"), TransportUnavailable, True),
        (ConnectionResetError(104, "reset"), TransportUnavailable, True),
        (aiohttp.ServerDisconnectedError(), TransportUnavailable, True),
        (aiohttp.ClientPayloadError("not completed"), TransportUnavailable, True),
        (aiohttp.InvalidURL("http://"), TransportProtocolError, True),
    ],
)
def test_aiohttp_failure_mapping(
    error: BaseException, expected: type[TransportError], reached: bool
) -> None:
    mapped = transport_error(error)
    assert type(mapped) is expected
    assert mapped.may_have_reached_server is reached


def test_transport_errors_map_to_the_client_tree() -> None:
    from ndxp_client import NdxpClientClosed, NdxpTimeout, NdxpUnavailable

    cases = [
        (TransportClosed("c"), NdxpClientClosed),
        (TransportTimeout("t", may_have_reached_server=False), NdxpTimeout),
        (TransportUnavailable("u"), NdxpUnavailable),
        (TransportProtocolError("p"), NdxpProtocolError),
    ]
    for error, expected in cases:
        mapped = from_transport(error)
        assert type(mapped) is expected
        assert mapped.may_have_reached_server is error.may_have_reached_server


def test_timeouts_must_be_positive() -> None:
    for connect, read in ((0, 1), (1, -1), (float("inf"), 1), (float("nan"), 1)):
        with pytest.raises(ValueError, match="positive number"):
            Timeouts(connect=connect, read=read)
