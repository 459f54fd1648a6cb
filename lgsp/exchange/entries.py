"""The audit entries of one exchange, built from what the pipeline learned (never raw data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from audit.entry import EntryDraft, digest, timestamp
from lgsp.auth.models import Caller

# The route template of a call that never matched a rule: the exchange route itself.
EXCHANGE_ROUTE = "/x/{service}"


@dataclass(slots=True)
class Facts:
    """What is known of one exchange so far; digests stand in for every raw value."""

    exchange_id: str
    node: str
    method: str
    path_digest: str
    request_digest: str | None
    idempotency_key_digest: str | None
    caller: Caller | None = None
    service_id: str | None = None
    route_template: str = EXCHANGE_ROUTE
    extra: dict[str, str | int] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        *,
        exchange_id: str,
        node: str,
        method: str,
        raw_target: bytes,
        body: bytes,
        idempotency_key: str | None,
    ) -> Facts:
        """The facts known on arrival: digests of the raw path and query, body and key."""
        return cls(
            exchange_id=exchange_id,
            node=node,
            method=method,
            path_digest=digest(raw_target),
            request_digest=digest(body) if body else None,
            idempotency_key_digest=(
                digest(idempotency_key.encode("utf-8")) if idempotency_key else None
            ),
        )

    def draft(
        self,
        kind: Literal["request", "outcome", "refusal"],
        *,
        status: int | None = None,
        latency_us: int | None = None,
        reason: str | None = None,
        response_digest: str | None = None,
    ) -> EntryDraft:
        """An entry of `kind` carrying these facts."""
        return EntryDraft(
            kind=kind,
            exchange_id=self.exchange_id,
            node=self.node,
            at=timestamp(),
            client_id=self.caller.client_id if self.caller else None,
            client_system_id=self.caller.system_id if self.caller else None,
            service_id=self.service_id,
            method=self.method,
            route_template=self.route_template,
            status=status,
            latency_us=latency_us,
            reason=reason,
            request_digest=self.request_digest,
            response_digest=response_digest,
            path_digest=self.path_digest,
            idempotency_key_digest=self.idempotency_key_digest,
            extra=dict(self.extra),
        )
