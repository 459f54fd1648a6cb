"""One call to a simulated service, from bytes in to answer out, the same for REST and SOAP.

The order is fixed and documented: the service is resolved (404 has no
faults); faults are drawn; an outage answers at once; other faults strike now,
or after the effect when `after_effect` is set; then the caller is
authenticated, the message id is claimed (a repeat gets the first answer
again, a conflicting one 409), the service takes effect, and the answer goes
out with `X-Road-Id`, `X-Road-Service` and `X-Road-Request-Hash`. Every send
is recorded, dropped ones included.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from ndxp_client import protocol
from ndxp_client.simulator.auth import Authenticator, Credentials
from ndxp_client.simulator.config import ClientConfig
from ndxp_client.simulator.connection import drop
from ndxp_client.simulator.dedup import Conflict, DedupStore, Fresh
from ndxp_client.simulator.errors import (
    BadRequest,
    BodyTooLarge,
    DuplicateMessageId,
    InjectedError,
    Refusal,
    ServiceUnavailable,
)
from ndxp_client.simulator.faults import Decision, FaultInjector
from ndxp_client.simulator.records import RecordStore
from ndxp_client.simulator.services.base import Answer, Call, Service

# README §1.2: a message id is at most 128 visible ASCII characters.
_MESSAGE_ID = re.compile(r"[!-~]{1,128}")

ErrorRenderer = Callable[[Refusal, str], Answer]
"""Turns a refusal into an answer body, given the request's content type."""


@dataclass(frozen=True, slots=True)
class Front:
    """How a protocol (REST or SOAP) names itself in records and renders its errors."""

    name: str
    render_error: ErrorRenderer


@dataclass(frozen=True, slots=True)
class Platform:
    """The stateful parts a call goes through."""

    auth: Authenticator
    faults: FaultInjector
    dedup: DedupStore
    records: RecordStore
    max_body_bytes: int


class _Dropped(Exception):
    """The connection was aborted; nothing is to be answered."""


def request_target(scope: Mapping[str, object]) -> str:
    """The path and query exactly as received (what hashes and signatures cover)."""
    raw = scope.get("raw_path")
    path = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(scope["path"])
    query = scope.get("query_string", b"")
    return (
        f"{path}?{query.decode('utf-8', 'replace')}" if isinstance(query, bytes) and query else path
    )


async def _read_body(request: Request, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"the request body exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _strike(decision: Decision, request: Request) -> None:
    if decision.latency_seconds:
        await asyncio.sleep(decision.latency_seconds)
    if decision.drop:
        await drop(request)
        raise _Dropped
    if decision.error_status is not None:
        headers = {"Retry-After": str(decision.retry_after)} if decision.retry_after else {}
        raise InjectedError(
            status=decision.error_status, error_type=decision.error_type, headers=headers
        )


def _once(
    platform: Platform,
    *,
    client: ClientConfig,
    key: str | None,
    request_hash: str,
    run: Callable[[], Answer],
) -> tuple[Answer, bool]:
    """The service's answer, and whether it is a repeat's (the service not run again)."""
    if key is None:
        return run(), False
    claim = platform.dedup.claim(client_id=client.client_id, key=key, request_hash=request_hash)
    if isinstance(claim, Conflict):
        raise DuplicateMessageId("this message id was already used for a different request")
    if not isinstance(claim, Fresh):
        return claim.answer, True
    try:
        answer = run()
    except BaseException:
        platform.dedup.release(client_id=client.client_id, key=key)
        raise
    platform.dedup.complete(client_id=client.client_id, key=key, answer=answer)
    return answer, False


@dataclass
class _Send:
    """What the record of one send will say, filled in as the call goes."""

    service_id: str
    front: str
    message_id: str
    request_hash: str = ""
    client: str | None = None
    duplicate: bool = False
    fault: str | None = None

    def record(self, records: RecordStore, *, status: int | None, error: str | None) -> None:
        """Add this send to `records`."""
        records.add_send(
            client=self.client,
            service=self.service_id,
            protocol=self.front,
            message_id=self.message_id,
            request_hash=self.request_hash,
            duplicate=self.duplicate,
            status=status,
            error=error,
            fault=self.fault,
        )


async def _process(
    request: Request,
    *,
    platform: Platform,
    service: Service,
    send: _Send,
    body: bytes,
    target: str,
    key: str | None,
) -> Answer:
    """The service's answer to a resolved call; raises `Refusal` or `_Dropped`."""
    decision = platform.faults.decide(service.service_id)
    send.fault = decision.name
    if decision.outage:
        raise ServiceUnavailable(
            "the platform is unavailable (injected outage)",
            headers={"Retry-After": str(decision.retry_after)},
        )
    if not decision.after_effect:
        await _strike(decision, request)
    client = platform.auth.authenticate(
        Credentials(
            method=request.method, path_and_query=target, headers=request.headers, body=body
        )
    )
    send.client = client.client_id

    def effect(kind: str, subject: str, detail: Mapping[str, str]) -> None:
        platform.records.add_effect(
            client=client.client_id,
            service=service.service_id,
            message_id=send.message_id,
            kind=kind,
            subject=subject,
            detail=detail,
        )

    content_type = request.headers.get("content-type", "")
    call = Call(client.client_id, service.service_id, send.message_id, body, content_type, effect)
    answer, send.duplicate = _once(
        platform,
        client=client,
        key=key,
        request_hash=send.request_hash,
        run=lambda: service.handler(call),
    )
    if decision.after_effect:
        await _strike(decision, request)
    return answer


async def serve_call(
    request: Request,
    *,
    platform: Platform,
    front: Front,
    service_id: str,
    service: Service | Refusal,
) -> Response:
    """Answer one call to `service` (or refuse it, when resolution gave a `Refusal`)."""
    headers = request.headers
    target = request_target(request.scope)
    message_id = headers.get(protocol.MESSAGE_ID) or str(uuid.uuid4())
    key = headers.get(protocol.IDEMPOTENCY_KEY) or headers.get(protocol.MESSAGE_ID)
    send = _Send(service_id=service_id, front=front.name, message_id=message_id)
    out = {protocol.MESSAGE_ID: message_id, protocol.SERVICE: service_id}
    error: str | None = None
    try:
        body = await _read_body(request, platform.max_body_bytes)
        send.request_hash = protocol.request_hash(
            method=request.method, path_and_query=target, body=body
        )
        out[protocol.REQUEST_HASH] = send.request_hash
        if isinstance(service, Refusal):
            raise service
        for name in (protocol.MESSAGE_ID, protocol.IDEMPOTENCY_KEY):
            if name in headers and not _MESSAGE_ID.fullmatch(headers[name]):
                raise BadRequest(f"{name} must be 1 to 128 visible ASCII characters")
        answer = await _process(
            request,
            platform=platform,
            service=service,
            send=send,
            body=body,
            target=target,
            key=key,
        )
    except _Dropped:
        send.record(platform.records, status=None, error=None)
        # Nobody will read this: the transport is gone and the server discards it.
        return Response(status_code=204)
    except Refusal as refusal:
        answer = front.render_error(refusal, headers.get("content-type", ""))
        out.update(refusal.headers)
        out[protocol.ERROR] = error = refusal.error_type
    send.record(platform.records, status=answer.status, error=error)
    return Response(
        content=answer.body, status_code=answer.status, media_type=answer.media_type, headers=out
    )
