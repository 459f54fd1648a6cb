"""Real HTTP providers on loopback for the adapter contract.

`RawProvider` is a small HTTP/1.1 server on asyncio streams: it records each request
exactly as it came off the wire (request target and header bytes untouched) and answers
with exact bytes chosen by the test, including broken answers no framework would send.
`framework_provider` is an aiohttp.web application, to show a standard server understands
what the adapter sends. `closed_port`, `saturated_port` and `untrusted_tls_provider` give
the connection failures.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import ipaddress
import select
import socket
import ssl
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    """One request as the provider read it."""

    method: str
    target: str
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes

    def header_names(self) -> list[str]:
        """The header names in the order they were sent, lower-cased."""
        return [name.decode("latin-1").lower() for name, _ in self.headers]

    def values(self, name: str) -> list[str]:
        """Every value of header `name` (case-insensitive), in order."""
        wanted = name.lower().encode("latin-1")
        return [value.decode("latin-1") for key, value in self.headers if key.lower() == wanted]


# A behaviour writes the answer to one request; it returns whether the connection stays open.
Behaviour = Callable[[Received, asyncio.StreamWriter], Awaitable[bool]]


@dataclass(frozen=True)
class Answer:
    """An HTTP/1.1 answer written byte for byte as given (headers are not completed)."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    reason: str = "Whatever"

    def wire(self) -> bytes:
        """The answer's bytes on the wire."""
        head = f"HTTP/1.1 {self.status} {self.reason}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in self.headers)
        return head.encode("latin-1") + b"\r\n" + self.body


def answer(status: int, body: bytes = b"", headers: Sequence[tuple[str, str]] = ()) -> Answer:
    """An answer with `headers` then a Content-Length matching `body`."""
    return Answer(status, (*headers, ("Content-Length", str(len(body)))), body)


def chunked(body: bytes, *, size: int) -> bytes:
    """`body` in chunked transfer coding, `size` bytes a chunk, with the last chunk."""
    parts = [body[start : start + size] for start in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n\r\n"


def reply(raw: bytes, *, delay: float = 0.0, keep_open: bool = True) -> Behaviour:
    """Answer with `raw` after `delay` seconds."""

    async def behave(_: Received, writer: asyncio.StreamWriter) -> bool:
        await asyncio.sleep(delay)
        writer.write(raw)
        await writer.drain()
        return keep_open

    return behave


def reply_then_drop(raw: bytes) -> Behaviour:
    """Send `raw` (an incomplete answer) and close the connection."""
    return reply(raw, keep_open=False)


def reply_then_stall(raw: bytes) -> Behaviour:
    """Send `raw` and then nothing more, keeping the connection open until stopped."""

    async def behave(_: Received, writer: asyncio.StreamWriter) -> bool:
        writer.write(raw)
        await writer.drain()
        await asyncio.Event().wait()
        return False

    return behave


async def read_request(reader: asyncio.StreamReader) -> Received | None:
    """Read one request (Content-Length or chunked body), or None at a clean end of stream."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial:
            raise
        return None
    request_line, *lines = head[:-4].split(b"\r\n")
    method, target, _version = request_line.split(b" ")
    headers = tuple(
        (name, value.strip(b" \t")) for name, value in (line.split(b":", 1) for line in lines)
    )
    fields = {name.lower(): value for name, value in headers}
    if fields.get(b"transfer-encoding", b"").lower() == b"chunked":
        body = await _read_chunked(reader)
    else:
        body = await reader.readexactly(int(fields.get(b"content-length", b"0")))
    return Received(method.decode("ascii"), target.decode("ascii"), headers, body)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = b""
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return body
        body += await reader.readexactly(size)
        await reader.readexactly(2)


class RawProvider:
    """An HTTP/1.1 server on loopback that records requests and answers with `behaviour`."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.behaviour: Behaviour = reply(answer(200, b"ok").wire())
        self.connections_accepted = 0
        self._connections: dict[asyncio.Task[None], asyncio.StreamReader] = {}
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self, *, ssl_context: ssl.SSLContext | None = None) -> None:
        """Listen on a free loopback port (with TLS when given a context)."""
        self._server = await asyncio.start_server(self._serve, LOOPBACK, 0, ssl=ssl_context)
        self.port = self._server.sockets[0].getsockname()[1]

    def url(self, path: str = "", *, host: str = LOOPBACK) -> str:
        """The provider's base URL with `path`, naming the provider by `host`."""
        return f"http://{host}:{self.port}{path}"

    @property
    def connections_open(self) -> int:
        """Connections the client has not closed (its FIN seen even while no one reads)."""
        return sum(not reader.at_eof() for reader in self._connections.values())

    async def wait_connections_closed(self, *, within: float = 2.0) -> bool:
        """Wait until the client side has closed every connection; whether it did in time."""
        deadline = asyncio.get_running_loop().time() + within
        # Polled: the end of stream is noted by the transport, and no task waits on it.
        while self.connections_open and asyncio.get_running_loop().time() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        return self.connections_open == 0

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections[task] = reader
        self.connections_accepted += 1
        try:
            while (request := await read_request(reader)) is not None:
                self.received.append(request)
                if not await self.behaviour(request, writer):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client went away mid-request: nothing to answer
        except asyncio.CancelledError:
            # Only `stop` cancels these tasks; asyncio.start_server would log the cancellation.
            pass
        finally:
            del self._connections[task]
            writer.close()

    async def stop(self) -> None:
        """Stop listening and end every connection (stalled answers included)."""
        if self._server is not None:
            self._server.close()
        tasks = list(self._connections)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()


