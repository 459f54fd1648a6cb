"""Reconcile the registry with a declarative file: create what is missing, update what differs.

Equal entities are left untouched, so loading the same file twice writes no
change rows. The whole file is checked (fields, duplicates, references,
what the registry's state forbids) before the first write; with
`prune=True` what the file does not name is removed, except live
credentials with the `admin` scope (and the systems and members they need),
so that a file cannot lock its operators out.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, TypedDict

from pydantic import BaseModel
from sqlalchemy.orm import Session

from registry import credentials, members, rules, services, systems
from registry.document import (
    Inspection,
    RegistryDocument,
    examine,
    invalid_file,
    pointer,
    read,
    rule_identity,
)
from registry.dto import (
    AccessRuleRead,
    Action,
    CredentialCreate,
    CredentialRead,
    CredentialUpdate,
    MemberRead,
    MemberUpdate,
    ServiceRead,
    ServiceUpdate,
    SystemRead,
    SystemUpdate,
)
from registry.identifiers import parse_service_id, parse_system_id
from registry.report import LoadReport
from registry.secrets import SecretHasher
from registry.services import schema_problems

RuleKey = tuple[str, str, str, str]


class _Common(TypedDict):
    # What every service call of one load shares.
    session: Session
    actor: str


@dataclass(frozen=True)
class _State:
    """The registry as it was before the load."""

    members: Mapping[str, MemberRead]
    systems: Mapping[str, SystemRead]
    services: Mapping[str, ServiceRead]
    rules: Mapping[RuleKey, AccessRuleRead]
    credentials: Mapping[str, CredentialRead]

    @classmethod
    def read(cls, session: Session) -> _State:
        """Every entity, keyed as the file names them."""
        return cls(
            members={m.code: m for m in members.list_all(session=session)},
            systems={s.id: s for s in systems.list_all(session=session)},
            services={s.id: s for s in services.list_all(session=session)},
            rules={rule_identity(r): r for r in rules.list_all(session=session)},
            credentials={c.client_id: c for c in credentials.list_all(session=session)},
        )


def load(
    session: Session,
    document: str | bytes | Mapping[str, Any] | RegistryDocument,
    *,
    actor: str,
    hasher: SecretHasher,
    prune: bool = False,
    schemas: Container[str] | None = None,
) -> LoadReport:
    """Make the registry what `document` (YAML text or parsed data) says; `Invalid` if it can't.

    With `schemas` (the node's catalogue), every schema id a service names must be one.
    """
    if isinstance(document, str | bytes):
        inspection = read(document)
    elif isinstance(document, RegistryDocument):
        inspection = examine(document.model_dump(mode="json"))
    else:
        inspection = examine(dict(document))
    state = _State.read(session)
    problems = [*inspection.problems, *_check(inspection, state, prune=prune)]
    if not inspection.problems:
        for i, service in enumerate(inspection.document.services):
            problems.extend(schema_problems(service, schemas, prefix=pointer("services", i)))
    if problems:
        raise invalid_file(problems)
    doc = inspection.document
    report = LoadReport()
    _apply(session, doc, state, report=report, actor=actor, hasher=hasher)
    if prune:
        _prune(session, doc, state, report=report, actor=actor)
    return report


def _check(inspection: Inspection, state: _State, *, prune: bool) -> list[tuple[str, str]]:
    """References the file makes that nothing satisfies, and changes the state forbids."""
    doc, declared = inspection.document, inspection.declared
    # With prune, whatever the file does not name is about to go.
    known_members = declared["members"] | (set() if prune else state.members.keys())
    known_systems = declared["systems"] | (set() if prune else state.systems.keys())
    known_services = declared["services"] | (set() if prune else state.services.keys())
    missing = "names {} {}, which is neither in the file" + ("" if prune else " nor registered")
    problems = []
    for i, system in enumerate(doc.systems):
        member = parse_system_id(system.id).member_code
        if member not in known_members:
            problems.append((pointer("systems", i, "id"), missing.format("member", member)))
    for i, service in enumerate(doc.services):
        owner = parse_service_id(service.id).system_id
        if owner not in known_systems:
            problems.append((pointer("services", i, "id"), missing.format("system", owner)))
    for i, rule in enumerate(doc.access_rules):
        if rule.client_system_id not in known_systems:
            where = pointer("access_rules", i, "client_system_id")
            problems.append((where, missing.format("system", rule.client_system_id)))
        if rule.service_id not in known_services:
            where = pointer("access_rules", i, "service_id")
            problems.append((where, missing.format("service", rule.service_id)))
    for i, cred in enumerate(doc.credentials):
        if cred.system_id not in known_systems:
            where = pointer("credentials", i, "system_id")
            problems.append((where, missing.format("system", cred.system_id)))
        current = state.credentials.get(cred.client_id)
        if current is not None and current.system_id != cred.system_id:
            where = pointer("credentials", i, "system_id")
            problems.append((where, f"the client belongs to {current.system_id}; it cannot move"))
        if current is not None and current.revoked_at is not None and not cred.revoked:
            where = pointer("credentials", i, "revoked")
            problems.append((where, "the client is revoked for good; declare a new client id"))
    return problems


def _apply(
    session: Session,
    doc: RegistryDocument,
    state: _State,
    *,
    report: LoadReport,
    actor: str,
    hasher: SecretHasher,
) -> None:
    """Create and update, owners before what they own."""
    common = _Common(session=session, actor=actor)
    for member in doc.members:
        action = _upsert(
            current=state.members.get(member.code),
            desired=member.model_dump(exclude={"code"}),
            create=partial(members.create, data=member, **common),
            update=partial(members.update, code=member.code, **common),
            patch=MemberUpdate,
        )
        report.did(entity="member", key=member.code, action=action)
    for system in doc.systems:
        action = _upsert(
            current=state.systems.get(system.id),
            desired=system.model_dump(exclude={"id"}),
            create=partial(systems.create, data=system, **common),
            update=partial(systems.update, system_id=system.id, **common),
            patch=SystemUpdate,
        )
        report.did(entity="system", key=system.id, action=action)
    for service in doc.services:
        action = _upsert(
            current=state.services.get(service.id),
            desired=service.model_dump(exclude={"id"}),
            create=partial(services.create, data=service, **common),
            update=partial(services.update, service_id=service.id, **common),
            patch=ServiceUpdate,
        )
        report.did(entity="service", key=service.id, action=action)
    for rule in doc.access_rules:
        key = rule_identity(rule)
        if key in state.rules:
            report.did(entity="access_rule", key=_rule_label(key), action=None)
        else:
            rules.create(data=rule, **common)
            report.did(entity="access_rule", key=_rule_label(key), action="create")
    for cred in doc.credentials:
        current = state.credentials.get(cred.client_id)
        if current is None and not cred.revoked:
            data = CredentialCreate(
                system_id=cred.system_id, scopes=cred.scopes, description=cred.description
            )
            issued = credentials.issue(data=data, hasher=hasher, client_id=cred.client_id, **common)
            report.secrets[cred.client_id] = issued.client_secret
            report.did(entity="credential", key=cred.client_id, action="create")
        elif current is None or current.revoked_at is not None:
            report.did(entity="credential", key=cred.client_id, action=None)
        elif cred.revoked:
            credentials.revoke(client_id=cred.client_id, **common)
            report.did(entity="credential", key=cred.client_id, action="revoke")
        else:
            action = _upsert(
                current=current,
                desired=cred.model_dump(include={"scopes", "description"}),
                create=_never,
                update=partial(credentials.update, client_id=cred.client_id, **common),
                patch=CredentialUpdate,
            )
            report.did(entity="credential", key=cred.client_id, action=action)


def _upsert(
    *,
    current: BaseModel | None,
    desired: Mapping[str, object],
    create: Callable[[], object],
    update: Callable[..., object],
    patch: type[BaseModel],
) -> Action | None:
    """Create when absent, update only the fields that differ; the action taken, if any."""
    if current is None:
        create()
        return "create"
    differing = {k: v for k, v in desired.items() if getattr(current, k) != v}
    if not differing:
        return None
    update(data=patch(**differing))
    return "update"


def _never() -> object:
    raise AssertionError("an existing entity is never created again")


def _prune(
    session: Session, doc: RegistryDocument, state: _State, *, report: LoadReport, actor: str
) -> None:
    """Remove what the file does not name, dependants first; keep live admin credentials."""
    common = _Common(session=session, actor=actor)
    declared_rules = {rule_identity(r) for r in doc.access_rules}
    for key, rule in state.rules.items():
        if key not in declared_rules:
            rules.delete(rule_id=rule.id, **common)
            report.did(entity="access_rule", key=_rule_label(key), action="delete")
    declared_creds = {c.client_id for c in doc.credentials}
    admins: dict[str, list[str]] = {}
    for cred in state.credentials.values():
        if cred.client_id in declared_creds or cred.revoked_at is not None:
            continue
        if "admin" in cred.scopes:
            admins.setdefault(cred.system_id, []).append(cred.client_id)
        else:
            credentials.revoke(client_id=cred.client_id, **common)
            report.did(entity="credential", key=cred.client_id, action="revoke")
    declared_services = {s.id for s in doc.services}
    for service_id in sorted(state.services.keys() - declared_services):
        services.delete(service_id=service_id, **common)
        report.did(entity="service", key=service_id, action="delete")
    declared_systems = {s.id for s in doc.systems}
    for system_id in sorted(state.systems.keys() - declared_systems):
        if system_id in admins:
            report.kept.append(f"system {system_id}: live admin client(s) {admins[system_id]}")
            continue
        systems.delete(system_id=system_id, **common)
        report.did(entity="system", key=system_id, action="delete")
    needed = {m.code for m in doc.members} | {parse_system_id(s).member_code for s in admins}
    for code in sorted(state.members.keys() - needed):
        members.delete(code=code, **common)
        report.did(entity="member", key=code, action="delete")
    for code in sorted(needed - {m.code for m in doc.members}):
        report.kept.append(f"member {code}: a kept system belongs to it")


def _rule_label(key: RuleKey) -> str:
    client, service, method, template = key
    return f"{client} -> {service} {method} {template}"
