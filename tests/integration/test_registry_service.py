"""The registry's service layer on a real database: writes, conflicts and their history."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from registry import changes, credentials, members, rules, services, systems
from registry.dto import (
    AccessRuleUpdate,
    CredentialUpdate,
    MemberCreate,
    MemberUpdate,
    ServiceUpdate,
    SystemCreate,
)
from registry.errors import Conflict, Invalid, NotFound
from registry.models import Credential
from tests import factories as f
from tests.factories import HUE, HUE_S, IOC, REPORTS, change_count, transaction

pytestmark = pytest.mark.storage
ADMIN = "client:admin-1"


def test_a_member_is_created_read_updated_and_deleted_with_its_history(engine: Engine) -> None:
    with transaction(engine) as session:
        created = members.create(
            session=session, data=MemberCreate(code=HUE, name="Huế"), actor=ADMIN
        )
    with transaction(engine) as session:
        assert members.get_or_raise(session=session, code=HUE) == created
        updated = members.update(
            session=session, code=HUE, data=MemberUpdate(name="Thừa Thiên Huế"), actor=ADMIN
        )
        assert updated.name == "Thừa Thiên Huế"
        assert updated.updated_at >= created.updated_at
        assert updated.created_at == created.created_at
    with transaction(engine) as session:
        members.delete(session=session, code=HUE, actor="client:admin-2")
    with transaction(engine) as session:
        assert members.get(session=session, code=HUE) is None
        with pytest.raises(NotFound):
            members.get_or_raise(session=session, code=HUE)
        history = changes.history(session=session, entity="member", key=HUE)
    assert [c.action for c in history] == ["create", "update", "delete"]
    assert [c.actor for c in history] == [ADMIN, ADMIN, "client:admin-2"]
    create, update, delete = history
    assert create.before is None
    assert create.after is not None
    assert create.after["name"] == "Huế"
    assert update.before is not None
    assert update.after is not None
    assert (update.before["name"], update.after["name"]) == ("Huế", "Thừa Thiên Huế")
    assert delete.before == update.after
    assert delete.after is None


def test_an_update_that_changes_nothing_records_nothing(engine: Engine) -> None:
    with transaction(engine) as session:
        f.service(session)
        before = change_count(session)
        name = members.get_or_raise(session=session, code=HUE).name
        members.update(session=session, code=HUE, data=MemberUpdate(name=name), actor=ADMIN)
        members.update(session=session, code=HUE, data=MemberUpdate(), actor=ADMIN)
        current = services.get_or_raise(session=session, service_id=REPORTS)
        services.update(
            session=session,
            service_id=REPORTS,
            data=ServiceUpdate(
                adapter_options=current.adapter_options, timeout_seconds=current.timeout_seconds
            ),
            actor=ADMIN,
        )
        assert change_count(session) == before


def test_duplicates_and_dangling_references_are_refused(engine: Engine) -> None:
    with transaction(engine) as session:
        f.system(session, system_id=IOC)
        with pytest.raises(Conflict):
            members.create(session=session, data=MemberCreate(code=HUE, name="x"), actor=ADMIN)
        with pytest.raises(Conflict):
            systems.create(session=session, data=SystemCreate(id=IOC, name="x"), actor=ADMIN)
        with pytest.raises(Invalid) as caught:
            systems.create(
                session=session,
                data=SystemCreate(id="000.00.00.H49:IOC", name="x"),
                actor=ADMIN,
            )
        assert caught.value.locations[0][0] == "/id"
        f.rule(session)
        with pytest.raises(Conflict):
            f.rule(session)


def test_deleting_what_is_still_referenced_is_a_conflict(engine: Engine) -> None:
    with transaction(engine) as session:
        rule = f.rule(session, client_system_id=IOC, service_id=REPORTS)
    deletes: list[Callable[[Session], None]] = [
        lambda s: members.delete(session=s, code=HUE, actor=ADMIN),
        lambda s: systems.delete(session=s, system_id=HUE_S, actor=ADMIN),
        lambda s: systems.delete(session=s, system_id=IOC, actor=ADMIN),
        lambda s: services.delete(session=s, service_id=REPORTS, actor=ADMIN),
    ]
    for delete in deletes:
        with pytest.raises(Conflict), transaction(engine) as session:
            delete(session)
    with transaction(engine) as session:
        rules.delete(session=session, rule_id=rule.id, actor=ADMIN)
        services.delete(session=session, service_id=REPORTS, actor=ADMIN)
        systems.delete(session=session, system_id=HUE_S, actor=ADMIN)
        assert systems.get(session=session, system_id=HUE_S) is None
        assert systems.get(session=session, system_id=IOC) is not None


def test_a_system_with_a_live_credential_stays_and_revoked_ones_go_with_it(
    engine: Engine,
) -> None:
    with transaction(engine) as session:
        issued = f.credential(session, system_id=IOC)
    with pytest.raises(Conflict, match="live credential"), transaction(engine) as session:
        systems.delete(session=session, system_id=IOC, actor=ADMIN)
    with transaction(engine) as session:
        credentials.revoke(session=session, client_id=issued.client_id, actor=ADMIN)
        systems.delete(session=session, system_id=IOC, actor=ADMIN)
    with transaction(engine) as session:
        assert credentials.get(session=session, client_id=issued.client_id) is None
        actions = [
            c.action
            for c in changes.history(session=session, entity="credential", key=issued.client_id)
        ]
    assert actions == ["create", "revoke", "delete"]


def test_a_credential_stores_only_the_hash_and_its_history_only_a_digest(
    engine: Engine,
) -> None:
    hasher = f.hasher()
    with transaction(engine) as session:
        issued = f.credential(session, scopes=["exchange", "auditor"], secret_hasher=hasher)
    assert issued.client_id.startswith("c_")
    assert ":" not in issued.client_id
    assert len(issued.client_secret) >= 40
    assert issued.client_secret not in repr(issued)
    with transaction(engine) as session:
        row = session.get(Credential, issued.client_id)
        assert row is not None
        assert hasher.verify(issued.client_secret, row.secret_hash)
        assert issued.client_secret not in row.secret_hash
        stored_hash = row.secret_hash
        assert credentials.get_or_raise(session=session, client_id=issued.client_id).scopes == [
            "auditor",
            "exchange",
        ]
        credentials.update(
            session=session,
            client_id=issued.client_id,
            data=CredentialUpdate(scopes=["exchange"], description="narrowed"),
            actor=ADMIN,
        )
        credentials.revoke(session=session, client_id=issued.client_id, actor=ADMIN)
        # Revoking again changes nothing and records nothing.
        count = change_count(session)
        credentials.revoke(session=session, client_id=issued.client_id, actor=ADMIN)
        assert change_count(session) == count
        with pytest.raises(Conflict):
            credentials.update(
                session=session,
                client_id=issued.client_id,
                data=CredentialUpdate(description="again"),
                actor=ADMIN,
            )
        history = changes.history(session=session, entity="credential", key=issued.client_id)
    assert [c.action for c in history] == ["create", "update", "revoke"]
    digest = hashlib.sha256(stored_hash.encode()).hexdigest()
    for change in history:
        text = json.dumps([change.before, change.after])
        assert issued.client_secret not in text
        assert stored_hash not in text
        assert stored_hash.rsplit("$", 1)[1] not in text
        assert change.after is not None
        assert change.after["secret_hash_sha256"] == digest
    assert history[1].after is not None
    assert history[1].after["scopes"] == ["exchange"]
    assert history[2].after is not None
    assert history[2].after["revoked_at"] is not None


def test_a_given_client_id_must_be_free_and_opaque(engine: Engine) -> None:
    with transaction(engine) as session:
        f.credential(session, client_id="ioc-dashboard")
        with pytest.raises(Conflict):
            f.credential(session, client_id="ioc-dashboard")
        with pytest.raises(Invalid):
            f.credential(session, client_id="ioc:dashboard")


def test_a_rule_can_change_but_not_into_a_duplicate(engine: Engine) -> None:
    with transaction(engine) as session:
        first = f.rule(session, method="GET", path_template="/reports/{id}")
        second = f.rule(session, method="GET", path_template="/reports")
        with pytest.raises(Conflict):
            rules.update(
                session=session,
                rule_id=second.id,
                data=AccessRuleUpdate(path_template="/reports/{id}"),
                actor=ADMIN,
            )
        changed = rules.update(
            session=session, rule_id=first.id, data=AccessRuleUpdate(method="*"), actor=ADMIN
        )
        assert changed.method == "*"
        history = changes.history(session=session, entity="access_rule", key=str(first.id))
    assert [c.action for c in history] == ["create", "update"]
    assert history[1].before is not None
    assert history[1].after is not None
    assert (history[1].before["method"], history[1].after["method"]) == ("GET", "*")


def test_history_is_filtered_by_entity_key_and_time_and_paginated(engine: Engine) -> None:
    with transaction(engine) as session:
        f.member(session, code=HUE)
    with transaction(engine) as session:
        boundary = changes.now()
        f.member(session, code="000.00.00.H49")
        f.member(session, code="000.00.00.H38")
        f.system(session, system_id="000.00.00.H38:DVC")
    with transaction(engine) as session:
        everything = changes.list_changes(session=session)
        assert [c.entity for c in everything.items] == ["member"] * 3 + ["system"]
        assert everything.next_cursor is None
        later = changes.list_changes(session=session, since=boundary)
        assert [c.entity_key for c in later.items] == [
            "000.00.00.H49",
            "000.00.00.H38",
            "000.00.00.H38:DVC",
        ]
        earlier = changes.list_changes(session=session, until=boundary)
        assert [c.entity_key for c in earlier.items] == [HUE]
        only = changes.list_changes(session=session, entity="member", key="000.00.00.H38")
        assert [c.entity_key for c in only.items] == ["000.00.00.H38"]
        seen = []
        page = changes.list_changes(session=session, limit=3)
        seen += page.items
        assert page.next_cursor is not None
        page = changes.list_changes(session=session, limit=3, cursor=page.next_cursor)
        seen += page.items
        assert page.next_cursor is None
        assert [c.id for c in seen] == [c.id for c in everything.items]
        assert changes.revision(session=session) == everything.items[-1].id
        with pytest.raises(Invalid):
            changes.list_changes(session=session, cursor="abc")
        with pytest.raises(Invalid):
            changes.list_changes(session=session, since=dt.datetime(2020, 1, 1))
        with pytest.raises(Invalid):
            changes.list_changes(session=session, limit=0)


def test_a_failed_write_leaves_neither_the_entity_nor_its_change(engine: Engine) -> None:
    def create_twice() -> None:
        with transaction(engine) as session:
            f.member(session, code=HUE)
            members.create(session=session, data=MemberCreate(code=HUE, name="x"), actor=ADMIN)

    with pytest.raises(Conflict):
        create_twice()
    with transaction(engine) as session:
        assert change_count(session) == 0
        assert members.list_all(session=session) == []
        assert session.scalars(select(Credential)).first() is None
