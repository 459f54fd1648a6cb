"""Every registry change is also a signed `config-change` audit entry, in the same transaction."""

from __future__ import annotations

import json

import pytest
import rfc8785
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from audit.entry import decode_entry, digest
from audit.tables import audit_entries
from audit.verify import verify_store
from lgsp.bootstrap import Runtime
from lgsp.db.engine import make_engine
from registry import members
from registry.dto import MemberCreate
from registry.models import Change
from tests.factories import HUE, transaction

pytestmark = pytest.mark.storage


def _config_entries(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(audit_entries.c.entry_bytes)
            .where(audit_entries.c.kind == "config-change")
            .order_by(audit_entries.c.id)
        ).all()
    return [decode_entry(bytes(row[0])).as_json() for row in rows]


def _changes(engine: Engine) -> list[Change]:
    with Session(engine) as session:
        return list(session.scalars(select(Change).order_by(Change.id)))


def test_a_change_through_the_api_is_a_signed_entry_naming_it(
    runtime: Runtime, client: TestClient, admin: dict[str, str]
) -> None:
    before = len(_config_entries(runtime.engine))
    answer = client.post("/registry/members", json={"code": HUE, "name": "Huế"}, headers=admin)
    assert answer.status_code == 201, answer.text
    entries = _config_entries(runtime.engine)
    assert len(entries) == before + 1
    change = _changes(runtime.engine)[-1]
    entry = entries[-1]
    assert entry["node"] == runtime.settings.node_id
    assert entry["extra"] == {
        "change_id": change.id,
        "actor": change.actor,
        "entity": "member",
        "key": HUE,
        "action": "create",
        "before_digest": "",
        "after_digest": digest(rfc8785.dumps(change.after)),
    }
    assert change.actor.startswith("client:")
    # Digests only: the member's name is not in the signed bytes.
    assert "Huế" not in json.dumps(entry, ensure_ascii=False)
    # An update digests both sides.
    answer = client.patch(
        f"/registry/members/{HUE}", json={"name": "Thừa Thiên Huế"}, headers=admin
    )
    assert answer.status_code == 200, answer.text
    change = _changes(runtime.engine)[-1]
    extra = _config_entries(runtime.engine)[-1]["extra"]
    assert isinstance(extra, dict)
    assert extra["action"] == "update"
    assert extra["before_digest"] == digest(rfc8785.dumps(change.before))
    assert extra["after_digest"] == digest(rfc8785.dumps(change.after))
    with runtime.engine.connect() as connection:
        report = verify_store(connection)
    assert report.bad_entries == 0
    assert report.checked >= len(entries) + 1


def test_a_change_that_rolls_back_leaves_no_entry(runtime: Runtime) -> None:
    before = len(_config_entries(runtime.engine))

    def half_done() -> None:
        with transaction(runtime.engine) as session:
            members.create(session=session, data=MemberCreate(code=HUE, name="Huế"), actor="op")
            raise RuntimeError("the operator's script failed half-way")

    with pytest.raises(RuntimeError):
        half_done()
    assert len(_config_entries(runtime.engine)) == before
    with transaction(runtime.engine) as session:
        members.create(session=session, data=MemberCreate(code=HUE, name="Huế"), actor="op")
    assert len(_config_entries(runtime.engine)) == before + 1


def test_an_engine_without_the_node_s_audit_key_writes_no_entries(
    runtime: Runtime, database_url: str
) -> None:
    plain = make_engine(database_url)
    try:
        before = len(_config_entries(plain))
        with transaction(plain) as session:
            members.create(session=session, data=MemberCreate(code=HUE, name="Huế"), actor="t")
        assert len(_config_entries(plain)) == before
    finally:
        plain.dispose()
