"""`POST /oauth/token`: the client-credentials grant (RFC 6749 §4.4), the simulator as issuer.

Clients authenticate with HTTP Basic or with `client_id` and `client_secret` in
the form. RFC 6749 §2.3.1 has Basic credentials form-urlencoded first, which
`curl -u` and many clients do not do: both readings are tried.
Errors use the RFC's JSON shape (`error`, `error_description`).
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import parse_qsl, unquote_plus

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ndxp_client.simulator.auth import Authenticator
from ndxp_client.simulator.tokens import TokenIssuer

# A token request is a few hundred bytes; nothing larger is read.
_MAX_FORM_BYTES = 8192
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _error(status: int, error: str, description: str) -> JSONResponse:
    headers = dict(_NO_STORE)
    if error == "invalid_client":
        headers["WWW-Authenticate"] = 'Basic realm="ndxp-simulator"'
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=headers
    )


def _basic(authorization: str) -> list[tuple[str, str]] | None:
    """The (id, secret) readings of a Basic credential: as sent, and form-urldecoded."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, colon, password = decoded.partition(":")
    if not colon:
        return None
    return [(user, password), (unquote_plus(user), unquote_plus(password))]


def token_router(*, auth: Authenticator, tokens: TokenIssuer) -> APIRouter:
    """The token endpoint, issuing through `tokens` to clients `auth` knows."""
    router = APIRouter()

    @router.post("/oauth/token")
    async def token(request: Request) -> JSONResponse:
        """Issue an access token for the client credentials grant."""
        media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
        if media_type != "application/x-www-form-urlencoded":
            return _error(400, "invalid_request", "the body must be form-urlencoded")
        body = await request.body()
        if len(body) > _MAX_FORM_BYTES:
            return _error(400, "invalid_request", "the form is too large")
        try:
            text = body.decode("utf-8")
            pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True) if text else []
        except (UnicodeDecodeError, ValueError):
            return _error(400, "invalid_request", "the form is malformed")
        form = dict(pairs)
        if len(form) != len(pairs):
            return _error(400, "invalid_request", "a parameter is repeated")
        if "grant_type" not in form:
            return _error(400, "invalid_request", "grant_type is required")
        if form["grant_type"] != "client_credentials":
            return _error(400, "unsupported_grant_type", "only client_credentials is supported")
        basic = _basic(request.headers.get("authorization", ""))
        in_form = "client_id" in form or "client_secret" in form
        if basic is not None and in_form:
            return _error(400, "invalid_request", "authenticate one way: Basic or the form")
        readings = basic or [(form.get("client_id", ""), form.get("client_secret", ""))]
        found = (auth.token_client(client_id=i, secret=s) for i, s in readings)
        client = next((c for c in found if c is not None), None)
        if client is None:
            return _error(401, "invalid_client", "unknown client or wrong secret")
        return JSONResponse(
            {
                "access_token": tokens.issue(client_id=client.client_id),
                "token_type": "Bearer",
                "expires_in": tokens.lifetime_seconds,
            },
            headers=_NO_STORE,
        )

    return router
