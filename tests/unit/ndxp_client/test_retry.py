"""Retries: idempotent calls only, transient failures only, bounded, Retry-After honoured."""

from __future__ import annotations

import asyncio
import email.utils

import pytest

from ndxp_client import NdxpRefused, NdxpUnavailable, RetryPolicy, Timeouts, protocol
from ndxp_client.retry import retry_after_seconds
from tests.unit.ndxp_client.helpers import RecordedSleep, hmac_client, quick_retry
from tests.unit.ndxp_client.national import (
    CITIZEN_SERVICE,
    Scripted,
    closed_port,
    national_server,
)

pytestmark = pytest.mark.anyio

UNAVAILABLE = Scripted(status=503, body=b"busy")


async def test_a_transient_failure_is_retried_for_an_idempotent_call_with_the_same_id() -> None:
    sleep = RecordedSleep()
    async with (
        national_server(scheme="hmac") as server,
        hmac_client(server.url, retry=quick_retry(sleep)) as client,
    ):
        server.answer_next(UNAVAILABLE)
        answer = await client.call(service=CITIZEN_SERVICE, method="GET", message_id="m-1")
    assert answer.status == 200
    assert len(server.seen) == 2
    assert {seen.header(protocol.MESSAGE_ID) for seen in server.seen} == {"m-1"}
    assert {seen.header(protocol.IDEMPOTENCY_KEY) for seen in server.seen} == {"m-1"}
    assert sleep.waits == [0.01]


async def test_a_post_is_never_retried_unless_marked_idempotent() -> None:
    sleep = RecordedSleep()
    async with (
        national_server(scheme="hmac") as server,
        hmac_client(server.url, retry=quick_retry(sleep)) as client,
    ):
        server.answer_next(UNAVAILABLE)
        answer = await client.call(service=CITIZEN_SERVICE, method="POST", body=b"{}")
        assert (answer.status, answer.body) == (503, b"busy")
        assert len(server.seen) == 1
        server.answer_next(UNAVAILABLE)
        answer = await client.call(service=CITIZEN_SERVICE, method="GET", idempotent=False)
        assert answer.status == 503
        assert len(server.seen) == 2
        # The receiver deduplicates on X-Road-Id: the caller may say the POST is safe.
        server.answer_next(UNAVAILABLE)
        answer = await client.call(service=CITIZEN_SERVICE, body=b"{}", idempotent=True)
    assert answer.status == 200
    assert len(server.seen) == 4
    assert server.seen[2].header(protocol.MESSAGE_ID) == server.seen[3].header(protocol.MESSAGE_ID)
    assert server.seen[2].body == server.seen[3].body == b"{}"
    assert sleep.waits == [0.01]


async def test_retry_after_replaces_the_computed_wait() -> None:
    sleep = RecordedSleep()
    async with (
        national_server(scheme="hmac") as server,
        hmac_client(server.url, retry=quick_retry(sleep)) as client,
    ):
        server.answer_next(Scripted(status=429, headers=(("Retry-After", "2"),)))
        assert (await client.call(service=CITIZEN_SERVICE, method="GET")).status == 200
        # Longer than the whole budget: no second attempt, the answer is the caller's.
        server.answer_next(Scripted(status=503, headers=(("Retry-After", "60"),)))
        answer = await client.call(service=CITIZEN_SERVICE, method="GET")
    assert answer.status == 503
    assert answer.header("Retry-After") == "60"
    assert sleep.waits == [2.0]
    assert len(server.seen) == 3


async def test_retry_after_is_waited_for_real() -> None:
    policy = RetryPolicy(attempts=2, backoff_seconds=0.0, jitter_seconds=0.0)
    async with (
        national_server(scheme="hmac") as server,
        hmac_client(server.url, retry=policy) as client,
    ):
        server.answer_next(Scripted(status=503, headers=(("Retry-After", "1"),)))
        loop_time = asyncio.get_running_loop().time
        started = loop_time()
        assert (await client.call(service=CITIZEN_SERVICE, method="GET")).status == 200
        assert loop_time() - started >= 0.95


async def test_attempts_are_bounded_and_backoff_grows() -> None:
    sleep = RecordedSleep()
    async with (
        national_server(scheme="hmac") as server,
        hmac_client(server.url, retry=quick_retry(sleep, attempts=4)) as client,
    ):
        server.answer_next(*[UNAVAILABLE] * 10)
        answer = await client.call(service=CITIZEN_SERVICE, method="DELETE")
    assert answer.status == 503
    assert len(server.seen) == 4
    assert sleep.waits == [0.01, 0.02, 0.04]


