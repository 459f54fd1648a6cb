"""`ndxp` adapter options: what validates, where failures point, how secrets are found."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.base import Adapter, AdapterFactory
from adapters.discovery import GROUP, discover
from adapters.errors import InvalidOptions
from adapters.ndxp import NdxpAdapterFactory
from adapters.ndxp_options import NdxpOptions

SERVICE = "VN/GOV/000.00.00.G06/CSDLQGDC/tra-cuu-cong-dan"


def options(**changes: object) -> dict[str, object]:
    """Valid HMAC options, with `changes` applied (None removes a key)."""
    base: dict[str, object] = {
        "base_url": "https://ndxp.example.vn/gw/",
        "client": "VN/GOV/000.00.00.H57/LGSP",
        "service": SERVICE,
        "auth": {"scheme": "hmac", "system": "000.00.00.H57:LGSP", "secret_env": "NDXP_SECRET"},
    }
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


def pointers(raw: dict[str, object]) -> list[str]:
    """The JSON Pointers `validate_options` reports for `raw`."""
    with pytest.raises(InvalidOptions) as caught:
        NdxpAdapterFactory().validate_options(raw)
    return [pointer for pointer, _ in caught.value.locations]


def test_valid_options_for_each_scheme() -> None:
    factory = NdxpAdapterFactory()
    assert isinstance(factory, AdapterFactory)
    assert (factory.kind, factory.options_model) == ("ndxp", NdxpOptions)
    hmac = factory.validate_options(options())
    assert hmac.base_url == "https://ndxp.example.vn/gw"
    oauth = factory.validate_options(
        options(
            auth={
                "scheme": "oauth2",
                "token_url": "https://ndxp.example.vn/oauth/token",
                "client_id": "lgsp-h57",
                "secret_file": "/run/secrets/ndxp",
                "scope": "tra-cuu",
            }
        )
    )
    assert oauth.auth.scheme == "oauth2"
    api_key = factory.validate_options(
        options(
            auth={
                "scheme": "api-key",
                "user": "lgsp-h57",
                "api_key_env": "NDXP_API_KEY",
                "secret_env": "NDXP_SECRET",
            }
        )
    )
    assert api_key.auth.scheme == "api-key"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"base_url": "ftp://x"}, ["/base_url"]),
        ({"base_url": "https://u:p@x"}, ["/base_url"]),
        ({"client": "VN/GOV/000.00.00.H57"}, ["/client"]),
        ({"service": "VN/GOV/CSDLQGDC/tra-cuu"}, ["/service"]),
        ({"service": None}, ["/service"]),
        ({"max_response_bytes": "10"}, ["/max_response_bytes"]),
        ({"auth": {"scheme": "kerberos"}}, ["/auth"]),
        ({"auth": {"scheme": "hmac", "system": "s"}}, ["/auth"]),
        ({"auth": {"scheme": "hmac", "system": 7, "secret_env": "A"}}, ["/auth/system"]),
        (
            {"auth": {"scheme": "hmac", "system": "s", "secret_env": "A", "secret_file": "/f"}},
            ["/auth"],
        ),
        # A secret in the options themselves is refused: they are stored and shown.
        (
            {"auth": {"scheme": "hmac", "system": "s", "secret_env": "A", "secret": "x"}},
            ["/auth/secret"],
        ),
        (
            {"auth": {"scheme": "hmac", "system": "s", "secret_env": "NOT-A-NAME"}},
            ["/auth/secret_env"],
        ),
        (
            {"auth": {"scheme": "oauth2", "client_id": "a:b", "token_url": "x", "secret_env": "A"}},
            ["/auth/token_url", "/auth/client_id"],
        ),
        ({"auth": {"scheme": "api-key", "user": "u", "secret_env": "A"}}, ["/auth"]),
        ({"headers": {"X-Road-Id": "forged"}}, ["/headers"]),
        ({"headers": {"X-NDXP-Signature": "forged"}}, ["/headers"]),
        ({"headers": {"Content-Length": "1"}}, ["/headers"]),
        ({"headers": {"X-A": "1", "x-a": "2"}}, ["/headers"]),
        ({"unknown": 1}, ["/unknown"]),
    ],
)
def test_invalid_options_point_at_the_problem(
    changes: dict[str, object], expected: list[str]
) -> None:
    assert pointers(options(**changes)) == expected


def test_a_header_the_chosen_scheme_does_not_use_may_be_static() -> None:
    # HMAC does not send X-API-Key or Authorization, so a service may need one of its own.
    validated = NdxpAdapterFactory().validate_options(options(headers={"X-API-Key": "k"}))
    assert validated.headers == {"X-API-Key": "k"}


def test_secrets_are_read_at_create_and_never_shown(tmp_path: Path) -> None:
    factory = NdxpAdapterFactory(environ={"NDXP_SECRET": "s3cret-value"})
    assert isinstance(factory.create(factory.validate_options(options())), Adapter)

    missing = NdxpAdapterFactory(environ={})
    with pytest.raises(InvalidOptions) as caught:
        missing.create(missing.validate_options(options()))
    assert caught.value.locations == (
        ("/auth/secret_env", "names an environment variable that is not set"),
    )

    secret_file = tmp_path / "ndxp-secret"
    secret_file.write_text("from-a-file\n", encoding="utf-8")
    from_file = options(auth={"scheme": "hmac", "system": "s", "secret_file": str(secret_file)})
    assert isinstance(factory.create(factory.validate_options(from_file)), Adapter)
    absent = options(auth={"scheme": "hmac", "system": "s", "secret_file": str(tmp_path / "no")})
    with pytest.raises(InvalidOptions) as unreadable:
        factory.create(factory.validate_options(absent))
    assert [pointer for pointer, _ in unreadable.value.locations] == ["/auth/secret_file"]

    api_key = options(
        auth={
            "scheme": "api-key",
            "user": "u",
            "api_key_env": "NO_KEY",
            "secret_env": "NDXP_SECRET",
        }
    )
    with pytest.raises(InvalidOptions) as no_key:
        factory.create(factory.validate_options(api_key))
    assert [pointer for pointer, _ in no_key.value.locations] == ["/auth/api_key_env"]
    assert "s3cret-value" not in str(no_key.value) + repr(no_key.value.locations)


def test_create_takes_only_validated_options() -> None:
    with pytest.raises(TypeError, match="NdxpOptions"):
        NdxpAdapterFactory().create(options())


def test_discovery_constructs_the_factory_without_arguments() -> None:
    from importlib.metadata import EntryPoint

    found = discover(entry_points=[EntryPoint("ndxp", "adapters.ndxp:NdxpAdapterFactory", GROUP)])
    assert type(found["ndxp"]) is NdxpAdapterFactory
