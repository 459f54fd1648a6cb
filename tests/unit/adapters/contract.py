"""The adapter contract: checks every adapter kind must pass against real loopback providers.

Each check is `async def check_...(env: ContractEnv) -> None`. A kind takes part by having
a `Harness` in `HARNESSES` that turns (provider URL, static headers, size limit) into its
`adapter_options`; tests/integration/test_adapters_contract.py runs every check for every
discovered kind, and fails for a discovered kind without a harness.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field

import pytest

from adapters.base import Adapter, AdapterFactory, OutboundRequest, Timeouts
from adapters.errors import (
    AdapterClosed,
    UpstreamError,
    UpstreamProtocolError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from tests.unit.adapters.provider import (
    Answer,
    RawProvider,
    Received,
    answer,
    chunked,
    closed_port,
    framework_provider,
    loopback_hostname,
    raw_provider,
    reply,
    reply_then_drop,
    reply_then_stall,
    saturated_port,
    untrusted_tls_provider,
)

# Short timeouts keep the suite fast; the slow provider waits well past them.
SHORT = 0.3
BASE_PATH = "/api"
API_KEY = ("X-Api-Key", "provider-key-0001")
# Personal data that must never appear in an error message.
SECRET_QUERY = "so_cccd=001099012345"
SECRET_BODY = b'{"ho_ten": "Nguyen Van A"}'


@dataclass(frozen=True)
class Harness:
    """How to configure one adapter kind to talk to a loopback provider."""

    options_for: Callable[[str, Mapping[str, str], int | None], Mapping[str, object]]


def _rest_options(
    base_url: str, headers: Mapping[str, str], max_response_bytes: int | None
) -> Mapping[str, object]:
    options: dict[str, object] = {"base_url": base_url, "headers": dict(headers)}
    if max_response_bytes is not None:
        options["max_response_bytes"] = max_response_bytes
    return options


HARNESSES: dict[str, Harness] = {"rest": Harness(options_for=_rest_options)}


@dataclass
class ContractEnv:
    """A fresh factory of the kind under test and a started raw provider."""

    harness: Harness
    factory: AdapterFactory
    provider: RawProvider
    static_headers: dict[str, str] = field(default_factory=lambda: dict([API_KEY]))

    def adapter(
        self, *, base_url: str | None = None, max_response_bytes: int | None = None
    ) -> Adapter:
        """An adapter to the raw provider (or `base_url`) with the static API key header."""
        url = base_url if base_url is not None else self.provider.url(BASE_PATH)
        raw = self.harness.options_for(url, self.static_headers, max_response_bytes)
        return self.factory.create(self.factory.validate_options(raw))


def outbound(
    method: str = "GET",
    path: str = "",
    query: str = "",
    *,
    headers: tuple[tuple[str, str], ...] = (),
    body: bytes = b"",
    connect: float = 2.0,
    read: float = 2.0,
) -> OutboundRequest:
    """An `OutboundRequest` with generous timeouts unless told otherwise."""
    return OutboundRequest(
        method=method,
        path=path,
        query=query,
        headers=headers,
        body=body,
        exchange_id="0190a6c4-0000-7000-8000-000000000001",
        timeouts=Timeouts(connect=connect, read=read),
    )


async def expect_error(
    adapter: Adapter,
    request: OutboundRequest,
    error: type[UpstreamError],
    *,
    from_transport: bool = True,
) -> tuple[UpstreamError, float]:
    """Send `request`, expecting `error`; return it and the seconds it took.

    Also checks what every upstream error must do: hide body and query, and keep the
    transport's own error as the cause when there was one (`from_transport`).
    """
    started = time.monotonic()
    with pytest.raises(error) as caught:
        await adapter.send(request)
    elapsed = time.monotonic() - started
    text = str(caught.value)
    if request.query:
        assert request.query not in text
    if request.body:
        assert request.body.decode("utf-8", "replace") not in text
    if from_transport:
        assert caught.value.__cause__ is not None, "the transport's own error must be kept"
    return caught.value, elapsed


# --- what the provider receives ---------------------------------------------------------

ODD_PATHS = [
    "",
    "/",
    "/reports/17",
    "/a%20b",
    "/matrix;v=1;lang=vi/x",
    "/users/@me",
    "/h%E1%BB%93-s%C6%A1/%C4%91%C4%83ng-k%C3%BD",  # hồ-sơ/đăng-ký, percent-encoded UTF-8
    "/sub-delims/!$&'()*+,=:~",
    "/upper%2Bcase%3a-mixed",
]


async def check_forwards_exact_path_and_query(env: ContractEnv) -> None:
    """The provider gets the base path, then the path and query byte for byte."""
    adapter = env.adapter()
    for path in ODD_PATHS:
        for query in ("", "a=1&b=%20x&c", "q=h%E1%BB%93+s%C6%A1&empty=&flag"):
            await adapter.send(outbound("GET", path, query))
            expected = BASE_PATH + path + (f"?{query}" if query else "")
            assert env.provider.received[-1].target == expected


async def check_forwards_method_and_body(env: ContractEnv) -> None:
    """Method and body bytes arrive unchanged, an empty body as no body at all."""
    adapter = env.adapter()
    binary = bytes(range(256)) + b"\r\n\r\n0\r\n"
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        for body in (b"", SECRET_BODY, binary):
            await adapter.send(outbound(method, "/items", body=body))
            received = env.provider.received[-1]
            assert (received.method, received.body) == (method, body)
            lengths = received.values("content-length")
            if body:
                assert lengths == [str(len(body))]
            elif method == "GET":
                assert lengths == []
            else:
                # "0" may be sent where the method defines a body (RFC 9110 §8.6).
                assert lengths in ([], ["0"])


async def check_sends_only_caller_and_static_headers(env: ContractEnv) -> None:
    """Caller headers in order (repeats kept), then static ones; nothing added but framing."""
    adapter = env.adapter()
    caller = (
        ("X-Trace", "1"),
        ("Content-Type", "application/json; charset=utf-8"),
        ("X-Trace", "2"),
        ("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        ("X-Api-Key", "forged-by-caller"),
    )
    await adapter.send(outbound("POST", "/items", headers=caller, body=SECRET_BODY))
    received = env.provider.received[-1]
    sent = [(name.lower(), value) for name, value in caller if name != "X-Api-Key"]
    sent.append((API_KEY[0].lower(), API_KEY[1]))
    got = [
        (name.decode().lower(), value.decode())
        for name, value in received.headers
        if name.lower() not in (b"host", b"content-length")
    ]
    assert got == sent
    assert received.values("host") == [f"127.0.0.1:{env.provider.port}"]
    assert received.values("content-length") == [str(len(SECRET_BODY))]


async def check_framework_provider_understands_call(env: ContractEnv) -> None:
    """A standard HTTP server decodes the forwarded path, query and body as the caller meant."""
    async with framework_provider() as base_url:
        adapter = env.adapter(base_url=base_url + BASE_PATH)
        query = "ten=Nguy%E1%BB%85n+V%C4%83n+A&x=%26"
        body = "phản ánh".encode()
        response = await adapter.send(
            outbound("PUT", "/h%E1%BB%93%20s%C6%A1;v=1", query, body=body)
        )
    assert response.status == 200
    assert json.loads(response.body) == {
        "method": "PUT",
        "path": "/api/hồ sơ;v=1",
        "query": [["ten", "Nguyễn Văn A"], ["x", "&"]],
        "body": "phản ánh",
    }


# --- what comes back --------------------------------------------------------------------


async def check_returns_answer_unchanged(env: ContractEnv) -> None:
    """Status, every header (order, case, repeats) and body bytes come back as sent."""
    adapter = env.adapter()
    cases = [
        answer(200, b'{"ok": true}', [("Content-Type", "application/json"), ("x-MiXeD", "a")]),
        answer(
            201, b"", [("Location", "/api/items/9"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]
        ),
        answer(204, b""),
        answer(404, b"not here", [("Content-Type", "text/plain")]),
        answer(422, bytes(range(256)), [("Content-Type", "application/octet-stream")]),
        answer(500, b"boom"),
        answer(503, b"", [("Retry-After", "7")]),
    ]
    for sent in cases:
        env.provider.behaviour = reply(sent.wire())
        response = await adapter.send(outbound("POST", "/items", body=b"{}"))
        assert (response.status, response.headers, response.body) == (
            sent.status,
            sent.headers,
            sent.body,
        )


async def check_head_answer_has_no_body(env: ContractEnv) -> None:
    """A HEAD answer's Content-Length is kept while no body is read."""
    env.provider.behaviour = reply(Answer(200, (("Content-Length", "1234"),), b"").wire())
    response = await env.adapter().send(outbound("HEAD", "/file"))
    assert (response.status, response.headers, response.body) == (
        200,
        (("Content-Length", "1234"),),
        b"",
    )


