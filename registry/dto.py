"""What the registry's services take and give: `XCreate`, `XUpdate` (a patch) and `XRead`.

The same models validate REST bodies and the entries of a declarative file,
so both report a bad identifier or template the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    StringConstraints,
    field_validator,
)

from registry.errors import Invalid
from registry.identifiers import (
    parse_client_id,
    parse_member_code,
    parse_service_id,
    parse_system_id,
)
from registry.templates import parse_method, parse_template

EntityKind = Literal["member", "system", "service", "access_rule", "credential"]
Action = Literal["create", "update", "delete", "revoke"]
Scope = Literal["exchange", "admin", "auditor"]


def _checked(parse: Callable[[str], object]) -> AfterValidator:
    # Pydantic reports ValueError at the field's location; `Invalid` is ours.
    def check(value: str) -> str:
        try:
            parse(value)
        except Invalid as exc:
            raise ValueError(str(exc)) from None
        return value

    return AfterValidator(check)


def _normalised(parse: Callable[[str], str]) -> AfterValidator:
    def check(value: str) -> str:
        try:
            return parse(value)
        except Invalid as exc:
            raise ValueError(str(exc)) from None

    return AfterValidator(check)


def _template(value: str) -> str:
    return parse_template(value).text


MemberCode = Annotated[str, _checked(parse_member_code)]
SystemIdText = Annotated[str, _checked(parse_system_id)]
ServiceIdText = Annotated[str, _checked(parse_service_id)]
Method = Annotated[str, _normalised(parse_method)]
PathTemplateText = Annotated[str, StringConstraints(max_length=500), _normalised(_template)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
AdapterKind = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,63}$")]
SchemaRef = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/:-]{0,199}$")]
ClientId = Annotated[str, _checked(parse_client_id)]
Timeout = Annotated[float, Field(gt=0, allow_inf_nan=False)]


def _no_nulls(value: object) -> object:
    if value is None:
        raise ValueError("may be left out, but not null")
    return value


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class MemberCreate(_Input):
    """A new member (agency)."""

    code: MemberCode
    name: Name


class MemberUpdate(_Input):
    """Fields of a member to change; those left out stay as they are."""

    name: Name | None = None

    _not_null = field_validator("name")(_no_nulls)


class MemberRead(_Output):
    """A member as stored."""

    code: str
    name: str
    created_at: dt.datetime
    updated_at: dt.datetime


class SystemCreate(_Input):
    """A new information system; its id names its member."""

    id: SystemIdText
    name: Name


class SystemUpdate(_Input):
    """Fields of a system to change."""

    name: Name | None = None

    _not_null = field_validator("name")(_no_nulls)


class SystemRead(_Output):
    """A system as stored."""

    id: str
    member_code: str
    code: str
    name: str
    created_at: dt.datetime
    updated_at: dt.datetime


class ServiceCreate(_Input):
    """A new service version and how the exchange reaches its provider."""

    id: ServiceIdText
    name: Name
    adapter: AdapterKind
    adapter_options: dict[str, JsonValue] = Field(default_factory=dict)
    request_schema: SchemaRef | None = None
    response_schema: SchemaRef | None = None
    timeout_seconds: Timeout = 30.0


class ServiceUpdate(_Input):
    """Fields of a service to change; a schema may be set to null to drop it."""

    name: Name | None = None
    adapter: AdapterKind | None = None
    adapter_options: dict[str, JsonValue] | None = None
    request_schema: SchemaRef | None = None
    response_schema: SchemaRef | None = None
    timeout_seconds: Timeout | None = None

    _not_null = field_validator("name", "adapter", "adapter_options", "timeout_seconds")(_no_nulls)


class ServiceRead(_Output):
    """A service as stored."""

    id: str
    system_id: str
    code: str
    version: int
    name: str
    adapter: str
    adapter_options: dict[str, JsonValue]
    request_schema: str | None
    response_schema: str | None
    timeout_seconds: float
    created_at: dt.datetime
    updated_at: dt.datetime


class AccessRuleCreate(_Input):
    """Allow a client system to call a service with a method on a provider path template."""

    client_system_id: SystemIdText
    service_id: ServiceIdText
    method: Method
    path_template: PathTemplateText


class AccessRuleUpdate(_Input):
    """Fields of an access rule to change."""

    method: Method | None = None
    path_template: PathTemplateText | None = None

    _not_null = field_validator("method", "path_template")(_no_nulls)


class AccessRuleRead(_Output):
    """An access rule as stored."""

    id: int
    client_system_id: str
    service_id: str
    method: str
    path_template: str
    created_at: dt.datetime


def _scope_list(value: object) -> object:
    # Stored as one space-separated string; given as a list.
    return value.split() if isinstance(value, str) else value


def _sorted_unique(value: list[Scope]) -> list[Scope]:
    return sorted(set(value))


Scopes = Annotated[list[Scope], Field(min_length=1), AfterValidator(_sorted_unique)]


class CredentialCreate(_Input):
    """A new OAuth2 client of a system; the exchange generates its id and secret."""

    system_id: SystemIdText
    scopes: Scopes
    description: Description = ""


class CredentialUpdate(_Input):
    """Fields of a credential to change."""

    scopes: Scopes | None = None
    description: Description | None = None

    _not_null = field_validator("scopes", "description")(_no_nulls)


class CredentialRead(_Output):
    """A credential as stored, without its secret hash."""

    client_id: str
    system_id: str
    scopes: list[str]
    description: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None

    _split = field_validator("scopes", mode="before")(_scope_list)


class CredentialIssued(CredentialRead):
    """A credential just issued, with its secret: shown this once, never stored in clear."""

    client_secret: str = Field(repr=False)


class ChangeRead(_Output):
    """One entry of the registry's change history."""

    id: int
    at: dt.datetime
    actor: str
    entity: str
    entity_key: str
    action: str
    before: dict[str, JsonValue] | None
    after: dict[str, JsonValue] | None
    note: str


class ChangePage(BaseModel):
    """A page of history, oldest first; pass `next_cursor` back for the next page."""

    items: list[ChangeRead]
    next_cursor: str | None
