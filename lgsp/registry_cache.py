"""Each node's in-memory registry, reloaded when the registry's revision moves."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from registry.models import AccessRule, Change, Credential, Member, Service, System
from registry.snapshot import (
    CredentialView,
    MemberView,
    RuleView,
    ServiceView,
    Snapshot,
    SystemView,
    freeze_json_object,
    index_rules,
)
from registry.templates import parse_template

log = logging.getLogger("lgsp.registry")


def _mark(session: Session) -> tuple[int, int]:
    """The revision (newest change id) and how many changes there are.

    The count matters on PostgreSQL: ids come from a sequence when a row is
    inserted, not when it commits, so a transaction that took id 10 can commit
    after one that took 11; the maximum would then stay at 11 and the late
    change would never be loaded. The history is append-only, so the count
    grows with every commit whatever its id.
    """
    revision, count = session.execute(
        select(func.coalesce(func.max(Change.id), 0), func.count(Change.id))
    ).one()
    return int(revision), int(count)


def _load(session: Session, revision: int) -> Snapshot:
    creds = {
        c.client_id: CredentialView(
            client_id=c.client_id,
            system_id=c.system_id,
            secret_hash=c.secret_hash,
            scopes=frozenset(c.scopes.split()),
            revoked=c.revoked_at is not None,
        )
        for c in session.scalars(select(Credential))
    }
    members = {
        m.code: MemberView(code=m.code, name=m.name) for m in session.scalars(select(Member))
    }
    systems = {
        s.id: SystemView(id=s.id, member_code=s.member_code, code=s.code, name=s.name)
        for s in session.scalars(select(System))
    }
    services = {s.id: _service_view(s) for s in session.scalars(select(Service))}
    rules = [
        RuleView(
            id=r.id,
            client_system_id=r.client_system_id,
            service_id=r.service_id,
            method=r.method,
            template=parse_template(r.path_template),
        )
        for r in session.scalars(select(AccessRule))
    ]
    return Snapshot(
        revision=revision,
        credentials=creds,
        members=members,
        systems=systems,
        services=services,
        rules=index_rules(rules),
    )


def _service_view(row: Service) -> ServiceView:
    return ServiceView(
        id=row.id,
        system_id=row.system_id,
        code=row.code,
        version=row.version,
        name=row.name,
        adapter=row.adapter,
        adapter_options=freeze_json_object(row.adapter_options),
        request_schema=row.request_schema,
        response_schema=row.response_schema,
        timeout_seconds=row.timeout_seconds,
    )


class RegistryCache:
    """Holds the current `Snapshot`; a background task reloads it every `refresh_seconds`."""

    def __init__(self, engine: Engine, *, refresh_seconds: float) -> None:
        # One consistent view of every table per load: on PostgreSQL a
        # commit between two SELECTs could otherwise give a rule without
        # its service. SQLite's loads already run in one locked transaction.
        self._engine = (
            engine
            if engine.dialect.name == "sqlite"
            else engine.execution_options(isolation_level="REPEATABLE READ")
        )
        self._refresh_seconds = refresh_seconds
        self._snapshot = Snapshot(revision=-1)
        self._mark: tuple[int, int] | None = None
        # Routes refresh after their writes while the background task does
        # too; without the lock a slower, older load could overwrite a newer.
        self._lock = threading.Lock()
        self._task: asyncio.Task[None] | None = None

    @property
    def snapshot(self) -> Snapshot:
        """The registry as this node last loaded it."""
        return self._snapshot

    def refresh(self) -> bool:
        """Reload if the registry changed since the last load; True when it did."""
        with self._lock, Session(self._engine) as session, session.begin():
            mark = _mark(session)
            if mark == self._mark:
                return False
            self._snapshot, self._mark = _load(session, mark[0]), mark
            return True

    async def start(self) -> None:
        """Load now, then keep reloading in the background."""
        await asyncio.to_thread(self.refresh)
        self._task = asyncio.create_task(self._loop(), name="registry-refresh")

    async def stop(self) -> None:
        """Stop the background reloads."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._refresh_seconds)
            try:
                await asyncio.to_thread(self.refresh)
            except Exception:
                # Keep serving the last good snapshot; readiness reports the database.
                log.exception("registry refresh failed")
