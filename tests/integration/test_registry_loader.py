"""Loading the declarative file: idempotent, minimal updates, full validation, pruning."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from registry import changes, credentials, members, rules, services, systems
from registry.errors import Invalid
from registry.loader import load
from registry.report import LoadReport
from tests import factories as f
from tests.factories import EXAMPLE_FILE, change_count, transaction

pytestmark = pytest.mark.storage
ACTOR = "cli:operator"


def _example() -> dict[str, Any]:
    data = yaml.safe_load(EXAMPLE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _load(engine: Engine, document: Any, *, prune: bool = False) -> LoadReport:
    with transaction(engine) as session:
        return load(session, document, actor=ACTOR, hasher=f.hasher(), prune=prune)


def _state(session: Session) -> dict[str, Any]:
    """The registry's entities without timestamps (which say when, not what)."""
    drop = {"created_at", "updated_at", "id"}
    return {
        "members": [m.model_dump(exclude=drop) for m in members.list_all(session=session)],
        "systems": [s.model_dump(exclude=drop) for s in systems.list_all(session=session)],
        "services": [s.model_dump(exclude=drop) for s in services.list_all(session=session)],
        "rules": [r.model_dump(exclude=drop) for r in rules.list_all(session=session)],
        "credentials": [c.model_dump(exclude=drop) for c in credentials.list_all(session=session)],
    }


def test_loading_the_example_twice_leaves_the_same_state_and_writes_nothing_new(
    engine: Engine,
) -> None:
    first = _load(engine, EXAMPLE_FILE.read_bytes())
    assert {k: c.created for k, c in first.counts.items()} == {
        "member": 2,
        "system": 3,
        "service": 2,
        "access_rule": 3,
        "credential": 2,
    }
    assert set(first.secrets) == {"ioc-dashboard", "hue-s-backend"}
    with transaction(engine) as session:
        state, count, revision = (
            _state(session),
            change_count(session),
            changes.revision(session=session),
        )
        full = changes.list_changes(session=session, limit=1000).items
    assert count == 12
    assert {c.actor for c in full} == {ACTOR}
    for secret in first.secrets.values():
        assert all(secret not in str([c.before, c.after]) for c in full)

    second = _load(engine, EXAMPLE_FILE.read_text(encoding="utf-8"))
    assert not second.changed
    assert second.secrets == {}
    assert sum(c.unchanged for c in second.counts.values()) == 12
    with transaction(engine) as session:
        assert _state(session) == state
        assert change_count(session) == count
        assert changes.revision(session=session) == revision


def test_an_edited_file_updates_only_what_changed(engine: Engine) -> None:
    _load(engine, EXAMPLE_FILE.read_bytes())
    with transaction(engine) as session:
        before = _state(session)
        revision = changes.revision(session=session)
    edited = _example()
    edited["members"][1]["name"] = "Sở Tài nguyên và Môi trường"
    edited["services"][0]["timeout_seconds"] = 20
    edited["services"][0]["adapter_options"]["base_url"] = "http://127.0.0.1:9201/api"
    edited["credentials"][0]["scopes"] = ["exchange", "auditor"]
    edited["access_rules"].append(
        {
            "client_system_id": "000.00.12.H57:QUAN-TRAC",
            "service_id": "000.00.00.H57:HUE-S/phan-anh-hien-truong/v1",
            "method": "POST",
            "path_template": "/reports",
        }
    )
    report = _load(engine, yaml.safe_dump(edited, allow_unicode=True))
    assert sorted((a.entity, a.key, a.action) for a in report.actions) == [
        (
            "access_rule",
            "000.00.12.H57:QUAN-TRAC -> 000.00.00.H57:HUE-S/phan-anh-hien-truong/v1 POST /reports",
            "create",
        ),
        ("credential", "ioc-dashboard", "update"),
        ("member", "000.00.12.H57", "update"),
        ("service", "000.00.00.H57:HUE-S/phan-anh-hien-truong/v1", "update"),
    ]
    assert report.secrets == {}
    with transaction(engine) as session:
        after = _state(session)
        new = changes.list_changes(session=session, cursor=str(revision)).items
    assert len(new) == 4
    service_change = next(c for c in new if c.entity == "service")
    assert service_change.before is not None
    assert service_change.after is not None
    assert service_change.before["timeout_seconds"] == 10
    assert service_change.after["timeout_seconds"] == 20
    assert service_change.after["adapter_options"] == {"base_url": "http://127.0.0.1:9201/api"}
    # Everything the file did not change is as it was.
    assert after["systems"] == before["systems"]
    assert after["services"][1] == before["services"][1]
    assert after["credentials"][0] == before["credentials"][0]  # hue-s-backend
    assert after["credentials"][1]["scopes"] == ["auditor", "exchange"]


