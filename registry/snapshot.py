"""An immutable, in-memory copy of the registry that each node serves requests from.

Nodes reload it when the registry's revision (the newest change id) moves,
so a change reaches every node within the configured refresh bound without
a database read on the request path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from registry.templates import PathTemplate

# JSON as the snapshot holds it: objects are read-only mappings and arrays
# tuples, so no request handler can alter what every other request sees.
FrozenJson = None | bool | int | float | str | tuple["FrozenJson", ...] | Mapping[str, "FrozenJson"]


def freeze_json(value: object) -> FrozenJson:
    """A read-only deep copy of a JSON value (dicts become mappings, lists tuples)."""
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): freeze_json(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze_json(v) for v in value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def freeze_json_object(value: object) -> Mapping[str, FrozenJson]:
    """A read-only deep copy of a JSON object; TypeError if `value` is not one."""
    frozen = freeze_json(value)
    if not isinstance(frozen, Mapping):
        raise TypeError(f"not a JSON object: {type(value).__name__}")
    return frozen


@dataclass(frozen=True, slots=True)
class CredentialView:
    """What authentication needs to know of one OAuth2 client."""

    client_id: str
    system_id: str
    secret_hash: str
    scopes: frozenset[str]
    revoked: bool


@dataclass(frozen=True, slots=True)
class MemberView:
    """An agency."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class SystemView:
    """An information system of a member."""

    id: str
    member_code: str
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class ServiceView:
    """A versioned service and how the exchange reaches it."""

    id: str
    system_id: str
    code: str
    version: int
    name: str
    adapter: str
    adapter_options: Mapping[str, FrozenJson]
    request_schema: str | None
    response_schema: str | None
    timeout_seconds: float


@dataclass(frozen=True, slots=True)
class RuleView:
    """An access rule: `client_system_id` may call `service_id` with `method` on `template`."""

    id: int
    client_system_id: str
    service_id: str
    method: str
    template: PathTemplate

    @property
    def path_template(self) -> str:
        """The template as written (what the audit log records instead of the raw path)."""
        return self.template.text


def index_rules(
    rules: Iterable[RuleView],
) -> Mapping[tuple[str, str], tuple[RuleView, ...]]:
    """Rules grouped by (client system, service), the key every authorization looks up."""
    grouped: dict[tuple[str, str], list[RuleView]] = {}
    for rule in rules:
        grouped.setdefault((rule.client_system_id, rule.service_id), []).append(rule)
    return {key: tuple(group) for key, group in grouped.items()}


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The registry at one revision."""

    revision: int
    credentials: Mapping[str, CredentialView] = field(default_factory=dict)
    members: Mapping[str, MemberView] = field(default_factory=dict)
    systems: Mapping[str, SystemView] = field(default_factory=dict)
    services: Mapping[str, ServiceView] = field(default_factory=dict)
    rules: Mapping[tuple[str, str], tuple[RuleView, ...]] = field(default_factory=dict)

    def credential(self, client_id: str) -> CredentialView | None:
        """The client with this id, revoked or not, or None."""
        return self.credentials.get(client_id)

    def member(self, code: str) -> MemberView | None:
        """The member with this code, or None."""
        return self.members.get(code)

    def system(self, system_id: str) -> SystemView | None:
        """The system with this id, or None."""
        return self.systems.get(system_id)

    def service(self, service_id: str) -> ServiceView | None:
        """The service with this id, or None."""
        return self.services.get(service_id)

    def rules_for(self, *, client_system_id: str, service_id: str) -> tuple[RuleView, ...]:
        """The rules letting `client_system_id` call `service_id` (empty: denied)."""
        return self.rules.get((client_system_id, service_id), ())
