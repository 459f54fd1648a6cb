"""`adapter_options` of an `ndxp` service, and the secrets they name (never hold).

A secret is named by `secret_env` (an environment variable) or `secret_file` (a file whose
content, less a final line break, is the secret); it is read when the adapter is created,
so options can be stored, shown and compared without exposing it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from adapters.errors import InvalidOptions
from ndxp_client import protocol
from ndxp_client.checks import FRAMING_HEADERS, check_base_url, is_header_value, is_token

DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024
# Headers the client sets on every call, whatever the scheme.
XROAD_HEADERS = frozenset(
    name.lower()
    for name in (protocol.CLIENT, protocol.MESSAGE_ID, protocol.USER_ID, protocol.IDEMPOTENCY_KEY)
)
_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True)


def _nonempty(text: str) -> str:
    if not text or not is_header_value(text):
        raise ValueError("must be a non-empty text without control characters")
    return text


def _env_name(name: str) -> str:
    if not name or not all(char.isalnum() or char == "_" for char in name) or not name.isascii():
        raise ValueError("must name an environment variable (letters, digits, _)")
    return name


def _url(url: str) -> str:
    check_base_url(url)
    return url


Text = Annotated[str, AfterValidator(_nonempty)]
EnvName = Annotated[str, AfterValidator(_env_name)]


class _Secret(BaseModel):
    """Exactly one of `secret_env` and `secret_file`."""

    model_config = _STRICT

    secret_env: EnvName | None = None
    secret_file: Text | None = None

    @model_validator(mode="after")
    def _one_source(self) -> _Secret:
        if (self.secret_env is None) == (self.secret_file is None):
            raise ValueError("give exactly one of secret_env and secret_file")
        return self


class OAuth2Auth(_Secret):
    """OAuth2 client credentials: a bearer token from `token_url`, client id and secret."""

    scheme: Literal["oauth2"]
    token_url: Annotated[str, AfterValidator(_url)]
    client_id: Text
    scope: Text | None = None
    refresh_leeway_seconds: float = Field(default=30.0, ge=0, allow_inf_nan=False)

    @field_validator("client_id")
    @classmethod
    def _no_colon(cls, client_id: str) -> str:
        if ":" in client_id:
            raise ValueError("cannot contain ':' (it is sent with HTTP Basic)")
        return client_id


class HmacAuth(_Secret):
    """HMAC-signed headers under a system id and a shared secret."""

    scheme: Literal["hmac"]
    system: Text


class ApiKeyAuth(_Secret):
    """The timestamped-hash credential: an API key, a user, and a secret."""

    scheme: Literal["api-key"]
    user: Text
    api_key_env: EnvName | None = None
    api_key_file: Text | None = None

    @model_validator(mode="after")
    def _one_key_source(self) -> ApiKeyAuth:
        if (self.api_key_env is None) == (self.api_key_file is None):
            raise ValueError("give exactly one of api_key_env and api_key_file")
        if ":" in self.user:
            raise ValueError("user cannot contain ':' (it is sent with HTTP Basic)")
        return self


AuthOptions = Annotated[OAuth2Auth | HmacAuth | ApiKeyAuth, Field(discriminator="scheme")]
AUTH_HEADERS = {
    "oauth2": frozenset({protocol.AUTHORIZATION.lower()}),
    "hmac": frozenset(
        name.lower()
        for name in (protocol.HMAC_SYSTEM, protocol.HMAC_TIMESTAMP, protocol.HMAC_SIGNATURE)
    ),
    "api-key": frozenset(
        name.lower() for name in (protocol.API_KEY, protocol.API_TIMESTAMP, protocol.AUTHORIZATION)
    ),
}


class NdxpOptions(BaseModel):
    """`adapter_options` of an `ndxp` service."""

    # Strict: options come from JSON, where "10" is not a number and unknown keys are typos.
    model_config = _STRICT

    base_url: str = Field(description="http(s) URL of NDXP; the service path is appended")
    client: str = Field(description="X-Road-Client of this province, e.g. VN/GOV/<member>/LGSP")
    service: str = Field(description="NDXP service id: instance/class/member/subsystem/code")
    auth: AuthOptions
    headers: dict[str, str] = Field(default_factory=dict, description="static headers")
    max_response_bytes: int = Field(default=DEFAULT_MAX_RESPONSE_BYTES, gt=0)
    require_request_hash: bool = False

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, url: str) -> str:
        return check_base_url(url)

    @field_validator("client")
    @classmethod
    def _check_client(cls, client: str) -> str:
        protocol.client_id_parts(client)
        if not is_header_value(client):
            raise ValueError("holds a character a header cannot")
        return client

    @field_validator("service")
    @classmethod
    def _check_service(cls, service: str) -> str:
        protocol.service_path(service)
        if not all("!" <= char <= "~" for char in service):
            raise ValueError("must be visible ASCII (percent-encoded)")
        return service

    @field_validator("headers")
    @classmethod
    def _check_headers(cls, headers: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        # `auth` is declared first, so it is validated (or failed) by now.
        auth = info.data.get("auth")
        reserved = FRAMING_HEADERS | XROAD_HEADERS
        reserved |= AUTH_HEADERS[auth.scheme] if auth is not None else frozenset()
        lowered = [name.lower() for name in headers]
        if len(set(lowered)) != len(lowered):
            raise ValueError("names the same header twice (header names ignore case)")
        for name, value in headers.items():
            if not is_token(name) or not is_header_value(value):
                raise ValueError("holds a name or value HTTP does not allow")
            if name.lower() in reserved:
                raise ValueError(f"cannot set {name}: the adapter sets it")
        return headers


def fix_pointers(error: InvalidOptions) -> InvalidOptions:
    """`error` with the union's tag taken out of `/auth/<scheme>/...` pointers."""
    tags = tuple(f"/auth/{scheme}" for scheme in AUTH_HEADERS)
    locations = []
    for pointer, problem in error.locations:
        for tag in tags:
            if pointer == tag or pointer.startswith(tag + "/"):
                pointer = "/auth" + pointer[len(tag) :]
                break
        locations.append((pointer, problem))
    return InvalidOptions(str(error), locations)


def read_secret(
    *, env: str | None, file: str | None, pointer: str, environ: Mapping[str, str] | None
) -> str:
    """The secret `env` (else `file`) names; `InvalidOptions` (without the value) if missing."""
    if env is not None:
        value = (os.environ if environ is None else environ).get(env, "")
        where, problem = f"{pointer}_env", "names an environment variable that is not set"
    else:
        where, problem = f"{pointer}_file", "names a file that cannot be read"
        try:
            text = Path(file).read_text(encoding="utf-8") if file else ""
        except (OSError, UnicodeDecodeError):
            text = ""
        # `echo secret > file` adds a line break that is not part of the secret.
        value = text.removesuffix("\n").removesuffix("\r")
    if not value:
        raise InvalidOptions("a secret of the 'ndxp' adapter is not available", [(where, problem)])
    return value