def test_every_reference_and_state_problem_is_reported_before_any_write(
    engine: Engine,
) -> None:
    _load(engine, EXAMPLE_FILE.read_bytes())
    with transaction(engine) as session:
        credentials.revoke(session=session, client_id="hue-s-backend", actor="test")
        count = change_count(session)
    edited = _example()
    edited["members"][1]["name"] = "would be updated"
    edited["systems"].append({"id": "000.00.00.H49:IOC", "name": "unknown member"})
    edited["services"].append(
        {"id": "000.00.00.H57:NOPE/x/v1", "name": "unknown system", "adapter": "rest"}
    )
    edited["access_rules"][0]["service_id"] = "000.00.00.H57:HUE-S/khong-co/v1"
    edited["credentials"][0]["system_id"] = "000.00.00.H57:HUE-S"  # cannot move
    # hue-s-backend is revoked in the registry but declared live.
    with pytest.raises(Invalid) as caught:
        _load(engine, edited)
    problems = dict(caught.value.locations)
    assert set(problems) == {
        "/systems/3/id",
        "/services/2/id",
        "/access_rules/0/service_id",
        "/credentials/0/system_id",
        "/credentials/1/revoked",
    }
    assert "000.00.00.H49" in problems["/systems/3/id"]
    with transaction(engine) as session:
        assert change_count(session) == count
        assert members.get_or_raise(session=session, code="000.00.12.H57").name != (
            "would be updated"
        )


def test_a_file_can_refer_to_what_is_already_registered(engine: Engine) -> None:
    with transaction(engine) as session:
        f.service(session)
        f.system(session, system_id=f.IOC)
    report = _load(
        engine,
        {
            "version": 1,
            "access_rules": [
                {
                    "client_system_id": f.IOC,
                    "service_id": f.REPORTS,
                    "method": "get",
                    "path_template": "/reports",
                }
            ],
        },
    )
    assert report.counts["access_rule"].created == 1
    # With prune the same file would remove what it refers to: refused.
    with pytest.raises(Invalid) as caught:
        _load(
            engine,
            {
                "version": 1,
                "access_rules": [
                    dict(
                        client_system_id=f.IOC,
                        service_id=f.REPORTS,
                        method="GET",
                        path_template="/reports",
                    )
                ],
            },
            prune=True,
        )
    assert set(dict(caught.value.locations)) == {
        "/access_rules/0/client_system_id",
        "/access_rules/0/service_id",
    }


def test_prune_removes_what_the_file_no_longer_names_but_keeps_admin_clients(
    engine: Engine,
) -> None:
    _load(engine, EXAMPLE_FILE.read_bytes())
    with transaction(engine) as session:
        admin = f.credential(session, system_id="000.00.00.H38:ADMIN", scopes=["admin"])
        f.credential(session, system_id=f.IOC, client_id="stray-client")
    smaller = _example()
    smaller["members"] = smaller["members"][:1]
    smaller["systems"] = smaller["systems"][:2]
    smaller["services"] = smaller["services"][:1]
    smaller["access_rules"] = smaller["access_rules"][1:2]
    smaller["credentials"] = smaller["credentials"][:1]
    report = _load(engine, smaller, prune=True)
    assert {k: (c.deleted, c.revoked) for k, c in report.counts.items()} == {
        "member": (1, 0),
        "system": (1, 0),
        "service": (1, 0),
        "access_rule": (2, 0),
        "credential": (0, 2),
    }
    assert report.kept == [
        "system 000.00.00.H38:ADMIN: live admin client(s) " + str([admin.client_id]),
        "member 000.00.00.H38: a kept system belongs to it",
    ]
    with transaction(engine) as session:
        assert [m.code for m in members.list_all(session=session)] == [
            "000.00.00.H38",
            "000.00.00.H57",
        ]
        live = credentials.list_all(session=session, include_revoked=False)
        assert sorted(c.client_id for c in live) == sorted([admin.client_id, "ioc-dashboard"])
        assert [r.path_template for r in rules.list_all(session=session)] == ["/reports/{id}"]
    # Pruning is idempotent too.
    again = _load(engine, smaller, prune=True)
    assert not again.changed


def test_with_the_catalogue_a_service_naming_an_unknown_schema_is_refused_before_any_write(
    engine: Engine,
) -> None:
    from schemas.catalogue import Catalogue

    catalogue = Catalogue.builtin()
    edited = _example()
    edited["services"][0]["request_schema"] = "phan-anh-hien-truong/v9"
    edited["services"][1]["response_schema"] = "khong-co/v1"
    with transaction(engine) as session:
        count = change_count(session)
        with pytest.raises(Invalid) as caught:
            load(session, edited, actor="test", hasher=f.hasher(), schemas=catalogue)
    assert dict(caught.value.locations) == {
        "/services/0/request_schema": "no schema phan-anh-hien-truong/v9 is in the catalogue",
        "/services/1/response_schema": "no schema khong-co/v1 is in the catalogue",
    }
    with transaction(engine) as session:
        assert change_count(session) == count
    # The shipped example names only catalogued schemas, so it loads with the check on.
    with transaction(engine) as session:
        load(session, _example(), actor="test", hasher=f.hasher(), schemas=catalogue)
