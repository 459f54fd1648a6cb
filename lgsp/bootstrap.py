"""The composition root: the only place that names concrete classes and wires them together."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from adapters.discovery import discover
from audit.signing import Ed25519Signer
from lgsp.audit_signing import (
    AUDIT_KEY_FILE,
    ensure_audit_key,
    load_audit_signer,
    publish_audit_key,
)
from lgsp.auth.keys import KeyMaterial, ensure_keys, load_keys
from lgsp.auth.tokens import TokenService
from lgsp.config_audit import audit_registry_changes
from lgsp.db.engine import make_engine
from lgsp.exchange.journal import Journal
from lgsp.exchange.providers import Providers
from lgsp.registry_cache import RegistryCache
from lgsp.settings import Settings
from registry.secrets import SecretHasher
from schemas.catalogue import Catalogue
from schemas.validation import SchemaValidators


@dataclass
class Runtime:
    """Everything a node's request handlers use, built once at start."""

    settings: Settings
    engine: Engine
    keys: KeyMaterial
    hasher: SecretHasher
    registry: RegistryCache
    tokens: TokenService
    audit_signer: Ed25519Signer
    journal: Journal
    validators: SchemaValidators
    providers: Providers


def engine_for(settings: Settings) -> Engine:
    """The engine the settings name; once the node has its audit key, every registry change
    written through it is also a signed `config-change` entry (see `config_audit`)."""
    engine = make_engine(
        settings.resolved_database_url,
        sqlite_synchronous=settings.sqlite_synchronous,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        pool_size=settings.db_pool_size,
    )
    if (settings.resolved_keys_dir / AUDIT_KEY_FILE).exists():
        audit_registry_changes(
            engine, signer=load_audit_signer(settings.resolved_keys_dir), node=settings.node_id
        )
    return engine


def catalogue_for(_settings: Settings) -> Catalogue:
    """The schemas this node validates with, and so the ones its services may name."""
    return Catalogue.builtin()


def prepare(settings: Settings) -> None:
    """Create the data directory, migrate the database and generate missing keys.

    Runs once in the parent process, before any worker is forked, so that
    workers never race each other on migrations or key files.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    keys_dir = settings.resolved_keys_dir
    ensure_keys(keys_dir)
    ensure_audit_key(keys_dir)
    engine = engine_for(settings)
    try:
        # Imported here: serving workers never migrate, and Alembic costs each ~10 MiB.
        from lgsp.db import migrate

        migrate.upgrade(engine)
        publish_audit_key(engine, load_audit_signer(keys_dir))
    finally:
        engine.dispose()


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
    audit_signer = load_audit_signer(settings.resolved_keys_dir)
    validators = SchemaValidators(catalogue_for(settings))
    # Every registered schema compiles here, so a broken one stops the start, not a call.
    validators.compile_all()
    return Runtime(
        settings=settings,
        engine=engine,
        keys=keys,
        hasher=hasher,
        registry=registry,
        tokens=tokens,
        audit_signer=audit_signer,
        journal=Journal(engine, signer=audit_signer, writers=settings.journal_writers),
        validators=validators,
        providers=Providers(discover()),
    )
