"""Finding adapter factories through the `lgsp.adapters` entry-point group."""

from __future__ import annotations

import tomllib
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from adapters.discovery import GROUP, discover
from adapters.errors import PluginError
from adapters.rest import RestAdapterFactory
from tests.unit.adapters.plugins import SoapishFactory

PLUGINS = "tests.unit.adapters.plugins"
PYPROJECT = Path(__file__).resolve().parents[3] / "pyproject.toml"


def entry(name: str, value: str) -> EntryPoint:
    """An entry point of the adapters' group."""
    return EntryPoint(name, value, GROUP)


def test_injected_entry_points_make_one_factory_per_kind() -> None:
    factories = discover(
        entry_points=[
            entry("rest", "adapters.rest:RestAdapterFactory"),
            entry("soapish", f"{PLUGINS}:SoapishFactory"),
        ]
    )
    assert sorted(factories) == ["rest", "soapish"]
    assert type(factories["rest"]) is RestAdapterFactory
    assert type(factories["soapish"]) is SoapishFactory


def test_no_entry_points_no_factories() -> None:
    assert discover(entry_points=[]) == {}


def test_the_same_entry_point_seen_twice_counts_once() -> None:
    twice = [entry("rest", "adapters.rest:RestAdapterFactory")] * 2
    assert list(discover(entry_points=twice)) == ["rest"]


def test_two_plugins_for_one_kind_are_refused() -> None:
    clash = [
        entry("rest", "adapters.rest:RestAdapterFactory"),
        entry("rest", f"{PLUGINS}:wrong_kind"),
    ]
    with pytest.raises(PluginError, match="registered twice"):
        discover(entry_points=clash)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("adapters.no_such_module:Factory", "cannot import"),
        (f"{PLUGINS}:NoSuchName", "cannot import"),
        (f"{PLUGINS}:NOT_CALLABLE", "not a class or a callable"),
        (f"{PLUGINS}:NeedsArguments", "without arguments"),
        (f"{PLUGINS}:NotAFactory", "does not make an AdapterFactory"),
        (f"{PLUGINS}:wrong_kind", "serves kind 'rest'"),
    ],
)
def test_broken_plugins_stop_discovery(value: str, problem: str) -> None:
    name = "soapish" if value.endswith("wrong_kind") else "broken"
    with pytest.raises(PluginError, match=problem) as caught:
        discover(entry_points=[entry(name, value)])
    if problem in ("cannot import", "without arguments"):
        assert caught.value.__cause__ is not None


def declared_entry_points() -> dict[str, str]:
    """The `lgsp.adapters` entry points pyproject.toml declares."""
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    declared: dict[str, str] = project.get("entry-points", {}).get(GROUP, {})
    return declared


def test_installed_entry_points_find_the_rest_adapter() -> None:
    """The real group; fails until `pip install -e .` follows a change of its entry points."""
    declared = declared_entry_points()
    assert declared.get("rest") == "adapters.rest:RestAdapterFactory"
    factories = discover()
    missing = sorted(set(declared) - set(factories))
    assert not missing, f"{missing} not installed: run pip install -e . after editing pyproject"
    assert type(factories["rest"]) is RestAdapterFactory


def test_discover_reads_installed_distributions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default path: importlib.metadata finds a distribution's group on sys.path."""
    dist_info = tmp_path / "lgsp_soapish_plugin-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: lgsp-soapish-plugin\nVersion: 1.0\n", encoding="utf-8"
    )
    (dist_info / "entry_points.txt").write_text(
        f"[{GROUP}]\nsoapish = {PLUGINS}:SoapishFactory\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert type(discover()["soapish"]) is SoapishFactory
