"""Step 2: which service is called, and which provider path, from the raw request path."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from lgsp.api.problems import BAD_PATH, NOT_FOUND, Problem
from lgsp.exchange.errors import Refused
from registry.errors import Invalid
from registry.identifiers import split_service_path
from registry.snapshot import ServiceView, Snapshot

# A service id spans three path segments: `<member>:<SYSTEM>/<code>/v<N>`.
_SERVICE_SEGMENTS = 3


@dataclass(frozen=True, slots=True)
class Target:
    """The service a call names and the provider path, exactly as received."""

    service: ServiceView
    provider_path: str


def _split(raw_path: str) -> tuple[str, str]:
    # Clients may percent-encode the `:` of the system id; only the service
    # id is decoded: the provider path stays exactly as the caller sent it.
    segments = raw_path.removeprefix("/").split("/")
    head = "/".join(unquote(s) for s in segments[:_SERVICE_SEGMENTS])
    tail = "/".join(segments[_SERVICE_SEGMENTS:])
    service, rest = split_service_path(head + ("/" + tail if len(segments) > 3 else ""))
    return str(service), rest


def locate(raw_path: str) -> tuple[str, str]:
    """The service id and provider path a raw exchange path names; `Refused` (400) if malformed."""
    try:
        return _split(raw_path)
    except Invalid as exc:
        raise Refused(Problem(BAD_PATH, str(exc))) from None


def resolve(raw_path: str, *, snapshot: Snapshot) -> Target:
    """The registered service and provider path; `Refused` (400 or 404) when there is none."""
    service_id, rest = locate(raw_path)
    return target_of(service_id, rest, snapshot=snapshot)


def target_of(service_id: str, rest: str, *, snapshot: Snapshot) -> Target:
    """The registered service `service_id` (from `locate`); `Refused` (404) when there is none."""
    service = snapshot.service(service_id)
    if service is None:
        raise Refused(Problem(NOT_FOUND, f"no service {service_id} is registered"))
    return Target(service=service, provider_path=rest)
