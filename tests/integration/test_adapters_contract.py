"""Every discovered adapter kind passes the adapter contract against real loopback providers."""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

import pytest

from adapters.discovery import GROUP, load_factory
from tests.unit.adapters.contract import CHECKS, HARNESSES, Check
from tests.unit.adapters.contract_env import contract_env


def _entry_points() -> dict[str, EntryPoint]:
    # The installed group, plus the in-tree adapters: the contract must run even before
    # the distribution is reinstalled with its entry points (test_discovery checks those).
    found = {entry_point.name: entry_point for entry_point in entry_points(group=GROUP)}
    found.setdefault("rest", EntryPoint("rest", "adapters.rest:RestAdapterFactory", GROUP))
    found.setdefault("ndxp", EntryPoint("ndxp", "adapters.ndxp:NdxpAdapterFactory", GROUP))
    return found


ENTRY_POINTS = _entry_points()


@pytest.fixture
def anyio_backend() -> str:
    """The checks use asyncio streams and aiohttp: asyncio only."""
    return "asyncio"


@pytest.mark.anyio
@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__.removeprefix("check_"))
@pytest.mark.parametrize("kind", sorted(ENTRY_POINTS))
async def test_adapter_contract(kind: str, check: Check) -> None:
    harness = HARNESSES.get(kind)
    if harness is None:
        pytest.fail(f"adapter kind {kind!r} has no Harness in tests/unit/adapters/contract.py")
    async with contract_env(harness=harness, factory=load_factory(ENTRY_POINTS[kind])) as env:
        await check(env)
