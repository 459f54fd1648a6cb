"""Fakes for the token tests: a settable clock, a registry snapshot, generated keys."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from lgsp.auth.keys import KeyMaterial, ensure_keys, load_keys
from lgsp.auth.tokens import TokenService
from lgsp.settings import Settings
from registry.secrets import SecretHasher
from registry.snapshot import CredentialView, Snapshot

ISSUER = "https://lgsp.example.gov.vn"
AUDIENCE = "lgsp"
START = 1_750_000_000.0
SECRET = "correct-horse-battery-staple-0123456789abcdef"


@dataclass
class FakeClock:
    """Seconds since the epoch, moved by the test."""

    now: float = START

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward (or back, with a negative value)."""
        self.now += seconds


@dataclass
class FakeRegistry:
    """A `SnapshotSource` whose credentials a test edits directly."""

    credentials: dict[str, CredentialView] = field(default_factory=dict)

    @property
    def snapshot(self) -> Snapshot:
        """A snapshot of the current credentials."""
        return Snapshot(revision=1, credentials=dict(self.credentials))

    def add(self, credential: CredentialView) -> CredentialView:
        """Put a credential in the registry."""
        self.credentials[credential.client_id] = credential
        return credential

    def revoke(self, client_id: str) -> None:
        """Mark a credential revoked."""
        self.credentials[client_id] = replace(self.credentials[client_id], revoked=True)


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> KeyMaterial:
    """One generated key set for the session."""
    keys_dir: Path = tmp_path_factory.mktemp("keys")
    ensure_keys(keys_dir)
    return load_keys(keys_dir, settings=Settings(data_dir=keys_dir))


@pytest.fixture
def hasher(keys: KeyMaterial) -> SecretHasher:
    """The secret hasher the runtime would build from `keys`."""
    return SecretHasher(keys.secret_hash_key, key_id=keys.secret_hash_key_id)


@pytest.fixture
def clock() -> FakeClock:
    """A clock at a fixed instant."""
    return FakeClock()


@pytest.fixture
def registry(hasher: SecretHasher) -> FakeRegistry:
    """A registry with an admin client `c_admin` and an exchange-only client `c_ex`."""
    fake = FakeRegistry()
    fake.add(
        CredentialView(
            client_id="c_admin",
            system_id="000.00.00.H57:HUE-S",
            secret_hash=hasher.hash(SECRET),
            scopes=frozenset({"exchange", "admin"}),
            revoked=False,
        )
    )
    fake.add(
        CredentialView(
            client_id="c_ex",
            system_id="000.00.00.H57:DVC",
            secret_hash=hasher.hash(SECRET),
            scopes=frozenset({"exchange"}),
            revoked=False,
        )
    )
    return fake


MakeService = Callable[..., TokenService]


@pytest.fixture
def make_service(keys: KeyMaterial, registry: FakeRegistry, clock: FakeClock) -> MakeService:
    """Build a token service; keyword arguments override the defaults."""

    def make(**overrides: object) -> TokenService:
        args: dict[str, object] = {
            "keys": keys,
            "issuer": ISSUER,
            "audience": AUDIENCE,
            "lifetime_seconds": 300,
            "clock_skew_seconds": 30,
            "registry": registry,
            "clock": clock,
        }
        args.update(overrides)
        return TokenService(**args)  # type: ignore[arg-type]

    return make


@pytest.fixture
def service(make_service: MakeService) -> TokenService:
    """The token service with default settings."""
    return make_service()