async def test_only_transient_statuses_are_retried() -> None:
    sleep = RecordedSleep()
    async with (
        national_server(scheme="hmac") as server,
        hmac_client(server.url, retry=quick_retry(sleep)) as client,
    ):
        for status in (408, 502, 504):
            server.answer_next(Scripted(status=status))
            assert (await client.call(service=CITIZEN_SERVICE, method="PUT")).status == 200
        for status in (400, 404, 409, 500):
            server.answer_next(Scripted(status=status))
            assert (await client.call(service=CITIZEN_SERVICE, method="GET")).status == status
    assert len(server.seen) == 6 + 4


async def test_an_xroad_error_that_is_transient_is_retried_then_raised() -> None:
    sleep = RecordedSleep()
    busy = Scripted(status=503, error=protocol.ERROR_SERVICE_UNAVAILABLE)
    async with (
        national_server(scheme="hmac") as server,
        hmac_client(server.url, retry=quick_retry(sleep)) as client,
    ):
        server.answer_next(busy)
        assert (await client.call(service=CITIZEN_SERVICE, method="GET")).status == 200
        server.answer_next(busy, busy, busy)
        with pytest.raises(NdxpRefused) as caught:
            await client.call(service=CITIZEN_SERVICE, method="GET")
    assert caught.value.code == protocol.ERROR_SERVICE_UNAVAILABLE
    assert len(server.seen) == 2 + 3


async def test_connect_errors_and_timeouts_are_retried_for_idempotent_calls() -> None:
    sleep = RecordedSleep()
    with closed_port() as port:
        async with hmac_client(f"http://127.0.0.1:{port}", retry=quick_retry(sleep)) as client:
            with pytest.raises(NdxpUnavailable):
                await client.call(service=CITIZEN_SERVICE, method="GET")
            assert len(sleep.waits) == 2, "three attempts"
            with pytest.raises(NdxpUnavailable):
                await client.call(service=CITIZEN_SERVICE, method="POST")
            assert len(sleep.waits) == 2, "a POST is tried once, even when it never left"
    slow = Timeouts(connect=1.0, read=0.2)
    async with national_server(scheme="hmac") as server:
        retry = quick_retry(sleep)
        async with hmac_client(server.url, retry=retry, timeouts=slow) as client:
            server.answer_next(Scripted(delay=1.0))
            assert (await client.call(service=CITIZEN_SERVICE, method="GET")).status == 200
    assert len(server.seen) == 2


async def test_total_time_bounds_the_attempts() -> None:
    # Real sleeps: tenacity measures the time spent on its own clock.
    policy = RetryPolicy(
        attempts=10,
        total_seconds=0.35,
        backoff_seconds=0.2,
        max_backoff_seconds=0.2,
        jitter_seconds=0.0,
    )
    async with (
        national_server(scheme="hmac") as server,
        hmac_client(server.url, retry=policy) as client,
    ):
        server.answer_next(*[UNAVAILABLE] * 10)
        answer = await client.call(service=CITIZEN_SERVICE, method="GET")
        # A second wait would end past 0.35 s: the last answer is returned instead.
        assert answer.status == 503
        assert len(server.seen) == 2
        sleep = RecordedSleep()
        short = quick_retry(sleep, total_seconds=0.5, backoff_seconds=1.0, max_backoff_seconds=1.0)
        async with hmac_client(server.url, retry=short) as impatient:
            assert (await impatient.call(service=CITIZEN_SERVICE, method="GET")).status == 503
    assert sleep.waits == []
    assert len(server.seen) == 3


def test_retry_after_values() -> None:
    now = 1_700_000_000.0
    assert retry_after_seconds("7", now=now) == 7.0
    assert retry_after_seconds(" 0 ", now=now) == 0.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert retry_after_seconds(date, now=now) == pytest.approx(30.0)
    assert retry_after_seconds(email.utils.formatdate(now - 30, usegmt=True), now=now) == 0.0
    for value in (None, "", "soon", "-1", "1.5"):
        assert retry_after_seconds(value, now=now) is None


def test_policy_values_are_checked() -> None:
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError, match="jitter"):
        RetryPolicy(jitter_seconds=-1)