async def check_does_not_follow_redirects(env: ContractEnv) -> None:
    """A 302 is the answer: the adapter does not go to Location."""
    sent = answer(302, b"moved", [("Location", f"{BASE_PATH}/elsewhere")])
    env.provider.behaviour = reply(sent.wire())
    response = await env.adapter().send(outbound("POST", "/old", body=b"x"))
    assert (response.status, response.headers, response.body) == (302, sent.headers, b"moved")
    assert [request.target for request in env.provider.received] == [f"{BASE_PATH}/old"]


async def check_passes_compressed_body_through(env: ContractEnv) -> None:
    """A gzip body stays compressed, with its Content-Encoding; nothing asks for gzip itself."""
    compressed = gzip.compress("dữ liệu ".encode() * 200)
    sent = answer(200, compressed, [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")])
    env.provider.behaviour = reply(sent.wire())
    adapter = env.adapter()
    response = await adapter.send(outbound("GET", "/data"))
    assert (response.headers, response.body) == (sent.headers, compressed)
    assert env.provider.received[-1].values("accept-encoding") == []
    await adapter.send(outbound("GET", "/data", headers=(("Accept-Encoding", "gzip"),)))
    assert env.provider.received[-1].values("accept-encoding") == ["gzip"]


async def check_reads_chunked_answer_whole(env: ContractEnv) -> None:
    """A chunked answer's body is the joined chunks; its headers are as sent."""
    body = b"0123456789abcdef" * 1000
    headers = (("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked"))
    env.provider.behaviour = reply(Answer(200, headers, chunked(body, size=1000)).wire())
    response = await env.adapter().send(outbound("GET", "/stream"))
    assert (response.headers, response.body) == (headers, body)


async def check_keeps_no_cookies(env: ContractEnv) -> None:
    """A cookie set by one answer is not sent with the next call."""
    env.provider.behaviour = reply(answer(200, b"", [("Set-Cookie", "session=abc; Path=/")]).wire())
    # By name: cookie jars ignore cookies from IP addresses, which would prove nothing.
    adapter = env.adapter(base_url=env.provider.url(BASE_PATH, host=loopback_hostname()))
    await adapter.send(outbound("GET", "/login"))
    await adapter.send(outbound("GET", "/me"))
    assert env.provider.received[-1].values("cookie") == []


async def check_concurrent_calls_get_their_own_answers(env: ContractEnv) -> None:
    """Many calls at once through one factory each get the answer to their own request."""

    async def echo_target(request: Received, writer: asyncio.StreamWriter) -> bool:
        target = request.target.encode()
        await asyncio.sleep(0.01)
        writer.write(answer(200, target).wire())
        await writer.drain()
        return True

    env.provider.behaviour = echo_target
    adapters = [env.adapter(), env.adapter()]
    requests = [outbound("GET", f"/n/{number}") for number in range(32)]
    responses = await asyncio.gather(
        *(adapters[number % 2].send(request) for number, request in enumerate(requests))
    )
    assert [response.body for response in responses] == [
        f"{BASE_PATH}/n/{number}".encode() for number in range(32)
    ]


# --- failures ---------------------------------------------------------------------------


async def check_closed_port_is_unavailable(env: ContractEnv) -> None:
    """Connection refused: `UpstreamUnavailable`, and the request certainly never left."""
    with closed_port() as port:
        adapter = env.adapter(base_url=f"http://127.0.0.1:{port}")
        error, _ = await expect_error(
            adapter, outbound("POST", "/x", SECRET_QUERY, body=SECRET_BODY), UpstreamUnavailable
        )
    assert error.may_have_reached_provider is False


async def check_untrusted_certificate_is_unavailable(env: ContractEnv) -> None:
    """A TLS failure (here: an untrusted certificate) is `UpstreamUnavailable`, nothing sent."""
    async with untrusted_tls_provider() as base_url:
        adapter = env.adapter(base_url=base_url)
        request = outbound("POST", "/x", SECRET_QUERY, body=SECRET_BODY)
        error, _ = await expect_error(adapter, request, UpstreamUnavailable)
    assert error.may_have_reached_provider is False


async def check_connect_timeout(env: ContractEnv) -> None:
    """A provider that never completes the TCP handshake: `UpstreamTimeout` in about SHORT."""
    with saturated_port() as port:
        adapter = env.adapter(base_url=f"http://127.0.0.1:{port}")
        request = outbound("POST", "/x", SECRET_QUERY, body=SECRET_BODY, connect=SHORT, read=5.0)
        error, elapsed = await expect_error(adapter, request, UpstreamTimeout)
    assert error.may_have_reached_provider is False
    assert SHORT * 0.8 <= elapsed < SHORT + 1.0


async def check_read_timeout_waiting_for_head(env: ContractEnv) -> None:
    """A provider slower than the read timeout: `UpstreamTimeout` after about that timeout."""
    env.provider.behaviour = reply(answer(200, b"late").wire(), delay=5.0)
    request = outbound("POST", "/slow", SECRET_QUERY, body=SECRET_BODY, read=SHORT)
    error, elapsed = await expect_error(env.adapter(), request, UpstreamTimeout)
    assert error.may_have_reached_provider is True
    assert SHORT * 0.8 <= elapsed < SHORT + 1.0


async def check_read_timeout_within_body(env: ContractEnv) -> None:
    """A body that stops arriving: `UpstreamTimeout` after about the read timeout."""
    env.provider.behaviour = reply_then_stall(
        Answer(200, (("Content-Length", "10"),), b"abc").wire()
    )
    _, elapsed = await expect_error(
        env.adapter(), outbound("GET", "/slow", SECRET_QUERY, read=SHORT), UpstreamTimeout
    )
    assert SHORT * 0.8 <= elapsed < SHORT + 1.0


async def check_answer_over_limit_is_refused(env: ContractEnv) -> None:
    """An answer over `max_response_bytes` is a protocol error, with or without a length."""
    limit = 1000
    adapter = env.adapter(max_response_bytes=limit)
    env.provider.behaviour = reply(answer(200, b"x" * limit).wire())
    assert len((await adapter.send(outbound())).body) == limit
    env.provider.behaviour = reply(answer(200, b"x" * (limit + 1)).wire())
    await expect_error(
        adapter, outbound("GET", "/", SECRET_QUERY), UpstreamProtocolError, from_transport=False
    )
    headers = (("Transfer-Encoding", "chunked"),)
    env.provider.behaviour = reply(Answer(200, headers, chunked(b"x" * limit, size=100)).wire())
    assert len((await adapter.send(outbound())).body) == limit
    env.provider.behaviour = reply(
        Answer(200, headers, chunked(b"x" * (limit + 1), size=100)).wire()
    )
    await expect_error(
        adapter, outbound("GET", "/", SECRET_QUERY), UpstreamProtocolError, from_transport=False
    )


async def check_dropped_connection_is_unavailable(env: ContractEnv) -> None:
    """A connection closed before the full answer is `UpstreamUnavailable`.

    The answer was lost, not malformed: before any byte, within the head or within the body.
    """
    adapter = env.adapter()
    truncated = [
        b"",
        b"HTTP/1.1 200 OK\r\nContent-Le",
        Answer(200, (("Content-Length", "100"),), b"only ten b").wire(),
        Answer(200, (("Transfer-Encoding", "chunked"),), b"a\r\n01234").wire(),
    ]
    for raw in truncated:
        env.provider.behaviour = reply_then_drop(raw)
        before = len(env.provider.received)
        request = outbound("POST", "/x", SECRET_QUERY, body=SECRET_BODY)
        error, _ = await expect_error(adapter, request, UpstreamUnavailable)
        assert error.may_have_reached_provider is True
        assert len(env.provider.received) == before + 1, "a POST is never sent twice"


async def check_idempotent_call_is_resent_at_most_once(env: ContractEnv) -> None:
    """A closed connection without an answer may repeat a PUT once (RFC 9112 §9.3.1), no more."""
    env.provider.behaviour = reply_then_drop(b"")
    await expect_error(env.adapter(), outbound("PUT", "/x", body=SECRET_BODY), UpstreamUnavailable)
    assert 1 <= len(env.provider.received) <= 2


async def check_malformed_answer_is_protocol_error(env: ContractEnv) -> None:
    """An answer that is not HTTP, or whose chunking is broken, is `UpstreamProtocolError`."""
    adapter = env.adapter()
    malformed = [
        b"HELLO PROVIDER\r\n\r\n",
        b"HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nNo colon here\r\nContent-Length: 0\r\n\r\n",
        Answer(200, (("Transfer-Encoding", "chunked"),), b"zz\r\nab\r\n0\r\n\r\n").wire(),
    ]
    for raw in malformed:
        env.provider.behaviour = reply_then_drop(raw)
        await expect_error(adapter, outbound("GET", "/x", SECRET_QUERY), UpstreamProtocolError)
    # A body that turns malformed after a good head and a good first chunk.
    env.provider.behaviour = reply_then_stall(
        Answer(200, (("Transfer-Encoding", "chunked"),), b"3\r\nabc\r\nq!\r\n").wire()
    )
    await expect_error(adapter, outbound("GET", "/x", SECRET_QUERY), UpstreamProtocolError)


# --- lifecycle --------------------------------------------------------------------------


async def check_adapters_of_one_factory_share_the_pool(env: ContractEnv) -> None:
    """Two adapters of one factory reuse one kept-alive connection to the same provider."""
    first, second = env.adapter(), env.adapter()
    for adapter in (first, second, first):
        assert (await adapter.send(outbound("GET", "/ping"))).status == 200
    assert env.provider.connections_accepted == 1


async def check_adapter_aclose_leaves_others_working(env: ContractEnv) -> None:
    """A closed adapter refuses calls; the factory's other adapters carry on."""
    closed, other = env.adapter(), env.adapter()
    await closed.aclose()
    await closed.aclose()
    with pytest.raises(AdapterClosed):
        await closed.send(outbound())
    assert (await other.send(outbound())).status == 200


async def check_factory_aclose_closes_the_pool(env: ContractEnv) -> None:
    """Closing the factory closes its pooled connections; its adapters then refuse calls."""
    adapter = env.adapter()
    await adapter.send(outbound("GET", "/ping"))
    assert env.provider.connections_open == 1
    await env.factory.aclose()
    assert await env.provider.wait_connections_closed(), "the pooled connection is still open"
    with pytest.raises(AdapterClosed):
        await adapter.send(outbound())
    await env.factory.aclose()


async def check_cancelled_call_releases_its_connection(env: ContractEnv) -> None:
    """Cancelling `send` (the exchange's own deadline) closes the half-used connection."""
    env.provider.behaviour = reply(answer(200, b"late").wire(), delay=5.0)
    adapter = env.adapter()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(adapter.send(outbound("GET", "/slow")), timeout=0.1)
    assert await env.provider.wait_connections_closed(), "the cancelled call's connection is open"
    env.provider.behaviour = reply(answer(200, b"ok").wire())
    assert (await adapter.send(outbound())).body == b"ok"


Check = Callable[[ContractEnv], Awaitable[None]]

CHECKS: list[Check] = [
    check_forwards_exact_path_and_query,
    check_forwards_method_and_body,
    check_sends_only_caller_and_static_headers,
    check_framework_provider_understands_call,
    check_returns_answer_unchanged,
    check_head_answer_has_no_body,
    check_does_not_follow_redirects,
    check_passes_compressed_body_through,
    check_reads_chunked_answer_whole,
    check_keeps_no_cookies,
    check_concurrent_calls_get_their_own_answers,
    check_closed_port_is_unavailable,
    check_untrusted_certificate_is_unavailable,
    check_connect_timeout,
    check_read_timeout_waiting_for_head,
    check_read_timeout_within_body,
    check_answer_over_limit_is_refused,
    check_dropped_connection_is_unavailable,
    check_idempotent_call_is_resent_at_most_once,
    check_malformed_answer_is_protocol_error,
    check_adapters_of_one_factory_share_the_pool,
    check_adapter_aclose_leaves_others_working,
    check_factory_aclose_closes_the_pool,
    check_cancelled_call_releases_its_connection,
]


@contextlib.asynccontextmanager
async def contract_env(*, harness: Harness, factory: AdapterFactory) -> AsyncIterator[ContractEnv]:
    """A started raw provider around `factory`; both closed afterwards."""
    async with raw_provider() as provider:
        try:
            yield ContractEnv(harness=harness, factory=factory, provider=provider)
        finally:
            await factory.aclose()
