"""Registry test data: entities created through the registry's own service layer.

Each factory creates what the entity needs (its member, its system) when it
is missing, so a test names only what it cares about. Everything goes
through the services, so every factory-made entity has its change rows too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from registry import credentials, members, rules, services, systems
from registry.dto import (
    AccessRuleCreate,
    AccessRuleRead,
    CredentialCreate,
    CredentialIssued,
    MemberCreate,
    MemberRead,
    ServiceCreate,
    ServiceRead,
    SystemCreate,
    SystemRead,
)
from registry.identifiers import parse_service_id, parse_system_id
from registry.models import Change
from registry.secrets import SecretHasher

HUE = "000.00.00.H57"
ENVIRONMENT_DEPT = "000.00.12.H57"
IOC = f"{HUE}:IOC"
HUE_S = f"{HUE}:HUE-S"
REPORTS = f"{HUE_S}/phan-anh-hien-truong/v1"
ACTOR = "test:factory"
EXAMPLE_FILE = Path(__file__).resolve().parents[1] / "registry" / "examples" / "minimal.yaml"


def hasher() -> SecretHasher:
    """A secret hasher with a fixed test key."""
    return SecretHasher(b"t" * 32, key_id="test-key")


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session in one transaction, committed when the block ends without error."""
    with Session(engine) as session, session.begin():
        yield session


def change_count(session: Session) -> int:
    """How many change rows the registry holds."""
    return int(session.scalar(select(func.count(Change.id))) or 0)


def member(session: Session, *, code: str = HUE, name: str | None = None) -> MemberRead:
    """The member `code`, created if missing."""
    existing = members.get(session=session, code=code)
    if existing is not None:
        return existing
    data = MemberCreate(code=code, name=name or f"Đơn vị {code}")
    return members.create(session=session, data=data, actor=ACTOR)


def system(session: Session, *, system_id: str = IOC, name: str | None = None) -> SystemRead:
    """The system `system_id` (and its member), created if missing."""
    existing = systems.get(session=session, system_id=system_id)
    if existing is not None:
        return existing
    member(session, code=parse_system_id(system_id).member_code)
    data = SystemCreate(id=system_id, name=name or f"Hệ thống {system_id}")
    return systems.create(session=session, data=data, actor=ACTOR)


def service(session: Session, *, service_id: str = REPORTS, **fields: Any) -> ServiceRead:
    """The service `service_id` (and its system), created if missing; `fields` override."""
    existing = services.get(session=session, service_id=service_id)
    if existing is not None:
        return existing
    system(session, system_id=parse_service_id(service_id).system_id)
    values: dict[str, Any] = {
        "name": f"Dịch vụ {service_id}",
        "adapter": "rest",
        "adapter_options": {"base_url": "http://127.0.0.1:9/"},
        "timeout_seconds": 5.0,
    }
    values.update(fields)
    return services.create(
        session=session, data=ServiceCreate(id=service_id, **values), actor=ACTOR
    )


def rule(
    session: Session,
    *,
    client_system_id: str = IOC,
    service_id: str = REPORTS,
    method: str = "GET",
    path_template: str = "/reports/{id}",
) -> AccessRuleRead:
    """A new access rule (with its client system and service)."""
    system(session, system_id=client_system_id)
    service(session, service_id=service_id)
    data = AccessRuleCreate(
        client_system_id=client_system_id,
        service_id=service_id,
        method=method,
        path_template=path_template,
    )
    return rules.create(session=session, data=data, actor=ACTOR)


def credential(
    session: Session,
    *,
    system_id: str = IOC,
    scopes: Iterable[str] = ("exchange",),
    client_id: str | None = None,
    secret_hasher: SecretHasher | None = None,
) -> CredentialIssued:
    """A new credential (with its system); its secret is in the answer."""
    system(session, system_id=system_id)
    data = CredentialCreate.model_validate({"system_id": system_id, "scopes": list(scopes)})
    return credentials.issue(
        session=session,
        data=data,
        actor=ACTOR,
        hasher=secret_hasher or hasher(),
        client_id=client_id,
    )
