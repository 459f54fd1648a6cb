"""The declarative registry file: its format, its parsing, and the checks that need no database.

The file is YAML (comments, readable by operators); entries use the same
models as the REST API, so a field means the same in both. Anchors and
aliases are refused: they let a small file expand into a huge one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

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
Entry = TypeVar("Entry", bound=BaseModel)


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
        """The next node, unless it is an alias."""
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not accepted here", event.start_mark
            )
        return super().compose_node(parent, index)


@dataclass(frozen=True)
class Inspection:
    """What a file holds: its valid entries, every problem found, every name it declares."""

    document: RegistryDocument
    problems: list[tuple[str, str]]
    # Section -> the names (codes, ids, client ids) of all its entries, valid or
    # not, so that a reference to a broken entry is not reported a second time.
    declared: Mapping[str, frozenset[str]]

    def raise_problems(self) -> RegistryDocument:
        """The document, or `Invalid` listing every problem."""
        if self.problems:
            raise invalid_file(self.problems)
        return self.document


def read(text: str | bytes) -> Inspection:
    """Parse YAML text and inspect it; `Invalid` at once if it is not YAML at all."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            message = f"the file is not UTF-8: {exc.reason} at byte {exc.start}"
            raise invalid_file([("", message)]) from None
    try:
        # A SafeLoader subclass: no arbitrary objects are built.
        data = yaml.load(text, Loader=_NoAliasLoader)
    except yaml.YAMLError as exc:
        raise invalid_file([("", f"the file is not valid YAML: {exc}")]) from None
    return examine(data)


def parse(text: str | bytes) -> RegistryDocument:
    """Parse and validate a YAML registry file; `Invalid` lists every problem found."""
    return read(text).raise_problems()


def validate(data: object) -> RegistryDocument:
    """Validate parsed data as a registry file; `Invalid` lists every problem found."""
    return examine(data).raise_problems()


# The fields that name an entry of each list; two entries naming the same
# thing would make the file say two things about it.
_IDENTITY: dict[str, tuple[str, ...]] = {
    "members": ("code",),
    "systems": ("id",),
    "services": ("id",),
    "access_rules": ("client_system_id", "service_id", "method", "path_template"),
    "credentials": ("client_id",),
}


def examine(data: object) -> Inspection:
    """Check every entry of parsed data on its own, and the file for duplicates."""
    if not isinstance(data, dict):
        raise invalid_file([("", "the file must be a mapping with `version: 1` and entity lists")])
    problems: list[tuple[str, str]] = []
    version = data.get("version")
    # `type(...) is int`: YAML's `true` is an int subclass equal to 1.
    if type(version) is not int or version != 1:
        problems.append(("/version", "must be 1 (the only version of this format)"))
    problems += [
        (pointer(key), "is not a section of a registry file")
        for key in data
        if key != "version" and key not in _IDENTITY
    ]
    document = RegistryDocument.model_construct(
        version=1,
        members=_entries(data, "members", MemberCreate, problems),
        systems=_entries(data, "systems", SystemCreate, problems),
        services=_entries(data, "services", ServiceCreate, problems),
        access_rules=_entries(data, "access_rules", AccessRuleCreate, problems),
        credentials=_entries(data, "credentials", CredentialDeclaration, problems),
    )
    declared = {
        section: frozenset(key[0] for key in _keys(data, section) if key is not None)
        for section, fields in _IDENTITY.items()
        if len(fields) == 1
    }
    for section in _IDENTITY:
        problems += _repeated(section, _keys(data, section))
    return Inspection(document=document, problems=problems, declared=declared)


def _entries(
    data: dict[object, object], section: str, model: type[Entry], problems: list[tuple[str, str]]
) -> list[Entry]:
    raw = data.get(section, [])
    if not isinstance(raw, list):
        problems.append((pointer(section), "must be a list"))
        return []
    valid = []
    for index, entry in enumerate(raw):
        try:
            valid.append(model.model_validate(entry))
        except ValidationError as exc:
            problems += [
                (pointer(section, index, *err["loc"]), _message(err["msg"])) for err in exc.errors()
            ]
    return valid


def _keys(data: dict[object, object], section: str) -> list[tuple[str, ...] | None]:
    raw = data.get(section)
    fields = _IDENTITY[section]
    return [_identity(e, fields) for e in raw] if isinstance(raw, list) else []


def _repeated(section: str, keys: list[tuple[str, ...] | None]) -> list[tuple[str, str]]:
    fields = _IDENTITY[section]
    first: dict[tuple[str, ...], int] = {}
    found = []
    for index, key in enumerate(keys):
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


def invalid_file(problems: Sequence[tuple[str, str]]) -> Invalid:
    """The error for a file with `problems` (JSON Pointer, what is wrong)."""
    return Invalid(f"the registry file has {len(problems)} problem(s)", problems)
