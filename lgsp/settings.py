"""The exchange's one settings object: environment variables `LGSP_*`, an optional TOML file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

# Secrets that appear in docs and examples; accepting one outside the demo
# would give the province's keys to anyone who read the README.
KNOWN_DEMO_SECRETS = frozenset({"change-me", "demo", "secret", "lgsp-demo-secret"})


class Settings(BaseSettings):
    """Everything the exchange reads from its environment; built once at start, then injected."""

    model_config = SettingsConfigDict(
        env_prefix="LGSP_",
        env_nested_delimiter="__",
        extra="forbid",
        toml_file=None,
    )

    environment: Literal["demo", "production"] = "demo"
    data_dir: Path = Path("var")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; defaults to SQLite at <data_dir>/lgsp.sqlite3",
    )
    sqlite_synchronous: Literal["FULL", "NORMAL", "EXTRA"] = "FULL"
    sqlite_busy_timeout_ms: int = 10_000
    db_pool_size: int = 10
    # Audit transactions in flight at once per worker, each on its own connection. One
    # was fastest on both stores here (bench.run --journal-writers: PostgreSQL on
    # loopback, 1 worker, 32 connections: 1,396 / 1,188 / 957 exchanges/s with 1 / 2 / 3);
    # more may pay where each commit waits on a distant database.
    journal_writers: int = Field(default=1, ge=1, le=16)

    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 1
    public_url: str | None = Field(
        default=None, description="base URL callers use; defaults to http://host:port"
    )
    node_id: str = "node-1"
    # The member that runs this exchange; its operators' first admin credential belongs to it.
    province_code: str = "000.00.00.H57"
    province_name: str = "Ủy ban nhân dân tỉnh Thừa Thiên Huế"

    # Token issuing (RFC 9068). The issuer defaults to the public URL.
    token_issuer: str | None = None
    token_audience: str = "lgsp"
    token_lifetime_seconds: int = Field(default=300, ge=10, le=300)
    token_clock_skew_seconds: int = Field(default=30, ge=0, le=120)
    keys_dir: Path | None = Field(default=None, description="defaults to <data_dir>/keys")
    secret_hash_key: SecretStr | None = Field(
        default=None,
        description="key of the keyed hash of client secrets; generated into keys_dir if unset",
    )

    # How long a registry change may take to reach every node.
    registry_refresh_seconds: float = Field(default=2.0, gt=0, le=60)

    max_body_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    # Failed token requests allowed per client address per minute (brute-force brake).
    token_failures_per_minute: int = Field(default=30, gt=0)

    @model_validator(mode="after")
    def _refuse_demo_secrets(self) -> Settings:
        if self.environment == "production":
            # Client secrets travel in token requests: outside a demo the
            # address callers use must be TLS (terminated here or at a proxy).
            if not self.resolved_public_url.startswith("https://"):
                raise ValueError("LGSP_PUBLIC_URL must be an https URL in production")
            key = self.secret_hash_key
            if key is not None and key.get_secret_value() in KNOWN_DEMO_SECRETS:
                raise ValueError("LGSP_SECRET_HASH_KEY is a published demo value")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Read init arguments, then the environment, then the TOML file named by `LGSP_CONFIG`."""
        import os

        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("LGSP_CONFIG")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to SQLite inside the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'lgsp.sqlite3').as_posix()}"

    @property
    def resolved_keys_dir(self) -> Path:
        """Where generated keys live."""
        return self.keys_dir if self.keys_dir is not None else self.data_dir / "keys"

    @property
    def resolved_public_url(self) -> str:
        """The base URL callers use to reach this node."""
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def resolved_issuer(self) -> str:
        """The `iss` of tokens this exchange issues."""
        return self.token_issuer or self.resolved_public_url
