"""The REST adapter builds the call for its transport (URL, headers, timeouts, limit)."""

from __future__ import annotations

import pytest

from adapters.base import Adapter, AdapterFactory, OutboundRequest, ProviderResponse, Timeouts
from adapters.errors import AdapterClosed, UpstreamProtocolError
from adapters.rest import RestAdapterFactory, RestOptions
from adapters.transport import MockTransport, TransportCall


class Recorder:
    """A `MockTransport` handler that keeps every call and answers 200 with `body`."""

    def __init__(self, body: bytes = b"ok") -> None:
        self.calls: list[TransportCall] = []
        self.body = body

    async def __call__(self, call: TransportCall) -> ProviderResponse:
        """Record the call and answer."""
        self.calls.append(call)
        return ProviderResponse(
            status=200, headers=(("Content-Type", "text/plain"),), body=self.body
        )


def make(recorder: Recorder, **options: object) -> tuple[RestAdapterFactory, Adapter]:
    """A factory over a mock transport, and an adapter with `options`."""
    factory = RestAdapterFactory(transport=MockTransport(recorder))
    return factory, factory.create(factory.validate_options(options))


def outbound(
    path: str = "", query: str = "", headers: tuple[tuple[str, str], ...] = ()
) -> OutboundRequest:
    """A POST with a small body and 1 s / 5 s timeouts."""
    return OutboundRequest(
        method="POST",
        path=path,
        query=query,
        headers=headers,
        body=b"{}",
        exchange_id="e",
        timeouts=Timeouts(connect=1.0, read=5.0),
    )


def test_the_factory_and_adapter_satisfy_the_protocols() -> None:
    factory = RestAdapterFactory()
    assert isinstance(factory, AdapterFactory)
    assert (factory.kind, factory.options_model) == ("rest", RestOptions)
    assert isinstance(factory.create(factory.validate_options({"base_url": "http://p"})), Adapter)


def test_create_takes_only_validated_rest_options() -> None:
    with pytest.raises(TypeError, match="RestOptions"):
        RestAdapterFactory().create({"base_url": "http://p"})


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("base_url", "path", "query", "url"),
    [
        ("http://p:9101/api", "", "", "http://p:9101/api"),
        ("http://p:9101/api/", "/", "", "http://p:9101/api/"),
        ("http://p:9101/api", "/a%20b;v=1", "x=%26&y", "http://p:9101/api/a%20b;v=1?x=%26&y"),
        ("https://p", "/h%E1%BB%93", "", "https://p/h%E1%BB%93"),
        ("http://p/base//", "//x", "q", "http://p/base//x?q"),
    ],
)
async def test_url_is_base_path_and_query_joined_as_they_are(
    base_url: str, path: str, query: str, url: str
) -> None:
    recorder = Recorder()
    _, adapter = make(recorder, base_url=base_url)
    await adapter.send(outbound(path, query))
    assert recorder.calls[0].url == url


@pytest.mark.anyio
async def test_static_headers_replace_callers_and_framing_headers_are_dropped() -> None:
    recorder = Recorder()
    _, adapter = make(recorder, base_url="http://p", headers={"X-Api-Key": "real", "Accept": "a/b"})
    caller = (
        ("x-api-key", "forged"),
        ("X-Trace", "1"),
        ("Content-Length", "999"),
        ("Transfer-Encoding", "chunked"),
        ("Host", "elsewhere"),
        ("Connection", "close"),
        ("X-Trace", "2"),
        ("ACCEPT", "text/csv"),
    )
    await adapter.send(outbound(headers=caller))
    assert recorder.calls[0].headers == (
        ("X-Trace", "1"),
        ("X-Trace", "2"),
        ("X-Api-Key", "real"),
        ("Accept", "a/b"),
    )


@pytest.mark.anyio
async def test_timeouts_and_limit_reach_the_transport() -> None:
    recorder = Recorder()
    _, default = make(recorder, base_url="http://p", max_response_bytes=4096)
    _, overridden = make(recorder, base_url="http://p", connect_timeout_seconds=0.25)
    await default.send(outbound())
    await overridden.send(outbound())
    first, second = recorder.calls
    assert (first.timeouts, first.max_response_bytes) == (Timeouts(connect=1.0, read=5.0), 4096)
    assert second.timeouts == Timeouts(connect=0.25, read=5.0)
    assert (first.method, first.body) == ("POST", b"{}")


@pytest.mark.anyio
async def test_answer_is_returned_as_the_transport_gave_it() -> None:
    _, adapter = make(Recorder(b"\x00\xff"), base_url="http://p")
    response = await adapter.send(outbound())
    assert response == ProviderResponse(200, (("Content-Type", "text/plain"),), b"\x00\xff")


@pytest.mark.anyio
async def test_mock_transport_enforces_the_limit_like_a_real_one() -> None:
    _, adapter = make(Recorder(b"x" * 11), base_url="http://p", max_response_bytes=10)
    with pytest.raises(UpstreamProtocolError, match="limit"):
        await adapter.send(outbound())


@pytest.mark.anyio
async def test_closed_adapter_and_closed_factory_refuse_calls() -> None:
    recorder = Recorder()
    factory, adapter = make(recorder, base_url="http://p")
    other = factory.create(factory.validate_options({"base_url": "http://q"}))
    await adapter.aclose()
    with pytest.raises(AdapterClosed):
        await adapter.send(outbound())
    await other.send(outbound())
    await factory.aclose()
    with pytest.raises(AdapterClosed):
        await other.send(outbound())
    assert len(recorder.calls) == 1
