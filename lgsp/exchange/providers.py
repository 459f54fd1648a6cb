"""One adapter per registered service, made by its kind's factory, kept while its options hold."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from adapters.base import Adapter, AdapterFactory
from registry.snapshot import ServiceView


class UnknownAdapter(LookupError):
    """A service names an adapter kind no installed plug-in provides."""


def _plain(value: Any) -> Any:
    """The snapshot's frozen JSON as ordinary dicts and lists."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


class Providers:
    """Adapters by service; a registry change of a service's options makes a new one."""

    def __init__(self, factories: Mapping[str, AdapterFactory]) -> None:
        self._factories = dict(factories)
        self._adapters: dict[str, tuple[str, Adapter]] = {}

    @property
    def kinds(self) -> frozenset[str]:
        """The adapter kinds installed."""
        return frozenset(self._factories)

    async def adapter_for(self, service: ServiceView) -> Adapter:
        """The adapter that reaches `service`, made on first use."""
        options = _plain(service.adapter_options)
        fingerprint = service.adapter + json.dumps(options, sort_keys=True)
        held = self._adapters.get(service.id)
        if held is not None and held[0] == fingerprint:
            return held[1]
        factory = self._factories.get(service.adapter)
        if factory is None:
            raise UnknownAdapter(f"no adapter of kind {service.adapter!r} is installed")
        adapter = factory.create(factory.validate_options(options))
        self._adapters[service.id] = (fingerprint, adapter)
        if held is not None:
            await held[1].aclose()
        return adapter

    async def aclose(self) -> None:
        """Close every adapter, then the factories' shared clients."""
        for _fingerprint, adapter in self._adapters.values():
            await adapter.aclose()
        self._adapters.clear()
        for factory in self._factories.values():
            await factory.aclose()
