"""The declarative registry file: its format, its parsing, and the checks that need no database.

The file is YAML (comments, readable by operators); entries use the same
models as the REST API, so a field means the same in both. Anchors and
aliases are refused: they let a small file expand into a huge one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from yaml.nodes import Node

from registry.dto import (
    AccessRuleCreate,
    AccessRuleRead,
    ClientId,
    Description,
    MemberCreate,
    Scopes,
    ServiceCreate,
    SystemCreate,
    SystemIdText,
)
from registry.errors import Invalid

MEDIA_TYPE = "application/yaml"


class CredentialDeclaration(BaseModel):
    """A credential the file wants to exist; its secret is generated, never written in the file."""

    model_config = ConfigDict(extra="forbid")

    client_id: ClientId
    system_id: SystemIdText
    scopes: Scopes
    description: Description = ""
    # Lets the file revoke a client for good; a revoked one cannot come back.
    revoked: bool = False


class RegistryDocument(BaseModel):
    """A whole declarative file: version 1."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1]
    members: list[MemberCreate] = Field(default_factory=list)
    systems: list[SystemCreate] = Field(default_factory=list)
    services: list[ServiceCreate] = Field(default_factory=list)
    access_rules: list[AccessRuleCreate] = Field(default_factory=list)
    credentials: list[CredentialDeclaration] = Field(default_factory=list)


def pointer(*parts: object) -> str:
    """The JSON Pointer (RFC 6901) of a location given as keys and indexes."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class _NoAliasLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing aliases (and so anchors' reuse and merge keys)."""

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not accepted here", event.start_mark
            )
        return super().compose_node(parent, index)


def parse(text: str | bytes) -> RegistryDocument:
    """Parse and validate a YAML registry file; `Invalid` lists every problem found."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            message = f"the file is not UTF-8: {exc.reason} at byte {exc.start}"
            raise _invalid([("", message)]) from None
    try:
        # A SafeLoader subclass: no arbitrary objects are built.
        data = yaml.load(text, Loader=_NoAliasLoader)
    except yaml.YAMLError as exc:
        raise _invalid([("", f"the file is not valid YAML: {exc}")]) from None
    return validate(data)


def validate(data: object) -> RegistryDocument:
    """Validate parsed data as a registry file, with every duplicate and every bad field."""
    if not isinstance(data, dict):
        raise _invalid([("", "the file must be a mapping with `version: 1` and entity lists")])
    problems = duplicates(data)
    try:
        document = RegistryDocument.model_validate(data)
    except ValidationError as exc:
        problems[:0] = [(pointer(*err["loc"]), _message(err["msg"])) for err in exc.errors()]
    if problems:
        raise _invalid(problems)
    return document


# The fields that name an entry of each list; two entries naming the same
# thing would make the file say two things about it.
_IDENTITY: dict[str, tuple[str, ...]] = {
    "members": ("code",),
    "systems": ("id",),
    "services": ("id",),
    "access_rules": ("client_system_id", "service_id", "method", "path_template"),
    "credentials": ("client_id",),
}


def duplicates(data: dict[object, object]) -> list[tuple[str, str]]:
    """Entries of the raw file that name what an earlier entry of the same list named."""
    found = []
    for section, fields in _IDENTITY.items():
        entries = data.get(section)
        if not isinstance(entries, list):
            continue
        first: dict[tuple[str, ...], int] = {}
        for index, entry in enumerate(entries):
            key = _identity(entry, fields)
            if key is None:
                continue
            if key in first:
                # A one-field identity points at that field, a composite at the entry.
                where = pointer(section, index, *(fields if len(fields) == 1 else ()))
                found.append((where, f"repeats {pointer(section, first[key])}"))
            else:
                first[key] = index
    return found


def _identity(entry: object, fields: tuple[str, ...]) -> tuple[str, ...] | None:
    if not isinstance(entry, dict):
        return None
    values = [entry.get(f) for f in fields]
    if not all(isinstance(v, str) for v in values):
        return None
    # HTTP methods are compared as the models store them, in upper case.
    return tuple(
        str(v).upper() if f == "method" else str(v) for f, v in zip(fields, values, strict=True)
    )


def rule_identity(rule: AccessRuleCreate | AccessRuleRead) -> tuple[str, str, str, str]:
    """What makes two access rules the same rule."""
    return (rule.client_system_id, rule.service_id, rule.method, rule.path_template)


def _message(msg: str) -> str:
    # Pydantic prefixes our own checks' messages with "Value error, ".
    return msg.removeprefix("Value error, ")


def _invalid(problems: Sequence[tuple[str, str]]) -> Invalid:
    return Invalid(f"the registry file has {len(problems)} problem(s)", problems)
