"""A small real national platform on loopback for the client's tests (aiohttp.web).

It speaks the interface of ndxp_client/README.md far enough to test a client: a token
endpoint that counts its requests, services under `/r1/...` that check one authentication
scheme with `ndxp_client.protocol` (as a real server would), record each request as it came
off the wire, and answer from a script (status, headers, delay, X-Road-Error, a wrong
request hash) or with a default 200. It is not the simulator (ndxp_client/simulator).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import secrets
import socket
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Literal

from aiohttp import web

from ndxp_client import protocol

LOOPBACK = "127.0.0.1"
CLIENT = "VN/GOV/000.00.00.H57/LGSP"
CITIZEN_SERVICE = "VN/GOV/000.00.00.G06/CSDLQGDC/tra-cuu-cong-dan"
OAUTH_ID, OAUTH_SECRET = "lgsp-h57", "oauth-secret-0001"
HMAC_SYSTEM, HMAC_SECRET = "000.00.00.H57:LGSP", b"hmac-secret-0001"
API_KEY, API_USER, API_SECRET = "api-key-0001", "lgsp-h57", "api-secret-0001"

Scheme = Literal["bearer", "hmac", "api-key", "none"]


@dataclass(frozen=True)
class Seen:
    """One service request as the server read it."""

    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def values(self, name: str) -> list[str]:
        """Every value of header `name` (case-insensitive), in order."""
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def header(self, name: str) -> str | None:
        """The first value of header `name`, or None."""
        found = self.values(name)
        return found[0] if found else None


@dataclass(frozen=True)
class Scripted:
    """One answer to give: `error` adds X-Road-Error and its JSON body; `hash` may be spoiled."""

    status: int = 200
    body: bytes = b'{"ok": true}'
    headers: tuple[tuple[str, str], ...] = ()
    error: str | None = None
    delay: float = 0.0
    hash: Literal["right", "wrong", "none"] = "right"
    echo_id: str | None = None


@dataclass
class NationalServer:
    """The server's state: what it checks, what it answers next, and what it saw."""

    scheme: Scheme = "bearer"
    token_lifetime: int = 300
    token_delay: float = 0.0
    token_status: int = 200
    accept_tokens: bool = True
    seen: list[Seen] = field(default_factory=list)
    token_requests: list[Seen] = field(default_factory=list)
    script: deque[Scripted] = field(default_factory=deque)
    valid_tokens: set[str] = field(default_factory=set)
    url: str = ""

    def answer_next(self, *answers: Scripted) -> None:
        """Queue answers for the next service requests (then the default 200 again)."""
        self.script.extend(answers)

    def revoke_tokens(self) -> None:
        """Forget every token issued so far (as after a key rotation on the platform)."""
        self.valid_tokens.clear()

    async def token(self, request: web.Request) -> web.Response:
        """POST /oauth/token: client credentials with HTTP Basic."""
        body = await request.read()
        self.token_requests.append(_seen(request, body))
        await asyncio.sleep(self.token_delay)
        if self.token_status != 200:
            return web.json_response({"error": "temporarily_unavailable"}, status=self.token_status)
        expected = base64.b64encode(f"{OAUTH_ID}:{OAUTH_SECRET}".encode()).decode()
        form = dict(item.split("=", 1) for item in body.decode().split("&") if "=" in item)
        if request.headers.get("Authorization") != f"Basic {expected}":
            return web.json_response({"error": "invalid_client"}, status=401)
        if form.get("grant_type") != "client_credentials":
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        token = secrets.token_urlsafe(16)
        self.valid_tokens.add(token)
        return web.json_response(
            {"access_token": token, "token_type": "Bearer", "expires_in": self.token_lifetime}
        )

    async def service(self, request: web.Request) -> web.Response:
        """Any method under /r1/...: authenticate, record, answer from the script."""
        body = await request.read()
        seen = _seen(request, body)
        self.seen.append(seen)
        refusal = self._authenticate(seen)
        if refusal is not None:
            return _error(401, refusal, seen)
        scripted = self.script.popleft() if self.script else Scripted()
        await asyncio.sleep(scripted.delay)
        if scripted.error is not None:
            return _error(scripted.status, scripted.error, seen, scripted)
        return _answer(scripted, seen)

    def _authenticate(self, seen: Seen) -> str | None:
        if self.scheme == "none":
            return None
        if self.scheme == "bearer":
            token = (seen.header("Authorization") or "").removeprefix("Bearer ")
            good = self.accept_tokens and token in self.valid_tokens
            return None if good else protocol.ERROR_AUTHENTICATION_FAILED
        timestamp = int(seen.header(protocol.HMAC_TIMESTAMP) or seen.header("Timestamp") or 0)
        if abs(time.time() - timestamp) > protocol.MAX_CLOCK_SKEW_SECONDS:
            return protocol.ERROR_AUTHENTICATION_FAILED
        if self.scheme == "hmac":
            parts = protocol.SignedParts(
                method=seen.method,
                path_and_query=seen.target,
                timestamp=timestamp,
                message_id=seen.header(protocol.MESSAGE_ID) or "",
                body=seen.body,
            )
            good = seen.header(protocol.HMAC_SYSTEM) == HMAC_SYSTEM and (
                protocol.hmac_signature_valid(
                    HMAC_SECRET, parts, seen.header(protocol.HMAC_SIGNATURE) or ""
                )
            )
            return None if good else protocol.ERROR_INVALID_SIGNATURE
        good = seen.header(
            protocol.API_KEY
        ) == API_KEY and protocol.timestamped_authorization_valid(
            seen.header("Authorization") or "",
            endpoint=protocol.request_path(seen.target),
            user=API_USER,
            timestamp=timestamp,
            secret=API_SECRET,
        )
        return None if good else protocol.ERROR_AUTHENTICATION_FAILED


