"""The one place where the steps of a synchronous exchange are composed.

authenticate → resolve → authorize → validate → audit(request) → forward → audit(outcome) → answer

A refusal at any step before forwarding is one `refusal` entry and nothing
reaches the provider. Once the request entry is committed the provider is
called once; whatever happens then is one `outcome` entry. Every answer
leaves only after its own entry has committed (fail closed: 503 otherwise).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from adapters.base import OutboundRequest, ProviderResponse, Timeouts
from adapters.errors import AdapterError, UpstreamError, UpstreamTimeout
from audit.entry import digest
from lgsp.api.problems import BAD_REQUEST, UNAVAILABLE, Problem, ProblemType
from lgsp.auth.tokens import TokenService
from lgsp.exchange import headers
from lgsp.exchange.answer import Answer, has_content_length
from lgsp.exchange.authenticate import authenticate
from lgsp.exchange.authorize import authorize
from lgsp.exchange.entries import Facts
from lgsp.exchange.errors import Refused
from lgsp.exchange.inbound import Inbound
from lgsp.exchange.journal import Journal, JournalUnavailable
from lgsp.exchange.providers import Providers, UnknownAdapter
from lgsp.exchange.resolve import Target, locate, target_of
from lgsp.exchange.validate import validate
from lgsp.registry_cache import RegistryCache
from lgsp.settings import Settings
from schemas.validation import SchemaValidators

log = logging.getLogger("lgsp.exchange")

UPSTREAM_UNAVAILABLE = ProblemType("upstream-unavailable", 502, "The provider could not be reached")
UPSTREAM_TIMEOUT = ProblemType("upstream-timeout", 504, "The provider did not answer in time")
UNLOGGED = "the exchange could not write its audit log, so it did not go on"


@dataclass(frozen=True, slots=True)
class ExchangeServices:
    """What the pipeline needs from the node's runtime."""

    settings: Settings
    tokens: TokenService
    registry: RegistryCache
    validators: SchemaValidators
    journal: Journal
    providers: Providers


async def run(call: Inbound, *, services: ExchangeServices) -> Answer:
    """Carry one synchronous exchange through every step and answer."""
    started = time.perf_counter()
    exchange_id = call.exchange_id
    body = call.body
    facts = Facts.of(
        exchange_id=exchange_id,
        node=services.settings.node_id,
        method=call.method,
        raw_target=call.raw_target,
        body=body,
        idempotency_key=call.idempotency_key,
    )
    snapshot = services.registry.snapshot
    try:
        facts.caller = authenticate(call.authorization, tokens=services.tokens)
        # Parsed once: the id goes into refusals from here on, even for an unknown service.
        service_id, provider_path = locate(call.service_path)
        facts.service_id = service_id
        target = target_of(service_id, provider_path, snapshot=snapshot)
        rule = authorize(facts.caller, target, method=call.method, snapshot=snapshot)
        facts.route_template = rule.path_template
        validate(
            target,
            method=call.method,
            content_type=call.content_type,
            body=body,
            validators=services.validators,
        )
        outbound = _outbound(call, facts=facts, target=target)
    except Refused as refusal:
        return await _refuse(refusal, facts=facts, services=services, started=started)

    try:
        (entry,) = await services.journal.record([facts.draft("request")])
    except JournalUnavailable:
        return _unlogged(exchange_id)
    request_hash = entry.hash_hex

    answer, failure = await _forward(outbound, target=target, services=services)
    latency_us = int((time.perf_counter() - started) * 1_000_000)
    if failure is not None:
        outcome = facts.draft(
            "outcome", status=failure.type.status, latency_us=latency_us, reason=failure.type.slug
        )
    else:
        assert answer is not None
        outcome = facts.draft(
            "outcome",
            status=answer.status,
            latency_us=latency_us,
            response_digest=digest(answer.body),
        )
    try:
        await services.journal.record([outcome])
    except JournalUnavailable:
        return _unlogged(exchange_id)

    receipt = f"sha256:{request_hash}"
    if failure is not None:
        failure.headers = {**failure.headers, "X-LGSP-Request-Hash": receipt}
        return Answer.of_problem(failure, instance=_INSTANCE, exchange_id=exchange_id)
    assert answer is not None
    return _relay(answer, exchange_id=exchange_id, receipt=receipt)


_INSTANCE = "/x/{service}"


async def _refuse(
    refusal: Refused, *, facts: Facts, services: ExchangeServices, started: float
) -> Answer:
    latency_us = int((time.perf_counter() - started) * 1_000_000)
    status = refusal.problem.type.status
    try:
        await services.journal.record(
            [facts.draft("refusal", status=status, latency_us=latency_us, reason=refusal.reason)]
        )
    except JournalUnavailable:
        return _unlogged(facts.exchange_id)
    return Answer.of_problem(refusal.problem, instance=_INSTANCE, exchange_id=facts.exchange_id)


def _outbound(call: Inbound, *, facts: Facts, target: Target) -> OutboundRequest:
    """The call to forward; built before the request entry so a malformed one is a refusal."""
    assert facts.caller is not None
    try:
        return OutboundRequest(
            method=call.method,
            path=target.provider_path,
            query=call.query,
            headers=(
                *headers.outbound(call.headers),
                ("X-LGSP-Exchange-Id", facts.exchange_id),
                ("X-LGSP-Client", facts.caller.system_id),
            ),
            body=call.body,
            exchange_id=facts.exchange_id,
            timeouts=_timeouts(target),
        )
    except ValueError as exc:
        raise Refused(Problem(BAD_REQUEST, str(exc))) from None


def _timeouts(target: Target) -> Timeouts:
    read = target.service.timeout_seconds
    # Connecting is quick on a healthy network; a provider that cannot even
    # accept within a few seconds is down, whatever its answer timeout is.
    return Timeouts(connect=min(read, 5.0), read=read)


async def _forward(
    outbound: OutboundRequest, *, target: Target, services: ExchangeServices
) -> tuple[ProviderResponse | None, Problem | None]:
    try:
        adapter = await services.providers.adapter_for(target.service)
        return await adapter.send(outbound), None
    except UpstreamTimeout:
        detail = f"{target.service.id} did not answer within {outbound.timeouts.read:g} s"
        return None, Problem(UPSTREAM_TIMEOUT, detail)
    except UpstreamError as exc:
        log.warning("provider of %s failed: %s", target.service.id, type(exc).__name__)
        return None, Problem(UPSTREAM_UNAVAILABLE, f"{target.service.id} could not be reached")
    except (UnknownAdapter, AdapterError) as exc:
        # Bad options or a missing secret: the operator's to fix, logged by kind only.
        log.error("service %s is misconfigured: %s", target.service.id, type(exc).__name__)
        return None, Problem(UPSTREAM_UNAVAILABLE, f"{target.service.id} is misconfigured")


def _relay(answer: ProviderResponse, *, exchange_id: str, receipt: str) -> Answer:
    # The provider's headers as sent, less hop-by-hop and framing ones; our own follow.
    raw = [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in headers.inbound(answer.headers)
    ]
    if has_content_length(answer.status):
        raw.append((b"content-length", str(len(answer.body)).encode("latin-1")))
    raw.append((b"x-lgsp-exchange-id", exchange_id.encode("latin-1")))
    raw.append((b"x-lgsp-request-hash", receipt.encode("latin-1")))
    return Answer(status=answer.status, headers=raw, body=answer.body)


def _unlogged(exchange_id: str) -> Answer:
    return Answer.of_problem(Problem(UNAVAILABLE, UNLOGGED), exchange_id=exchange_id)
