"""Contract checks: the shared pool, closing, and cancelling a call."""

from __future__ import annotations

import asyncio

import pytest

from adapters.errors import AdapterClosed
from tests.unit.adapters.contract_env import ContractEnv, outbound
from tests.unit.adapters.provider import answer, reply


async def check_adapters_of_one_factory_share_the_pool(env: ContractEnv) -> None:
    """Two adapters of one factory reuse one kept-alive connection to the same provider."""
    first, second = env.adapter(), env.adapter()
    for adapter in (first, second, first):
        assert (await adapter.send(outbound("GET", "/ping"))).status == 200
    assert env.provider.connections_accepted == 1


async def check_adapter_aclose_leaves_others_working(env: ContractEnv) -> None:
    """A closed adapter refuses calls; the factory's other adapters carry on."""
    closed, other = env.adapter(), env.adapter()
    await closed.aclose()
    await closed.aclose()
    with pytest.raises(AdapterClosed):
        await closed.send(outbound())
    assert (await other.send(outbound())).status == 200


async def check_factory_aclose_closes_the_pool(env: ContractEnv) -> None:
    """Closing the factory closes its pooled connections; its adapters then refuse calls."""
    adapter = env.adapter()
    await adapter.send(outbound("GET", "/ping"))
    assert env.provider.connections_open == 1
    await env.factory.aclose()
    assert await env.provider.wait_connections_closed(), "the pooled connection is still open"
    with pytest.raises(AdapterClosed):
        await adapter.send(outbound())
    await env.factory.aclose()


async def check_cancelled_call_releases_its_connection(env: ContractEnv) -> None:
    """Cancelling `send` (the exchange's own deadline) closes the half-used connection."""
    env.provider.behaviour = reply(answer(200, b"late").wire(), delay=5.0)
    adapter = env.adapter()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(adapter.send(outbound("GET", "/slow")), timeout=0.1)
    assert await env.provider.wait_connections_closed(), "the cancelled call's connection is open"
    env.provider.behaviour = reply(answer(200, b"ok").wire())
    assert (await adapter.send(outbound())).body == b"ok"
