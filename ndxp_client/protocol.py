"""The wire protocol we speak with the national platform (NDXP): names and signatures.

It follows X-Road's REST message protocol (service identifiers in the path,
`X-Road-*` headers) with pluggable authentication. `README.md` in this
package is the specification; this module is its single implementation of
the parts both the client and the simulator must agree on byte for byte.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

PROTOCOL_VERSION: Final = "r1"

# Request headers (X-Road REST).
CLIENT: Final = "X-Road-Client"
MESSAGE_ID: Final = "X-Road-Id"
USER_ID: Final = "X-Road-UserId"
ISSUE: Final = "X-Road-Issue"
IDEMPOTENCY_KEY: Final = "Idempotency-Key"
# Answer headers.
SERVICE: Final = "X-Road-Service"
REQUEST_HASH: Final = "X-Road-Request-Hash"
ERROR: Final = "X-Road-Error"

# HMAC-signed headers scheme (as the national document axis's client library does).
HMAC_SYSTEM: Final = "X-NDXP-System"
HMAC_TIMESTAMP: Final = "X-NDXP-Timestamp"
HMAC_SIGNATURE: Final = "X-NDXP-Signature"
HMAC_ALGORITHM: Final = "HMAC-SHA256"
# How far a signed request's timestamp may be from the receiver's clock.
MAX_CLOCK_SKEW_SECONDS: Final = 300


@dataclass(frozen=True, slots=True)
class SignedParts:
    """What an HMAC signature covers: the request as sent, and when and by whom."""

    method: str
    path_and_query: str
    timestamp: int
    message_id: str
    body: bytes

    def canonical(self) -> bytes:
        """The exact bytes signed: one field a line, the body by its SHA-256."""
        lines = (
            self.method.upper(),
            self.path_and_query,
            str(self.timestamp),
            self.message_id,
            hashlib.sha256(self.body).hexdigest(),
        )
        return "\n".join(lines).encode("utf-8")


def hmac_signature(secret: bytes, parts: SignedParts) -> str:
    """The `X-NDXP-Signature` value: base64 of HMAC-SHA256(secret, canonical bytes)."""
    mac = hmac.new(secret, parts.canonical(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode("ascii")


def hmac_signature_valid(secret: bytes, parts: SignedParts, signature: str) -> bool:
    """Whether `signature` is the right one for `parts`, compared in constant time."""
    return hmac.compare_digest(hmac_signature(secret, parts), signature)


def request_hash(*, method: str, path_and_query: str, body: bytes) -> str:
    """The `X-Road-Request-Hash` of an answer: base64 SHA-512 of the request as received.

    A client recomputes it from what it sent, which proves the answer is to its request.
    """
    digest = hashlib.sha512()
    digest.update(method.upper().encode("ascii") + b"\n")
    digest.update(path_and_query.encode("utf-8") + b"\n")
    digest.update(body)
    return base64.b64encode(digest.digest()).decode("ascii")


def service_path(service_id: str) -> str:
    """The path of a service: `/r1/<instance>/<class>/<member>/<subsystem>/<service>`."""
    parts = service_id.split("/")
    if len(parts) != 5 or not all(parts):
        raise ValueError("an NDXP service id has five parts: instance/class/member/subsystem/code")
    return f"/{PROTOCOL_VERSION}/{service_id}"


# ---- Added with the client (issue 4): names both sides share beyond the first draft. ----

# Error codes carried in `X-Road-Error` (X-Road's `Client.*` / `Server.*` fault families).
ERROR_AUTHENTICATION_FAILED: Final = "Client.AuthenticationFailed"
ERROR_INVALID_SIGNATURE: Final = "Client.InvalidSignature"
ERROR_DUPLICATE_MESSAGE_ID: Final = "Client.DuplicateMessageId"
ERROR_SERVICE_FAILED: Final = "Server.ServerProxy.ServiceFailed"
ERROR_SERVICE_UNAVAILABLE: Final = "Server.ServerProxy.ServiceUnavailable"

# Timestamped-hash credential (as the population database's SOAP look-up is called).
API_KEY: Final = "X-API-Key"
API_TIMESTAMP: Final = "Timestamp"
AUTHORIZATION: Final = "Authorization"


def request_target(url: str) -> str:
    """The request target of an absolute URL as it goes on the wire: path, then `?query` if any.

    This is the `path_and_query` that `SignedParts`, `request_hash` and the timestamped
    credential cover: the base URL's own path included, nothing decoded or re-encoded.
    """
    parts = urlsplit(url)
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def request_path(path_and_query: str) -> str:
    """The path of a request target, without its query: the `endpoint` of the timestamped hash."""
    return path_and_query.split("?", 1)[0]


def client_id_parts(client_id: str) -> tuple[str, str, str, str]:
    """The four parts of an `X-Road-Client` value: instance, member class, member, subsystem."""
    parts = client_id.split("/")
    if len(parts) != 4 or not all(parts):
        raise ValueError("an X-Road client id has four parts: instance/class/member/subsystem")
    instance, member_class, member, subsystem = parts
    return instance, member_class, member, subsystem


def timestamped_hash(*, endpoint: str, user: str, timestamp: int, secret: str) -> str:
    """Lower-case hex SHA-256 of `endpoint + user + timestamp + secret` (UTF-8)."""
    text = f"{endpoint}{user}{timestamp}{secret}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def timestamped_authorization(*, endpoint: str, user: str, timestamp: int, secret: str) -> str:
    """The `Authorization` value: `Basic base64(user ":" timestamped_hash(...))`."""
    digest = timestamped_hash(endpoint=endpoint, user=user, timestamp=timestamp, secret=secret)
    token = base64.b64encode(f"{user}:{digest}".encode()).decode("ascii")
    return f"Basic {token}"


def timestamped_authorization_user(authorization: str) -> str | None:
    """The user named in a timestamped `Authorization` value, or None if it is malformed."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "basic" or not token:
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    user, colon, digest = decoded.partition(":")
    return user if colon and user and digest else None


def timestamped_authorization_valid(
    authorization: str, *, endpoint: str, user: str, timestamp: int, secret: str
) -> bool:
    """Whether `authorization` is the right value for these parts, compared in constant time."""
    expected = timestamped_authorization(
        endpoint=endpoint, user=user, timestamp=timestamp, secret=secret
    )
    return hmac.compare_digest(expected.encode("utf-8"), authorization.encode("utf-8"))
