"""HTTP routes of the authorization server: the token endpoint, the JWKS and RFC 8414 metadata."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from lgsp.api.deps import get_runtime
from lgsp.api.problems import (
    BAD_REQUEST,
    BODY_TOO_LARGE,
    INVALID_CLIENT,
    RATE_LIMITED,
    UNAVAILABLE,
    UNSUPPORTED_MEDIA_TYPE,
    Problem,
    ProblemType,
)
from lgsp.auth.oauth import (
    AUTH_METHODS,
    GRANT_TYPE,
    InsecureTokenEndpoint,
    TokenAnswer,
    TokenGrantServer,
    TokenRequest,
)
from lgsp.auth.ratelimit import FailureBrake
from lgsp.auth.tokens import SCOPES
from lgsp.bootstrap import Runtime
from lgsp.settings import Settings

log = logging.getLogger("lgsp.auth")

router = APIRouter(tags=["oauth"])

TOKEN_PATH = "/oauth/token"
JWKS_PATH = "/oauth/jwks"
METADATA_PATH = "/.well-known/oauth-authorization-server"
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
REALM = "lgsp"
# A client-credentials request is a few hundred bytes; refuse more before parsing.
MAX_FORM_BYTES = 8 * 1024
MAX_FORM_FIELDS = 16
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@dataclass(slots=True)
class _TokenEndpoint:
    """Per-application state of the token endpoint: the grant server and the brake."""

    server: TokenGrantServer | None
    brake: FailureBrake


def _token_endpoint(request: Request, runtime: Runtime) -> _TokenEndpoint:
    # Built on first use and kept on the application: the runtime (fixed by the
    # composition root) has no slot for it, and it needs nothing but the runtime.
    endpoint = getattr(request.app.state, "oauth_token_endpoint", None)
    if isinstance(endpoint, _TokenEndpoint):
        return endpoint
    settings = runtime.settings
    try:
        server: TokenGrantServer | None = TokenGrantServer(
            tokens=runtime.tokens,
            hasher=runtime.hasher,
            registry=runtime.registry,
            token_endpoint=_endpoint_for_authlib(settings),
        )
    except InsecureTokenEndpoint:
        log.error("token endpoint disabled: LGSP_PUBLIC_URL must be https (or loopback)")
        server = None
    endpoint = _TokenEndpoint(
        server=server, brake=FailureBrake(limit=settings.token_failures_per_minute)
    )
    request.app.state.oauth_token_endpoint = endpoint
    return endpoint


def _endpoint_for_authlib(settings: Settings) -> str:
    """The token endpoint's URL as authlib must see it.

    authlib refuses plain-http URLs other than loopback. Production settings
    already refuse a public URL that is not https; a demo may listen on plain
    http on a LAN, so there the URL is presented with its TLS scheme.
    """
    url = settings.resolved_public_url.rstrip("/") + TOKEN_PATH
    if settings.environment == "demo" and url.startswith("http://"):
        return "https://" + url.removeprefix("http://")
    return url


def _oauth_problem(
    ptype: ProblemType, *, error: str, description: str, headers: dict[str, str] | None = None
) -> Problem:
    """A problem that also carries RFC 6749 §5.2 `error` and `error_description`."""
    return Problem(
        ptype,
        description,
        headers={**_NO_STORE, **(headers or {})},
        extensions={"error": error, "error_description": description},
    )


def _check_media_type(request: Request) -> None:
    media_type, *params = request.headers.get("content-type", "").split(";")
    charset_ok = all(
        p.split("=", 1)[0].strip().lower() != "charset"
        or p.split("=", 1)[-1].strip().strip('"').lower() in ("utf-8", "utf8")
        for p in params
    )
    if media_type.strip().lower() != FORM_MEDIA_TYPE or not charset_ok:
        raise _oauth_problem(
            UNSUPPORTED_MEDIA_TYPE,
            error="invalid_request",
            description=f"the token request must be {FORM_MEDIA_TYPE} (UTF-8)",
            headers={"Accept-Post": FORM_MEDIA_TYPE},
        )


async def _read_form(request: Request) -> list[tuple[str, str]]:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise _oauth_problem(
                BODY_TOO_LARGE, error="invalid_request", description="token request too large"
            )
    try:
        return parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            max_num_fields=MAX_FORM_FIELDS,
            errors="strict",
        )
    except ValueError as exc:  # bad UTF-8 (UnicodeDecodeError) or too many fields
        raise _oauth_problem(
            BAD_REQUEST, error="invalid_request", description="token request form malformed"
        ) from exc


def _refusal(answer: TokenAnswer) -> Problem:
    error = answer.error or "invalid_request"
    description = answer.error_description or error
    if error == "invalid_client":
        # Always name the scheme clients may use (RFC 7235 §3.1 wants it on every 401).
        return _oauth_problem(
            INVALID_CLIENT,
            error=error,
            description=description,
            headers={"WWW-Authenticate": f'Basic realm="{REALM}"'},
        )
    return _oauth_problem(BAD_REQUEST, error=error, description=description)


async def _issue(request: Request, server: TokenGrantServer) -> Response:
    _check_media_type(request)
    form = await _read_form(request)
    answer = server.respond(TokenRequest(method=request.method, headers=request.headers, form=form))
    if answer.error is not None:
        log.info("token request refused: %s", answer.error)
        raise _refusal(answer)
    return Response(
        content=orjson.dumps(dict(answer.body)),
        status_code=200,
        media_type="application/json",
        headers=_NO_STORE,
    )


@router.post(
    TOKEN_PATH,
    summary="Client-credentials token endpoint (RFC 6749 §4.4)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                FORM_MEDIA_TYPE: {
                    "schema": {
                        "type": "object",
                        "required": ["grant_type"],
                        "properties": {
                            "grant_type": {"type": "string", "enum": [GRANT_TYPE]},
                            "scope": {"type": "string"},
                            "client_id": {"type": "string"},
                            "client_secret": {"type": "string"},
                        },
                    }
                }
            },
        }
    },
)
async def token(request: Request, runtime: Runtime = Depends(get_runtime)) -> Response:
    """Issue an access token to a client authenticated by its id and secret."""
    endpoint = _token_endpoint(request, runtime)
    if endpoint.server is None:
        raise Problem(UNAVAILABLE, "the token endpoint needs an https public URL")
    address = request.client.host if request.client is not None else "unknown"
    wait = endpoint.brake.retry_after(address)
    if wait is not None:
        log.warning("token endpoint brake engaged for an address")
        raise Problem(
            RATE_LIMITED,
            "too many failed token requests; try again later",
            headers={"Retry-After": str(wait), **_NO_STORE},
        )
    try:
        return await _issue(request, endpoint.server)
    except Problem:
        endpoint.brake.record_failure(address)
        raise


@router.get(JWKS_PATH, summary="The exchange's token-verification keys (JWK Set)")
def jwks(runtime: Runtime = Depends(get_runtime)) -> Response:
    """The public keys that verify the exchange's access tokens."""
    return Response(
        content=orjson.dumps(runtime.keys.public_jwks()),
        media_type="application/jwk-set+json",
        headers={"Cache-Control": "public, max-age=300"},
    )


def authorization_server_metadata(runtime: Runtime) -> dict[str, Any]:
    """RFC 8414 metadata of this authorization server."""
    base = runtime.settings.resolved_public_url.rstrip("/")
    return {
        "issuer": runtime.tokens.issuer,
        "token_endpoint": base + TOKEN_PATH,
        "jwks_uri": base + JWKS_PATH,
        "grant_types_supported": [GRANT_TYPE],
        "token_endpoint_auth_methods_supported": list(AUTH_METHODS),
        "scopes_supported": sorted(SCOPES),
        # No authorization endpoint: no response type is supported.
        "response_types_supported": [],
    }


@router.get(METADATA_PATH, summary="Authorization server metadata (RFC 8414)")
def metadata(runtime: Runtime = Depends(get_runtime)) -> Response:
    """Where the token endpoint and keys are, and what the server supports."""
    return Response(
        content=orjson.dumps(authorization_server_metadata(runtime)),
        media_type="application/json",
        headers={"Cache-Control": "public, max-age=300"},
    )
