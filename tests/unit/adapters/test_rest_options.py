"""Validation of a `rest` service's `adapter_options`, failures located by JSON Pointer."""

from __future__ import annotations

import pytest

from adapters.errors import InvalidOptions
from adapters.options import json_pointer
from adapters.rest import DEFAULT_MAX_RESPONSE_BYTES, RestAdapterFactory, RestOptions

FACTORY = RestAdapterFactory()


def invalid(options: dict[str, object]) -> InvalidOptions:
    """The `InvalidOptions` that validating `options` raises."""
    with pytest.raises(InvalidOptions) as caught:
        FACTORY.validate_options(options)
    return caught.value


def test_minimal_options_take_defaults() -> None:
    options = FACTORY.validate_options({"base_url": "http://127.0.0.1:9101/api"})
    assert options == RestOptions(base_url="http://127.0.0.1:9101/api")
    assert options.headers == {}
    assert options.max_response_bytes == DEFAULT_MAX_RESPONSE_BYTES == 10 * 1024 * 1024
    assert options.connect_timeout_seconds is None


def test_full_options() -> None:
    options = FACTORY.validate_options(
        {
            "base_url": "https://provider.hue.gov.vn:8443/api/v2/",
            "headers": {"Accept": "application/json", "X-Api-Key": "k"},
            "max_response_bytes": 1024,
            "connect_timeout_seconds": 2,
        }
    )
    assert options.base_url == "https://provider.hue.gov.vn:8443/api/v2"
    assert options.headers == {"Accept": "application/json", "X-Api-Key": "k"}
    assert (options.max_response_bytes, options.connect_timeout_seconds) == (1024, 2.0)


@pytest.mark.parametrize(
    ("base_url", "problem"),
    [
        ("", "visible ASCII"),
        ("127.0.0.1:9101/api", "http:// or https://"),
        ("ftp://provider/api", "http:// or https://"),
        ("http:///api", "host"),
        ("http://user:pass@provider/api", "credentials"),
        ("http://provider/api?key=1", "query"),
        ("http://provider/api#top", "fragment"),
        ("http://provider/a b", "visible ASCII"),
        ("http://provider/hồ-sơ", "visible ASCII"),
        ("http://provider:99999/api", "port"),
        ("http://provider:port/api", "port"),
    ],
)
def test_bad_base_urls_are_refused_at_base_url(base_url: str, problem: str) -> None:
    error = invalid({"base_url": base_url})
    assert [pointer for pointer, _ in error.locations] == ["/base_url"]
    assert problem in error.locations[0][1]


def test_missing_base_url() -> None:
    assert [pointer for pointer, _ in invalid({}).locations] == ["/base_url"]


def test_unknown_option_is_refused_at_its_pointer() -> None:
    error = invalid({"base_url": "http://p/api", "timeout": 3, "header": {}})
    assert sorted(pointer for pointer, _ in error.locations) == ["/header", "/timeout"]


@pytest.mark.parametrize(
    ("headers", "pointer"),
    [
        ({"Bad Name": "v"}, "/headers/Bad Name"),
        ({"X-A": "line\r\nInjected: 1"}, "/headers/X-A"),
        ({"X-A": "nul\x00"}, "/headers/X-A"),
        ({"X-A": "ký tự ngoài Latin-1 ✓"}, "/headers/X-A"),
        ({"Content-Length": "3"}, "/headers/Content-Length"),
        ({"host": "elsewhere"}, "/headers/host"),
        ({"Transfer-Encoding": "chunked"}, "/headers/Transfer-Encoding"),
        ({"X-Api-Key": "a", "x-api-key": "b"}, "/headers"),
        ({"X-A": 1}, "/headers/X-A"),
        (["X-A", "v"], "/headers"),
    ],
)
def test_bad_headers_are_refused_at_their_pointer(headers: object, pointer: str) -> None:
    error = invalid({"base_url": "http://p/api", "headers": headers})
    assert [location for location, _ in error.locations] == [pointer]


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("max_response_bytes", 0),
        ("max_response_bytes", "10"),
        ("max_response_bytes", 1.5),
        ("max_response_bytes", True),
        ("connect_timeout_seconds", 0),
        ("connect_timeout_seconds", -1),
        ("connect_timeout_seconds", float("inf")),
        ("connect_timeout_seconds", "2"),
    ],
)
def test_numbers_are_strict(option: str, value: object) -> None:
    error = invalid({"base_url": "http://p/api", option: value})
    assert [pointer for pointer, _ in error.locations] == [f"/{option}"]


def test_every_problem_is_listed_and_no_value_is_echoed() -> None:
    secret = "provider-secret-key\r\n"
    error = invalid(
        {"base_url": "ftp://p", "headers": {"X-Api-Key": secret}, "max_response_bytes": -1}
    )
    assert sorted(pointer for pointer, _ in error.locations) == [
        "/base_url",
        "/headers/X-Api-Key",
        "/max_response_bytes",
    ]
    assert "3 problem" in str(error)
    shown = str(error) + repr(error.locations)
    assert "provider-secret-key" not in shown
    # No cause: pydantic's own error text repeats the input.
    assert error.__cause__ is None
    assert error.__suppress_context__


def test_options_are_immutable() -> None:
    options = FACTORY.validate_options({"base_url": "http://p/api"})
    with pytest.raises(ValueError, match="frozen"):
        options.base_url = "http://elsewhere"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("location", "pointer"),
    [
        ((), ""),
        (("base_url",), "/base_url"),
        (("headers", "a/b~c"), "/headers/a~1b~0c"),
        (("headers", "Bad Name", "[key]"), "/headers/Bad Name"),
        (("items", 3), "/items/3"),
    ],
)
def test_json_pointer(location: tuple[int | str, ...], pointer: str) -> None:
    assert json_pointer(location) == pointer
