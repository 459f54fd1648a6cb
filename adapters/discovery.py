"""Finding adapter factories through the `lgsp.adapters` entry-point group.

A distribution registers a factory class (or any callable that returns a factory) under
the adapter kind it serves, e.g. `rest = "adapters.rest:RestAdapterFactory"`. Discovery
runs once at start and fails loudly: a broken plug-in must stop the node, not vanish.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import EntryPoint
from importlib.metadata import entry_points as installed_entry_points

from adapters.base import AdapterFactory
from adapters.errors import PluginError

GROUP = "lgsp.adapters"


def discover(*, entry_points: Iterable[EntryPoint] | None = None) -> dict[str, AdapterFactory]:
    """One factory per adapter kind, from `entry_points` or else the installed `lgsp.adapters`."""
    found = installed_entry_points(group=GROUP) if entry_points is None else entry_points
    targets: dict[str, str] = {}
    factories: dict[str, AdapterFactory] = {}
    for entry_point in found:
        previous = targets.setdefault(entry_point.name, entry_point.value)
        if entry_point.name in factories:
            # The same distribution seen twice on sys.path (an editable install) is harmless.
            if previous == entry_point.value:
                continue
            raise PluginError(
                f"adapter kind {entry_point.name!r} is registered twice: "
                f"{previous} and {entry_point.value}"
            )
        factories[entry_point.name] = load_factory(entry_point)
    return factories


def load_factory(entry_point: EntryPoint) -> AdapterFactory:
    """Load one entry point, call it with no arguments, and check that it made a factory."""
    where = f"adapter plug-in {entry_point.name!r} ({entry_point.value})"
    try:
        target = entry_point.load()
    except Exception as exc:
        raise PluginError(f"cannot import {where}") from exc
    if not callable(target):
        raise PluginError(f"{where} is not a class or a callable")
    try:
        factory = target()
    except Exception as exc:
        raise PluginError(f"cannot construct {where} without arguments") from exc
    if not isinstance(factory, AdapterFactory):
        raise PluginError(f"{where} does not make an AdapterFactory")
    if factory.kind != entry_point.name:
        raise PluginError(f"{where} serves kind {factory.kind!r}, not its entry-point name")
    return factory
