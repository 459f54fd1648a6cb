"""Requests per second through the REST adapter against a bare aiohttp client, same upstream.

Not a test. Starts a tiny aiohttp upstream on 127.0.0.1 in a child process (so it does not
share the client's event loop), then sends the same GET calls at a fixed concurrency, first
with a bare `aiohttp.ClientSession`, then through `RestAdapterFactory`, alternating rounds.

    .venv/bin/python bench/adapter_passthrough.py [--requests 20000] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import socket
import statistics
import time
from collections.abc import Awaitable, Callable
from multiprocessing.synchronize import Event as ProcessEvent

import aiohttp
from aiohttp import web

from adapters.base import OutboundRequest, Timeouts
from adapters.rest import RestAdapterFactory

BODY = b'{"ma_ho_so": "H57-2024-000123", "trang_thai": "da_tiep_nhan"}'
Send = Callable[[int], Awaitable[int]]


def serve(sock: socket.socket, ready: ProcessEvent) -> None:
    """Run the upstream on an already listening socket until the process is terminated."""

    async def answer(_: web.BaseRequest) -> web.StreamResponse:
        return web.Response(body=BODY, content_type="application/json")

    async def main() -> None:
        runner = web.ServerRunner(web.Server(answer), handle_signals=False, access_log=None)
        await runner.setup()
        await web.SockSite(runner, sock).start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


async def measure(send: Send, *, requests: int, concurrency: int) -> float:
    """Requests per second for `requests` calls of `send`, `concurrency` at a time."""
    counter = iter(range(requests))

    async def worker() -> None:
        for number in counter:
            status = await send(number)
            if status != 200:
                raise RuntimeError(f"upstream answered {status}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return requests / (time.perf_counter() - started)


async def bench(*, port: int, requests: int, concurrency: int, rounds: int) -> None:
    """Alternate bare-aiohttp and adapter rounds; print each and the medians."""
    base = f"http://127.0.0.1:{port}/api"
    connector = aiohttp.TCPConnector(limit=100)
    factory = RestAdapterFactory()
    adapter = factory.create(
        factory.validate_options({"base_url": base, "headers": {"X-Api-Key": "bench"}})
    )
    timeouts = Timeouts(connect=5.0, read=30.0)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def bare(number: int) -> int:
            async with session.get(
                f"{base}/ho-so/{number}", params={"q": "1"}, headers={"X-Api-Key": "bench"}
            ) as response:
                await response.read()
                return response.status

        async def through_adapter(number: int) -> int:
            request = OutboundRequest(
                method="GET",
                path=f"/ho-so/{number}",
                query="q=1",
                headers=(("Accept", "application/json"),),
                body=b"",
                exchange_id=str(number),
                timeouts=timeouts,
            )
            return (await adapter.send(request)).status

        results: dict[str, list[float]] = {"bare aiohttp": [], "REST adapter": []}
        for warm_up in (bare, through_adapter):
            await measure(warm_up, requests=min(requests, 2000), concurrency=concurrency)
        for round_number in range(1, rounds + 1):
            for name, send in (("bare aiohttp", bare), ("REST adapter", through_adapter)):
                rate = await measure(send, requests=requests, concurrency=concurrency)
                results[name].append(rate)
                print(f"round {round_number}  {name:<13} {rate:8.0f} req/s")
    await factory.aclose()
    print(f"median over {rounds} rounds, {requests} GETs, {concurrency} concurrent:")
    for name, rates in results.items():
        print(f"  {name:<13} {statistics.median(rates):8.0f} req/s")


def main() -> None:
    """Parse the arguments, start the upstream, run the benchmark, stop the upstream."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    port = sock.getsockname()[1]
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    upstream = context.Process(target=serve, args=(sock, ready), daemon=True)
    upstream.start()
    sock.close()
    if not ready.wait(timeout=30):
        raise SystemExit("the upstream did not start")
    try:
        asyncio.run(
            bench(
                port=port,
                requests=arguments.requests,
                concurrency=arguments.concurrency,
                rounds=arguments.rounds,
            )
        )
    finally:
        upstream.terminate()
        upstream.join()


if __name__ == "__main__":
    main()
