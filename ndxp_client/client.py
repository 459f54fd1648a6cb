"""`NdxpClient`: calls national services over X-Road's REST message protocol (README.md).

One call: the service id becomes the path (`protocol.service_path`), the client adds
`X-Road-Client`, `X-Road-Id` (also sent as `Idempotency-Key`), `X-Road-UserId` and its
authentication headers, sends through its transport, retries if the call is idempotent and
the failure transient (`ndxp_client.retry`), checks that the answer is bound to the request
(`X-Road-Request-Hash`, `X-Road-Id`), and returns it or raises (`ndxp_client.errors`).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from types import TracebackType

from ndxp_client import protocol
from ndxp_client import services as names
from ndxp_client.aiohttp_transport import AiohttpTransport
from ndxp_client.auth import AuthScheme, Clock
from ndxp_client.checks import (
    FRAMING_HEADERS,
    check_base_url,
    check_target,
    is_header_value,
    is_token,
    is_url_part,
)
from ndxp_client.errors import (
    NdxpAuthError,
    NdxpClientClosed,
    NdxpProtocolError,
    NdxpRefused,
    from_transport,
)
from ndxp_client.messages import NdxpResponse, RequestParts, header_value
from ndxp_client.retry import IDEMPOTENT_METHODS, RetryPolicy, with_retries
from ndxp_client.transport import Headers, HttpResponse, HttpTransport, Timeouts, TransportError

DEFAULT_TIMEOUTS = Timeouts(connect=5.0, read=30.0)
DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024
MAX_MESSAGE_ID_LENGTH = 128
_OWN_HEADERS = frozenset(
    name.lower()
    for name in (protocol.CLIENT, protocol.MESSAGE_ID, protocol.USER_ID, protocol.IDEMPOTENCY_KEY)
)


def _credential_refused(response: HttpResponse) -> bool:
    """A 401 from the platform (X-Road-Error) or an RFC 6750 bearer challenge."""
    if response.status != 401:
        return False
    challenge = header_value(response.headers, "WWW-Authenticate") or ""
    refused_by_platform = header_value(response.headers, protocol.ERROR) is not None
    return refused_by_platform or challenge.lower().startswith("bearer")


def _printable(code: str) -> str:
    # A code from the other side goes into a message: only a short visible ASCII token.
    return code if len(code) <= 100 and code.isascii() and code.isprintable() else "(unreadable)"


class NdxpClient:
    """An async client of NDXP for one calling subsystem (`client`, e.g. `VN/GOV/<member>/LGSP`).

    `transport` defaults to an `AiohttpTransport` the client owns and closes in `aclose`; a
    transport passed in stays the caller's to close (so many clients can share one pool).
    `services` maps names (`tra-cuu-cong-dan`, ...) to service ids; `call` takes either.
    """

    def __init__(
        self,
        *,
        base_url: str,
        client: str,
        auth: AuthScheme,
        transport: HttpTransport | None = None,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        retry: RetryPolicy | None = None,
        services: Mapping[str, str] = names.DEFAULT_SERVICES,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        require_request_hash: bool = False,
        clock: Clock = time.time,
    ) -> None:
        try:
            self._base_url = check_base_url(base_url)
        except ValueError as exc:
            raise ValueError(f"NdxpClient base_url {exc}") from None
        protocol.client_id_parts(client)
        if not is_header_value(client):
            raise ValueError("the client id holds a character a header cannot")
        if max_response_bytes <= 0:
            raise ValueError("max_response_bytes must be positive")
        self._client = client
        self._auth = auth
        self._owns_transport = transport is None
        self._transport: HttpTransport = transport if transport is not None else AiohttpTransport()
        self._timeouts = timeouts
        self._retry = retry if retry is not None else RetryPolicy()
        self._services = dict(services)
        self._max_response_bytes = max_response_bytes
        self._require_request_hash = require_request_hash
        self._clock = clock
        self._reserved = FRAMING_HEADERS | _OWN_HEADERS | auth.header_names
        self._closed = False

    @property
    def reserved_headers(self) -> frozenset[str]:
        """Lower-case names of headers the client sets itself; `call` refuses them in `headers`."""
        return self._reserved

    async def __aenter__(self) -> NdxpClient:
        """The client itself; `aclose` runs on leaving the block."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the client (see `aclose`)."""
        await self.aclose()

    async def aclose(self) -> None:
        """Refuse further calls and close the transport if the client made it; idempotent."""
        self._closed = True
        if self._owns_transport:
            await self._transport.aclose()

    async def call(
        self,
        *,
        service: str,
        method: str = "POST",
        path: str = "",
        query: str = "",
        headers: Headers = (),
        body: bytes = b"",
        message_id: str | None = None,
        user_id: str | None = None,
        idempotent: bool | None = None,
        timeouts: Timeouts | None = None,
    ) -> NdxpResponse:
        """Call `service` (a name or id) and return its answer; see the module and README.md.

        `path` (empty or from `/`) and `query` (without `?`) are sent as written. Retries
        happen only when `idempotent` (by default: the method is) and the failure transient;
        every attempt carries the same `X-Road-Id` (`message_id`, generated if None).
        """
        if self._closed:
            raise NdxpClientClosed("the client is closed", may_have_reached_server=False)
        if not is_token(method):
            raise ValueError("the method is not an HTTP method token")
        check_target(path=path, query=query)
        service_id = names.service_id(service, self._services)
        url = self._base_url + protocol.service_path(service_id) + path
        url += f"?{query}" if query else ""
        message_id = message_id if message_id is not None else str(uuid.uuid4())
        sent = self._headers(headers, message_id=message_id, user_id=user_id)
        parts = RequestParts(method, url, protocol.request_target(url), message_id, body)
        retryable = idempotent if idempotent is not None else method in IDEMPOTENT_METHODS
        response = await with_retries(
            lambda: self._attempt(parts, sent, timeouts or self._timeouts),
            policy=self._retry if retryable else RetryPolicy.never(),
            label=f"NDXP {service_id} message {message_id}",
            clock=self._clock,
        )
        return self._answer(parts, response)

    async def lookup_citizen(
        self,
        *,
        query: Mapping[str, object],
        user_id: str | None = None,
        message_id: str | None = None,
    ) -> NdxpResponse:
        """Citizen look-up (`tra-cuu-cong-dan/v1` JSON); a read, so retried when transient."""
        return await self._post_json(names.CITIZEN_LOOKUP, query, user_id, message_id)

    async def sync_dossiers(
        self, *, envelope: Mapping[str, object], message_id: str | None = None
    ) -> NdxpResponse:
        """Dossier sync (`dong-bo-ho-so/v1`); retried: the portal deduplicates on `X-Road-Id`."""
        return await self._post_json(names.DOSSIER_SYNC, envelope, None, message_id)

    async def update_progress(
        self, *, envelope: Mapping[str, object], message_id: str | None = None
    ) -> NdxpResponse:
        """Dossier progress (`dong-bo-ho-so/v1`); retried: deduplicated on `X-Road-Id`."""
        return await self._post_json(names.DOSSIER_PROGRESS, envelope, None, message_id)

    async def send_document(self, *, edxml: bytes, message_id: str | None = None) -> NdxpResponse:
        """Send an edXML package to the national document axis; deduplicated on `X-Road-Id`."""
        return await self.call(
            service=names.DOCUMENT_RECEIPT,
            headers=(("Content-Type", names.XML),),
            body=edxml,
            message_id=message_id,
            idempotent=True,
        )

    async def _post_json(
        self,
        service: str,
        payload: Mapping[str, object],
        user_id: str | None,
        message_id: str | None,
    ) -> NdxpResponse:
        return await self.call(
            service=service,
            headers=(("Content-Type", names.JSON),),
            body=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            message_id=message_id,
            user_id=user_id,
            idempotent=True,
        )

    def _headers(self, headers: Headers, *, message_id: str, user_id: str | None) -> Headers:
        for name, value in headers:
            if not is_token(name) or not is_header_value(value):
                raise ValueError("a header name or value holds a character HTTP does not allow")
            if name.lower() in self._reserved:
                raise ValueError(f"the client sets {name} itself")
        own = [
            (protocol.CLIENT, self._client),
            (protocol.MESSAGE_ID, message_id),
            (protocol.IDEMPOTENCY_KEY, message_id),
        ]
        if user_id is not None:
            own.append((protocol.USER_ID, user_id))
        if not 0 < len(message_id) <= MAX_MESSAGE_ID_LENGTH or not is_url_part(
            message_id, forbidden=""
        ):
            raise ValueError("the message id must be 1 to 128 visible ASCII characters")
        if user_id is not None and (not user_id or not is_header_value(user_id)):
            raise ValueError("the user id is empty or holds a control character")
        return (*headers, *own)

    async def _attempt(
        self, parts: RequestParts, headers: Headers, timeouts: Timeouts
    ) -> HttpResponse:
        applied = await self._auth.apply(parts, transport=self._transport)
        response = await self._send(parts, (*headers, *applied), timeouts)
        # The platform refused our credential before the service saw anything: a fresh one
        # (a new token) is worth one more try, even for a POST.
        if _credential_refused(response) and self._auth.reject(applied):
            applied = await self._auth.apply(parts, transport=self._transport)
            response = await self._send(parts, (*headers, *applied), timeouts)
        return response

    async def _send(
        self, parts: RequestParts, headers: Headers, timeouts: Timeouts
    ) -> HttpResponse:
        try:
            return await self._transport.request(
                method=parts.method,
                url=parts.url,
                headers=headers,
                body=parts.body,
                timeouts=timeouts,
                max_response_bytes=self._max_response_bytes,
            )
        except TransportError as exc:
            raise from_transport(exc) from exc

    def _answer(self, parts: RequestParts, response: HttpResponse) -> NdxpResponse:
        """The answer as an `NdxpResponse`, or the error it amounts to (see `errors`)."""
        got = header_value(response.headers, protocol.REQUEST_HASH)
        expected = protocol.request_hash(
            method=parts.method, path_and_query=parts.path_and_query, body=parts.body
        )
        if got is not None and got != expected:
            raise NdxpProtocolError("the answer's X-Road-Request-Hash is not that of our request")
        echoed = header_value(response.headers, protocol.MESSAGE_ID)
        if echoed is not None and echoed != parts.message_id:
            raise NdxpProtocolError("the answer's X-Road-Id is not our message id")
        answer = NdxpResponse(
            status=response.status,
            headers=response.headers,
            body=response.body,
            request_hash_ok=got is not None,
            message_id=parts.message_id,
        )
        code = answer.error_code
        if code is None:
            if got is None and self._require_request_hash:
                raise NdxpProtocolError("the answer carries no X-Road-Request-Hash")
            return answer
        shown = _printable(code)
        if response.status == 401:
            raise NdxpAuthError(f"NDXP refused our credential: {shown}", code=code)
        raise NdxpRefused(
            f"NDXP refused the call: {shown} (HTTP {response.status})", code=code, response=answer
        )
