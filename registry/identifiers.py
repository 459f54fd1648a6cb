"""Member codes, system ids and service ids: their shapes, parsing and formatting.

- member: the agency's electronic identifier `V1V2V3.Z1Z2.Y1Y2.H1H2H3`
  (Decision 20/2020/QĐ-TTg), e.g. `000.00.00.H57`;
- system: `<member>:<SYSTEM>`, e.g. `000.00.00.H57:HUE-S`;
- service: `<system>/<service-code>/v<N>`, e.g. `000.00.00.H57:HUE-S/phan-anh-hien-truong/v1`.

Every parser raises `Invalid` with a JSON Pointer (given by the caller, so a
declarative file can point at the offending entry) and a message saying
which shape was expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from registry.errors import Invalid

# Only the last group's shape (a letter and two digits) is fixed; which
# letters exist beyond `H` (provinces) is not confirmed, so any is accepted.
_MEMBER = r"[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}"
_SYSTEM_CODE = r"[A-Z0-9](?:[A-Z0-9-]{0,62}[A-Z0-9])?"
_SERVICE_CODE = r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?"
# No leading zero: `v01` and `v1` would otherwise name one service twice.
_VERSION = r"[1-9][0-9]{0,8}"

_MEMBER_RE = re.compile(_MEMBER)
_SYSTEM_CODE_RE = re.compile(_SYSTEM_CODE)
_SERVICE_CODE_RE = re.compile(_SERVICE_CODE)
_SYSTEM_RE = re.compile(rf"(?P<member>{_MEMBER}):(?P<code>{_SYSTEM_CODE})")
_SERVICE_RE = re.compile(
    rf"(?P<system>{_MEMBER}:{_SYSTEM_CODE})/(?P<code>{_SERVICE_CODE})/v(?P<version>{_VERSION})"
)
# Anchored at the start and ending at `/v<N>`: what follows must be empty or
# start with `/`, so `/v1x/...` can never be read as version 1.
_SERVICE_PATH_RE = re.compile(
    rf"(?P<service>{_MEMBER}:{_SYSTEM_CODE}/{_SERVICE_CODE}/v{_VERSION})(?P<rest>/.*)?",
    re.DOTALL,
)

MEMBER_SHAPE = "V1V2V3.Z1Z2.Y1Y2.H1H2H3 (e.g. 000.00.00.H57)"
SYSTEM_SHAPE = "<member>:<SYSTEM> with SYSTEM of A-Z, 0-9 and '-' (e.g. 000.00.00.H57:HUE-S)"
SERVICE_SHAPE = (
    "<system>/<service-code>/v<N> with service-code of a-z, 0-9 and '-' and N >= 1 "
    "(e.g. 000.00.00.H57:HUE-S/phan-anh-hien-truong/v1)"
)


@dataclass(frozen=True, slots=True)
class SystemId:
    """A parsed system id."""

    member_code: str
    code: str

    def __str__(self) -> str:
        return format_system_id(member_code=self.member_code, code=self.code)


@dataclass(frozen=True, slots=True)
class ServiceId:
    """A parsed service id."""

    system: SystemId
    code: str
    version: int

    @property
    def system_id(self) -> str:
        """The id of the system that offers the service."""
        return str(self.system)

    def __str__(self) -> str:
        return format_service_id(system_id=self.system_id, code=self.code, version=self.version)


def _invalid(
    what: str, value: object, shape: str, pointer: str, pattern: re.Pattern[str] | None = None
) -> Invalid:
    hint = ""
    if pattern is not None and isinstance(value, str) and pattern.fullmatch(value.upper()):
        hint = " (letters must be uppercase)"
    return Invalid.at(pointer, f"{what} {value!r} does not have the shape {shape}{hint}")


def parse_member_code(value: str, *, pointer: str = "") -> str:
    """The member code `value`, checked; `Invalid` (at `pointer`) when its shape is wrong."""
    if not isinstance(value, str) or not _MEMBER_RE.fullmatch(value):
        raise _invalid("member code", value, MEMBER_SHAPE, pointer, _MEMBER_RE)
    return value


def parse_system_id(value: str, *, pointer: str = "") -> SystemId:
    """The parts of system id `value`; `Invalid` (at `pointer`) when its shape is wrong."""
    match = _SYSTEM_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise _invalid("system id", value, SYSTEM_SHAPE, pointer, _SYSTEM_RE)
    return SystemId(member_code=match["member"], code=match["code"])


def parse_service_id(value: str, *, pointer: str = "") -> ServiceId:
    """The parts of service id `value`; `Invalid` (at `pointer`) when its shape is wrong."""
    match = _SERVICE_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise _invalid("service id", value, SERVICE_SHAPE, pointer)
    system = parse_system_id(match["system"], pointer=pointer)
    return ServiceId(system=system, code=match["code"], version=int(match["version"]))


def format_system_id(*, member_code: str, code: str) -> str:
    """The system id of system `code` of member `member_code`, both checked."""
    parse_member_code(member_code)
    if not _SYSTEM_CODE_RE.fullmatch(code):
        raise _invalid("system code", code, "A-Z, 0-9 and '-' (e.g. HUE-S)", "")
    return f"{member_code}:{code}"


def format_service_id(*, system_id: str, code: str, version: int) -> str:
    """The service id of version `version` of service `code` of `system_id`, all checked."""
    parse_system_id(system_id)
    if not _SERVICE_CODE_RE.fullmatch(code):
        raise _invalid("service code", code, "a-z, 0-9 and '-' (e.g. phan-anh-hien-truong)", "")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version < 10**9:
        raise Invalid.at("", f"service version {version!r} must be an integer >= 1")
    return f"{system_id}/{code}/v{version}"


def split_service_path(path: str) -> tuple[ServiceId, str]:
    """Split `<service id>[/<rest>]` into the service id and the provider path (`""` or `/...`).

    A leading `/` is allowed. The rest is refused when it holds an empty
    segment, a dot-segment (plain or percent-encoded) or an encoded slash or
    backslash: each would let a caller reach a provider path other than the
    one the access rules were matched against.
    """
    match = _SERVICE_PATH_RE.fullmatch(path.removeprefix("/"))
    if match is None:
        raise Invalid.at(
            "", f"the path does not start with a service id of the shape {SERVICE_SHAPE}"
        )
    rest = match["rest"] or ""
    for segment in rest.split("/")[1:]:
        problem = _segment_problem(segment)
        if problem is not None:
            raise Invalid.at("", f"the provider path is refused: {problem}")
    return parse_service_id(match["service"]), rest


def _segment_problem(segment: str) -> str | None:
    lowered = segment.lower()
    if segment == "":
        return "it has an empty segment"
    if unquote(segment) in (".", ".."):
        return "it has a dot-segment"
    if "%2f" in lowered or "%5c" in lowered:
        return "it has an encoded slash or backslash"
    return None


# Opaque: no `:` so that `curl -u id:secret` works; no spaces, quotes or `%`.
_CLIENT_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{2,63}")


def parse_client_id(value: str, *, pointer: str = "") -> str:
    """The OAuth2 client id `value`, checked; `Invalid` (at `pointer`) when its shape is wrong."""
    if not isinstance(value, str) or not _CLIENT_ID_RE.fullmatch(value):
        message = (
            f"client id {value!r} must be 3 to 64 characters of A-Z, a-z, 0-9, '.', '_', '~' "
            "and '-', starting with a letter or digit"
        )
        raise Invalid.at(pointer, message)
    return value
