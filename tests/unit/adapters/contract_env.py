"""What the contract checks share: the harness, the environment, request and error helpers."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field

import pytest

from adapters.base import Adapter, AdapterFactory, OutboundRequest, Timeouts
from adapters.errors import UpstreamError
from tests.unit.adapters.provider import RawProvider, raw_provider

# Short timeouts keep the suite fast; the slow provider waits well past them.
SHORT = 0.3
BASE_PATH = "/api"
API_KEY = ("X-Api-Key", "provider-key-0001")
# Personal data that must never appear in an error message.
SECRET_QUERY = "so_cccd=001099012345"
SECRET_BODY = b'{"ho_ten": "Nguyen Van A"}'


@dataclass(frozen=True)
class Harness:
    """How to configure one adapter kind to talk to a loopback provider.

    `path_prefix` is what the kind puts between the base URL's path and the provider path
    (NDXP: the service's `/r1/...`); `own_headers` (lower-case) are headers the kind adds
    itself, which the header check leaves aside; `environment` holds variables the options
    name (secrets are never in options), set while the check runs.
    """

    options_for: Callable[[str, Mapping[str, str], int | None], Mapping[str, object]]
    path_prefix: str = ""
    own_headers: frozenset[str] = frozenset()
    environment: Mapping[str, str] = field(default_factory=dict)


@dataclass
class ContractEnv:
    """A fresh factory of the kind under test and a started raw provider."""

    harness: Harness
    factory: AdapterFactory
    provider: RawProvider
    static_headers: dict[str, str] = field(default_factory=lambda: dict([API_KEY]))

    def adapter(
        self, *, base_url: str | None = None, max_response_bytes: int | None = None
    ) -> Adapter:
        """An adapter to the raw provider (or `base_url`) with the static API key header."""
        url = base_url if base_url is not None else self.provider.url(BASE_PATH)
        raw = self.harness.options_for(url, self.static_headers, max_response_bytes)
        return self.factory.create(self.factory.validate_options(raw))


def outbound(
    method: str = "GET",
    path: str = "",
    query: str = "",
    *,
    headers: tuple[tuple[str, str], ...] = (),
    body: bytes = b"",
    connect: float = 2.0,
    read: float = 2.0,
) -> OutboundRequest:
    """An `OutboundRequest` with generous timeouts unless told otherwise."""
    return OutboundRequest(
        method=method,
        path=path,
        query=query,
        headers=headers,
        body=body,
        exchange_id="0190a6c4-0000-7000-8000-000000000001",
        timeouts=Timeouts(connect=connect, read=read),
    )


async def expect_error(
    adapter: Adapter,
    request: OutboundRequest,
    error: type[UpstreamError],
    *,
    from_transport: bool = True,
) -> tuple[UpstreamError, float]:
    """Send `request`, expecting `error`; return it and the seconds it took.

    Also checks what every upstream error must do: hide body and query, and keep the
    transport's own error as the cause when there was one (`from_transport`).
    """
    started = time.monotonic()
    with pytest.raises(error) as caught:
        await adapter.send(request)
    elapsed = time.monotonic() - started
    text = str(caught.value)
    if request.query:
        assert request.query not in text
    if request.body:
        assert request.body.decode("utf-8", "replace") not in text
    if from_transport:
        assert caught.value.__cause__ is not None, "the transport's own error must be kept"
    return caught.value, elapsed


@contextlib.asynccontextmanager
async def contract_env(*, harness: Harness, factory: AdapterFactory) -> AsyncIterator[ContractEnv]:
    """A started raw provider around `factory`, with the harness's environment; all undone after."""
    saved = {name: os.environ.get(name) for name in harness.environment}
    os.environ.update(harness.environment)
    try:
        async with raw_provider() as provider:
            try:
                yield ContractEnv(harness=harness, factory=factory, provider=provider)
            finally:
                await factory.aclose()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
