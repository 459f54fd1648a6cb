"""The call as the pipeline sees it: read once from the ASGI scope, no framework objects.

The exchange route is the hot path, so it skips Starlette's `Request` (whose header
look-ups scan the headers in Python on every access) and reads the few headers the
steps need in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lgsp.api.middleware.paths import raw_path

EXCHANGE_PREFIX = "/x"


@dataclass(frozen=True, slots=True)
class Inbound:
    """One call to `/x/...`: method, raw target, headers (latin-1 text) and the whole body."""

    exchange_id: str
    method: str
    service_path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    authorization: str | None = None
    content_type: str | None = None
    idempotency_key: str | None = None

    @classmethod
    def of(cls, scope: Mapping[str, Any], *, body: bytes, exchange_id: str) -> Inbound:
        """The call of an ASGI `http` scope whose body has been read."""
        path = raw_path(scope).decode("latin-1")
        headers = _decoded(scope["headers"])
        found: dict[str, str] = {}
        for name, value in headers:
            # The first occurrence wins, as with Starlette's `Headers.get`.
            if name in _WANTED and name not in found:
                found[name] = value
        return cls(
            exchange_id=exchange_id,
            method=scope["method"],
            service_path=path.removeprefix(EXCHANGE_PREFIX),
            query=bytes(scope.get("query_string", b"")).decode("latin-1"),
            headers=headers,
            body=body,
            authorization=found.get("authorization"),
            content_type=found.get("content-type"),
            idempotency_key=found.get("idempotency-key"),
        )

    @property
    def raw_target(self) -> bytes:
        """The service path and query exactly as received (what the audit log digests)."""
        query = "?" + self.query if self.query else ""
        return (self.service_path + query).encode("latin-1")


_WANTED = frozenset({"authorization", "content-type", "idempotency-key"})


def _decoded(raw: Iterable[tuple[bytes, bytes]]) -> tuple[tuple[str, str], ...]:
    # ASGI servers give lower-case names; lower() again for servers that do not.
    return tuple((name.decode("latin-1").lower(), value.decode("latin-1")) for name, value in raw)
