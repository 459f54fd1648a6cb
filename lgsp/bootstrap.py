"""The composition root: the only place that names concrete classes and wires them together."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from lgsp.auth.keys import KeyMaterial, ensure_keys, load_keys
from lgsp.auth.tokens import TokenService
from lgsp.db import migrate
from lgsp.db.engine import make_engine
from lgsp.registry_cache import RegistryCache
from lgsp.settings import Settings
from registry.secrets import SecretHasher


@dataclass
class Runtime:
    """Everything a node's request handlers use, built once at start."""

    settings: Settings
    engine: Engine
    keys: KeyMaterial
    hasher: SecretHasher
    registry: RegistryCache
    tokens: TokenService


def engine_for(settings: Settings) -> Engine:
    """The engine the settings name."""
    return make_engine(
        settings.resolved_database_url,
        sqlite_synchronous=settings.sqlite_synchronous,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        pool_size=settings.db_pool_size,
    )


def prepare(settings: Settings) -> None:
    """Create the data directory, migrate the database and generate missing keys.

    Runs once in the parent process, before any worker is forked, so that
    workers never race each other on migrations or key files.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = engine_for(settings)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    ensure_keys(settings.resolved_keys_dir)


def build_runtime(settings: Settings) -> Runtime:
    """Wire a node's runtime from settings; `prepare` must have run."""
    engine = engine_for(settings)
    keys = load_keys(settings.resolved_keys_dir, settings=settings)
    hasher = SecretHasher(keys.secret_hash_key, key_id=keys.secret_hash_key_id)
    registry = RegistryCache(engine, refresh_seconds=settings.registry_refresh_seconds)
    tokens = TokenService(
        keys=keys,
        issuer=settings.resolved_issuer,
        audience=settings.token_audience,
        lifetime_seconds=settings.token_lifetime_seconds,
        clock_skew_seconds=settings.token_clock_skew_seconds,
        registry=registry,
    )
    return Runtime(
        settings=settings,
        engine=engine,
        keys=keys,
        hasher=hasher,
        registry=registry,
        tokens=tokens,
    )
