"""What a call is made of on its way out (`RequestParts`) and what comes back (`NdxpResponse`)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ndxp_client import protocol
from ndxp_client.transport import Headers


@dataclass(frozen=True, slots=True)
class RequestParts:
    """One request as it will be sent: what an `AuthScheme` may sign or bind itself to.

    `path_and_query` is the request target on the wire (`protocol.request_target(url)`).
    """

    method: str
    url: str
    path_and_query: str
    message_id: str
    body: bytes


def header_value(headers: Headers, name: str) -> str | None:
    """The first value of header `name` (case-insensitive), or None."""
    wanted = name.lower()
    return next((value for key, value in headers if key.lower() == wanted), None)


@dataclass(frozen=True, slots=True)
class NdxpResponse:
    """An answer from NDXP: status, headers in order, body as transferred, and two facts.

    `request_hash_ok` is True when the answer carried `X-Road-Request-Hash` and it is the
    hash of the request we sent (a different one is never returned: it raises
    `NdxpProtocolError`); `message_id` is the `X-Road-Id` the request was sent with.
    """

    status: int
    headers: Headers
    body: bytes
    request_hash_ok: bool
    message_id: str

    def header(self, name: str) -> str | None:
        """The first value of header `name` (case-insensitive), or None."""
        return header_value(self.headers, name)

    @property
    def error_code(self) -> str | None:
        """The `X-Road-Error` code of a refusal, or None for the service's own answer."""
        return self.header(protocol.ERROR)

    def json(self) -> object:
        """The body parsed as JSON (raises `ValueError` if it is not)."""
        return json.loads(self.body)
