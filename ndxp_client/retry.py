"""When and how a call is tried again: tenacity, for idempotent calls and transient failures only.

Transient: the platform could not be reached or did not answer in time (`NdxpUnavailable`,
`NdxpTimeout`), or answered 408, 429, 502, 503 or 504. Waits grow exponentially with
random jitter; a `Retry-After` on the answer replaces the computed wait. Attempts are
bounded, and so is the total time: no attempt starts once its wait would cross
`total_seconds`. The last answer (or error) is what the caller gets.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
    stop_before_delay,
    wait_exponential,
    wait_random,
)

from ndxp_client.errors import NdxpTimeout, NdxpUnavailable
from ndxp_client.messages import header_value
from ndxp_client.transport import HttpResponse

log = logging.getLogger("ndxp_client")

TRANSIENT_STATUSES = frozenset({408, 429, 502, 503, 504})
# RFC 9110 §9.2.2: methods whose repetition has the effect of one request.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many attempts, how long to wait between them, and how long in all (seconds).

    `sleep` is injectable so tests need not wait; `attempts=1` never retries.
    """

    attempts: int = 3
    total_seconds: float = 30.0
    backoff_seconds: float = 0.5
    max_backoff_seconds: float = 8.0
    jitter_seconds: float = 0.25
    sleep: Sleep = asyncio.sleep

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("RetryPolicy.attempts must be at least 1")
        for name in ("total_seconds", "backoff_seconds", "max_backoff_seconds", "jitter_seconds"):
            if getattr(self, name) < 0:
                raise ValueError(f"RetryPolicy.{name} cannot be negative")

    @classmethod
    def never(cls) -> RetryPolicy:
        """One attempt, whatever happens."""
        return cls(attempts=1)


def retry_after_seconds(value: str | None, *, now: float) -> float | None:
    """Seconds a `Retry-After` value asks to wait (delta-seconds or HTTP-date), or None."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(int(text))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now)


def is_transient(response: HttpResponse) -> bool:
    """Whether an answer's status says the same request may succeed later."""
    return response.status in TRANSIENT_STATUSES


async def with_retries(
    attempt: Callable[[], Awaitable[HttpResponse]],
    *,
    policy: RetryPolicy,
    label: str,
    clock: Callable[[], float] = time.time,
) -> HttpResponse:
    """Run `attempt` under `policy`: again after a transient failure, within its bounds.

    `label` names the call in logs (a service and message id: nothing personal).
    """
    if policy.attempts == 1:
        return await attempt()
    backoff = wait_exponential(
        multiplier=policy.backoff_seconds, max=policy.max_backoff_seconds
    ) + wait_random(0, policy.jitter_seconds)

    def wait(state: RetryCallState) -> float:
        """The answer's `Retry-After` if it has one, else the jittered exponential backoff."""
        outcome = state.outcome
        if outcome is not None and not outcome.failed:
            response: HttpResponse = outcome.result()
            asked = retry_after_seconds(header_value(response.headers, "Retry-After"), now=clock())
            if asked is not None:
                return asked
        return float(backoff(state))

    def before_sleep(state: RetryCallState) -> None:
        """Log what failed and when the next attempt comes (no personal data)."""
        outcome = state.outcome
        what = "no answer"
        if outcome is not None:
            what = (
                type(outcome.exception()).__name__
                if outcome.failed
                else f"HTTP {outcome.result().status}"
            )
        log.info(
            "%s: attempt %d got %s; again in %.2f s",
            label,
            state.attempt_number,
            what,
            state.upcoming_sleep,
        )

    retrying = AsyncRetrying(
        sleep=policy.sleep,
        stop=stop_after_attempt(policy.attempts) | stop_before_delay(policy.total_seconds),
        wait=wait,
        retry=retry_if_exception_type((NdxpUnavailable, NdxpTimeout))
        | retry_if_result(is_transient),
        before_sleep=before_sleep,
        retry_error_callback=_last_outcome,
    )

    async def run() -> HttpResponse:
        """One attempt."""
        # tenacity awaits only what it sees is a coroutine function (not a lambda's result).
        return await attempt()

    result: HttpResponse = await retrying(run)
    return result


def _last_outcome(state: RetryCallState) -> HttpResponse:
    # Out of attempts or time: the caller gets the last answer, or the last error raised.
    if state.outcome is None:
        raise RuntimeError("tenacity stopped before any attempt")
    result: HttpResponse = state.outcome.result()
    return result
