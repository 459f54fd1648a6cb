"""What an `OutboundRequest` refuses to carry, and the shape of the error tree."""

from __future__ import annotations

import math

import pytest

from adapters.base import OutboundRequest, Timeouts, is_token
from adapters.errors import (
    AdapterClosed,
    AdapterError,
    InvalidOptions,
    PluginError,
    UpstreamError,
    UpstreamProtocolError,
    UpstreamTimeout,
    UpstreamUnavailable,
)


def request(*, method: str = "GET", path: str = "/a", query: str = "") -> OutboundRequest:
    return OutboundRequest(
        method=method,
        path=path,
        query=query,
        headers=(),
        body=b"",
        exchange_id="x",
        timeouts=Timeouts(connect=1.0, read=2.0),
    )


@pytest.mark.parametrize(
    "path", ["", "/", "/a%20b", "/m;v=1/@me", "/h%E1%BB%93", "/!$&'()*+,=:~", "//double"]
)
def test_raw_paths_are_accepted_as_they_are(path: str) -> None:
    assert request(path=path).path == path


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("relative", "start with '/'"),
        ("/a b", "raw URL path"),
        ("/hồ-sơ", "raw URL path"),
        ("/a?b=1", "raw URL path"),
        ("/a#frag", "raw URL path"),
        ("/a\r\nHost: evil", "raw URL path"),
        ("/a\x00", "raw URL path"),
    ],
)
def test_paths_that_would_change_the_url_are_refused(path: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason) as caught:
        request(path=path)
    assert path not in str(caught.value)


@pytest.mark.parametrize("query", ["a=1 2", "a=1#f", "so=0010\n", "q=hồ"])
def test_queries_that_would_change_the_url_are_refused(query: str) -> None:
    with pytest.raises(ValueError, match="query") as caught:
        request(query=query)
    assert query not in str(caught.value)


@pytest.mark.parametrize("method", ["", "GE T", "GET\r\n", "PÓST"])
def test_methods_must_be_tokens(method: str) -> None:
    with pytest.raises(ValueError, match="method"):
        request(method=method)


def test_tokens() -> None:
    assert is_token("X-Api-Key")
    assert is_token("PROPFIND")
    assert not is_token("")
    assert not is_token("Bad Name")
    assert not is_token("a:b")


@pytest.mark.parametrize(("connect", "read"), [(0, 1), (1, -1), (math.inf, 1), (1, math.nan)])
def test_timeouts_must_be_positive_and_finite(connect: float, read: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        Timeouts(connect=connect, read=read)


def test_error_tree() -> None:
    for leaf in (UpstreamUnavailable, UpstreamTimeout, UpstreamProtocolError):
        assert issubclass(leaf, UpstreamError)
    for branch in (UpstreamError, InvalidOptions, PluginError, AdapterClosed):
        assert issubclass(branch, AdapterError)
    assert UpstreamTimeout("t").may_have_reached_provider is True
    refused = UpstreamUnavailable("refused", may_have_reached_provider=False)
    assert refused.may_have_reached_provider is False
    assert InvalidOptions("bad", [("/base_url", "wrong")]).locations == (("/base_url", "wrong"),)