def _seen(request: web.Request, body: bytes) -> Seen:
    headers = tuple((name, value) for name, value in request.headers.items())
    return Seen(request.method, request.raw_path, headers, body)


def _xroad_headers(seen: Seen, scripted: Scripted) -> dict[str, str]:
    headers = {protocol.MESSAGE_ID: scripted.echo_id or seen.header(protocol.MESSAGE_ID) or ""}
    service = seen.target.split("?", 1)[0].removeprefix(f"/{protocol.PROTOCOL_VERSION}/")
    headers[protocol.SERVICE] = "/".join(service.split("/")[:5])
    right = protocol.request_hash(method=seen.method, path_and_query=seen.target, body=seen.body)
    if scripted.hash == "right":
        headers[protocol.REQUEST_HASH] = right
    elif scripted.hash == "wrong":
        headers[protocol.REQUEST_HASH] = protocol.request_hash(
            method=seen.method, path_and_query=seen.target, body=seen.body + b"x"
        )
    return headers


def _answer(scripted: Scripted, seen: Seen) -> web.Response:
    response = web.Response(status=scripted.status, body=scripted.body)
    response.headers.update(_xroad_headers(seen, scripted))
    for name, value in scripted.headers:
        response.headers.add(name, value)
    return response


def _error(status: int, code: str, seen: Seen, scripted: Scripted | None = None) -> web.Response:
    scripted = scripted or Scripted(status=status)
    payload = {"type": code, "message": "refused by the test platform", "detail": seen.method}
    response = web.Response(
        status=status, body=json.dumps(payload).encode(), content_type="application/json"
    )
    response.headers.update(_xroad_headers(seen, scripted))
    response.headers[protocol.ERROR] = code
    for name, value in scripted.headers:
        response.headers.add(name, value)
    return response


@contextlib.asynccontextmanager
async def national_server(**settings: object) -> AsyncIterator[NationalServer]:
    """A started `NationalServer` on a free loopback port (`server.url`), stopped afterwards."""
    server = NationalServer(**settings)  # type: ignore[arg-type]
    app = web.Application()
    app.router.add_post("/oauth/token", server.token)
    app.router.add_route("*", "/r1/{tail:.*}", server.service)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        try:
            await web.SockSite(runner, sock).start()
            server.url = f"http://{LOOPBACK}:{sock.getsockname()[1]}"
            yield server
        finally:
            await runner.cleanup()


@contextlib.contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port nothing listens on (connecting is refused)."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
    yield port