@contextlib.asynccontextmanager
async def raw_provider() -> AsyncIterator[RawProvider]:
    """A started `RawProvider`, stopped afterwards."""
    provider = RawProvider()
    await provider.start()
    try:
        yield provider
    finally:
        await provider.stop()


@contextlib.asynccontextmanager
async def framework_provider() -> AsyncIterator[str]:
    """An aiohttp.web provider answering JSON about what it understood; yields its base URL."""

    async def echo(request: web.BaseRequest) -> web.StreamResponse:
        return web.json_response(
            {
                "method": request.method,
                "path": request.path,
                "query": [[key, value] for key, value in request.query.items()],
                "body": (await request.read()).decode("utf-8"),
            }
        )

    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        runner = web.ServerRunner(web.Server(echo), handle_signals=False)
        await runner.setup()
        try:
            await web.SockSite(runner, sock).start()
            yield f"http://{LOOPBACK}:{sock.getsockname()[1]}"
        finally:
            await runner.cleanup()


def loopback_hostname() -> str:
    """`localhost`, if it resolves to 127.0.0.0/8 only: a host *name* for the provider.

    Some behaviour (cookie jars) differs for names and IP addresses; traffic must still
    stay on 127.0.0.0/8, so hosts where `localhost` is also `::1` skip such checks.
    """
    addresses = {str(info[4][0]) for info in socket.getaddrinfo("localhost", None)}
    if not addresses or not all(address.startswith("127.") for address in addresses):
        pytest.skip(f"localhost resolves to {sorted(addresses)}, not only to 127.0.0.0/8")
    return "localhost"


@contextlib.asynccontextmanager
async def untrusted_tls_provider() -> AsyncIterator[str]:
    """An HTTPS server on loopback whose certificate no one trusts; yields its base URL."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, LOOPBACK)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOOPBACK))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    with tempfile.TemporaryDirectory() as directory:
        pem = Path(directory) / "provider.pem"
        pem.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            + certificate.public_bytes(serialization.Encoding.PEM)
        )
        context.load_cert_chain(pem)
    provider = RawProvider()
    await provider.start(ssl_context=context)
    try:
        yield f"https://{LOOPBACK}:{provider.port}"
    finally:
        await provider.stop()


@contextlib.contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port nothing listens on (connecting is refused)."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
    yield port


@contextlib.contextmanager
def saturated_port() -> Iterator[int]:
    """A loopback port whose listener never accepts and whose backlog is full.

    The kernel drops further SYNs, so a new connection attempt hangs until the client's
    connect timeout: a connect timeout without leaving 127.0.0.0/8.
    """
    with contextlib.ExitStack() as stack:
        listener = stack.enter_context(socket.socket())
        listener.bind((LOOPBACK, 0))
        listener.listen(0)
        port: int = listener.getsockname()[1]
        for _ in range(64):
            filler = stack.enter_context(socket.socket())
            filler.setblocking(False)
            filler.connect_ex((LOOPBACK, port))
            _, writable, _ = select.select([], [filler], [], 0.1)
            if not writable:
                break  # this one hangs: the backlog is full
        else:
            raise RuntimeError("could not fill the listen backlog on loopback")
        yield port
