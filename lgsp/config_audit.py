"""Every registry change is also a signed `config-change` entry in the audit log.

The registry keeps its own change history (who, when, before, after); auditors trust
only signed entries. So whenever a session flushes new `Change` rows on an engine this
node audits, one entry per change joins the same transaction: the change and its entry
commit or roll back together. The entry names the actor, the entity, its key and the
action, and carries SHA-256 digests of the RFC 8785 form of the row's `before` and
`after` (an auditor recomputes them from `registry_changes`), never the values.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

import rfc8785
from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session, UOWTransaction
from uuid6 import uuid7

from audit.entry import MAX_EXTRA_STRING, EntryDraft, digest, timestamp
from audit.signing import Signer
from audit.store import append_many
from registry.models import Change


@dataclass(frozen=True, slots=True)
class _Auditor:
    signer: Signer
    node: str


_AUDITED: WeakKeyDictionary[Engine, _Auditor] = WeakKeyDictionary()


def audit_registry_changes(engine: Engine, *, signer: Signer, node: str) -> None:
    """Sign an entry for every registry change written through `engine` from now on."""
    _AUDITED[engine] = _Auditor(signer=signer, node=node)


def _fits(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return text if len(text) <= MAX_EXTRA_STRING else digest(text.encode("utf-8"))


def _digest_of(document: dict[str, Any] | None) -> str:
    return "" if document is None else digest(rfc8785.dumps(document))


def draft_for(change: Change, *, node: str) -> EntryDraft:
    """The `config-change` entry of one registry change row (its id assigned)."""
    return EntryDraft(
        kind="config-change",
        exchange_id=str(uuid7()),
        node=node,
        at=timestamp(),
        extra={
            "change_id": int(change.id),
            "actor": _fits(change.actor),
            "entity": _fits(change.entity),
            "key": _fits(change.entity_key),
            "action": _fits(change.action),
            "before_digest": _digest_of(change.before),
            "after_digest": _digest_of(change.after),
        },
    )


@event.listens_for(Session, "after_flush")
def _sign_new_changes(session: Session, _context: UOWTransaction) -> None:
    # After a flush, `session.new` still lists what the flush inserted, ids assigned.
    changes = [row for row in session.new if isinstance(row, Change)]
    if not changes:
        return
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    auditor = _AUDITED.get(engine)
    if auditor is None:
        return
    drafts = [draft_for(change, node=auditor.node) for change in sorted(changes, key=_id)]
    append_many(session.connection(), drafts, signer=auditor.signer)


def _id(change: Change) -> int:
    return int(change.id)
