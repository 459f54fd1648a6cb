"""The simulator's configuration: its clients and their credentials, token and limit settings.

Read from a JSON file (`--config`), from the `LGSP_NDXP_SIM_CONFIG` environment
variable holding the JSON, or generated for a demo with random secrets.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from ndxp_client import protocol
from ndxp_client.simulator.errors import SimulatorError
from ndxp_client.simulator.faults import FaultSettings

ENV_VAR = "LGSP_NDXP_SIM_CONFIG"
Scheme = Literal["oauth2", "hmac", "api-key"]
ALL_SCHEMES: frozenset[Scheme] = frozenset({"oauth2", "hmac", "api-key"})
DEMO_CLIENT_ID = "lgsp-h57"
DEMO_XROAD_CLIENT = "VN/GOV/000.00.00.H57/LGSP"


class ConfigError(SimulatorError):
    """The configuration cannot be read or is not valid."""


class ClientConfig(BaseModel):
    """One system allowed to call the simulator, with the credentials of each scheme it may use."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    client_id: str = Field(
        pattern=r"^[A-Za-z0-9._~-]{1,64}$",
        description="OAuth2 client id; also the HMAC system id and API-key user unless set apart",
    )
    secret: SecretStr = Field(min_length=16, description="client secret, HMAC and hash key")
    api_key: SecretStr | None = Field(default=None, description="X-API-Key value")
    hmac_system: str | None = Field(
        default=None, pattern=r"^[!-~]{1,128}$", description="X-NDXP-System, if not client_id"
    )
    api_user: str | None = Field(
        default=None, pattern=r"^[!-9;-~]{1,128}$", description="the Basic user, if not client_id"
    )
    xroad_client: str = Field(
        pattern=r"^[^/\s]+/[^/\s]+/[^/\s]+/[^/\s]+$",
        description="the X-Road-Client it must send: INSTANCE/CLASS/MEMBER/SUBSYSTEM",
    )
    schemes: frozenset[Scheme] = ALL_SCHEMES

    @property
    def system(self) -> str:
        """The id it signs HMAC requests under (`X-NDXP-System`)."""
        return self.hmac_system or self.client_id

    @property
    def user(self) -> str:
        """The user its timestamped-hash credential names."""
        return self.api_user or self.client_id

    @model_validator(mode="after")
    def _api_key_when_needed(self) -> Self:
        if "api-key" in self.schemes and self.api_key is None:
            raise ValueError(f"client {self.client_id}: the api-key scheme needs an api_key")
        return self


class SimulatorConfig(BaseModel):
    """Everything the simulator needs at start."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    clients: tuple[ClientConfig, ...] = Field(min_length=1)
    control_token: SecretStr | None = Field(
        default=None,
        description="Bearer token for /_sim/*; without one they answer loopback callers only",
    )
    token_format: Literal["opaque", "jwt"] = "opaque"
    token_lifetime_seconds: int = Field(default=300, ge=1, le=86_400)
    token_issuer: str = "ndxp-simulator"
    clock_skew_seconds: int = Field(default=protocol.MAX_CLOCK_SKEW_SECONDS, ge=0, le=3600)
    max_body_bytes: int = Field(default=1_048_576, ge=1024, le=64 * 1_048_576)
    history_limit: int = Field(
        default=10_000, ge=10, description="records, effects, message ids and stored items kept"
    )
    register_size: int = Field(default=24, ge=1, le=1000)
    register_seed: int = 57
    faults: FaultSettings = FaultSettings()

    @model_validator(mode="after")
    def _unique_credentials(self) -> Self:
        for what, ids in (
            ("client ids", [c.client_id for c in self.clients]),
            ("HMAC system ids", [c.system for c in self.clients]),
        ):
            if len(set(ids)) != len(ids):
                raise ValueError(f"{what} must be unique")
        keys = [c.api_key.get_secret_value() for c in self.clients if c.api_key is not None]
        if len(set(keys)) != len(keys):
            raise ValueError("API keys must be unique")
        return self


def demo_config(*, with_control_token: bool = False) -> SimulatorConfig:
    """A one-client configuration with fresh random secrets."""
    client = ClientConfig(
        client_id=DEMO_CLIENT_ID,
        secret=SecretStr(secrets.token_urlsafe(32)),
        api_key=SecretStr(secrets.token_urlsafe(24)),
        xroad_client=DEMO_XROAD_CLIENT,
    )
    token = SecretStr(secrets.token_urlsafe(32)) if with_control_token else None
    return SimulatorConfig(clients=(client,), control_token=token)


def parse_config(text: str, *, origin: str) -> SimulatorConfig:
    """The configuration in JSON `text`; `ConfigError` naming `origin` if it is not valid."""
    try:
        return SimulatorConfig.model_validate_json(text)
    except ValidationError as exc:
        # Pydantic's message would echo the offending input, secrets included.
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '/'}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"{origin}: invalid simulator configuration: {problems}") from None


def load_config(
    *, path: Path | None, environ: Mapping[str, str] = os.environ
) -> SimulatorConfig | None:
    """The configuration from `path`, else from `LGSP_NDXP_SIM_CONFIG`; `None` if neither."""
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read: {exc}") from exc
        return parse_config(text, origin=str(path))
    text = environ.get(ENV_VAR, "").strip()
    return parse_config(text, origin=ENV_VAR) if text else None


def config_json(config: SimulatorConfig) -> str:
    """The configuration as JSON, secrets in clear: write it where only its owner can read."""
    data = config.model_dump(mode="json")
    for client, model in zip(data["clients"], config.clients, strict=True):
        client["secret"] = model.secret.get_secret_value()
        client["api_key"] = model.api_key.get_secret_value() if model.api_key else None
        client["schemes"] = sorted(model.schemes)
    if config.control_token is not None:
        data["control_token"] = config.control_token.get_secret_value()
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
