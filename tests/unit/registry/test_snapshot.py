"""The snapshot: read-only views and lookups."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from registry.snapshot import CredentialView, Snapshot, freeze_json, freeze_json_object


def test_frozen_json_cannot_be_changed_by_a_handler() -> None:
    source = {"base_url": "http://x", "headers": {"Accept": "application/json"}, "list": [1, 2]}
    frozen = freeze_json_object(source)
    assert frozen == {
        "base_url": "http://x",
        "headers": {"Accept": "application/json"},
        "list": (1, 2),
    }
    assert isinstance(frozen, MappingProxyType)
    with pytest.raises(TypeError):
        frozen["base_url"] = "http://evil"  # type: ignore[index]
    headers = frozen["headers"]
    assert isinstance(headers, MappingProxyType)
    # A deep copy: changing the source later changes nothing in the snapshot.
    source["headers"]["Accept"] = "text/html"  # type: ignore[index]
    assert headers["Accept"] == "application/json"


def test_only_json_values_freeze() -> None:
    with pytest.raises(TypeError):
        freeze_json({"a": object()})
    with pytest.raises(TypeError):
        freeze_json_object([1, 2])


def test_the_empty_snapshot_still_answers_credential_lookups() -> None:
    view = CredentialView(
        client_id="c", system_id="s", secret_hash="h", scopes=frozenset(), revoked=False
    )
    snapshot = Snapshot(revision=3, credentials={"c": view})
    assert snapshot.credential("c") is view
    assert snapshot.credential("d") is None
    assert snapshot.member("000.00.00.H57") is None
    assert snapshot.rules_for(client_system_id="a", service_id="b") == ()
