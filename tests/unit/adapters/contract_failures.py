"""Contract checks: each way a provider can fail maps to one error of the tree."""

from __future__ import annotations

from adapters.errors import UpstreamProtocolError, UpstreamTimeout, UpstreamUnavailable
from tests.unit.adapters.contract_env import (
    SECRET_BODY,
    SECRET_QUERY,
    SHORT,
    ContractEnv,
    expect_error,
    outbound,
)
from tests.unit.adapters.provider import (
    Answer,
    answer,
    chunked,
    closed_port,
    reply,
    reply_then_drop,
    reply_then_stall,
    saturated_port,
    untrusted_tls_provider,
)


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
