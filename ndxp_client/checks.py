"""Input checks the client makes before anything goes on the wire (URLs, header names, values).

Messages name the defect, never the value: paths, queries and headers carry personal data.
"""

from __future__ import annotations

import string
from urllib.parse import urlsplit

# RFC 9110 `token`: what a method or a header name may be made of.
_TOKEN_CHARS = frozenset("!#$%&'*+-.^_`|~" + string.ascii_letters + string.digits)

# Framing and hop-by-hop headers: the transport writes its own, and a copy could contradict
# it (request smuggling) or break the connection's reuse.
FRAMING_HEADERS = frozenset(
    {
        "connection",
        "content-length",
        "host",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


def is_token(text: str) -> bool:
    """Whether `text` is a non-empty RFC 9110 token (a valid method or header name)."""
    return bool(text) and all(char in _TOKEN_CHARS for char in text)


def is_header_value(value: str) -> bool:
    """Whether `value` can be sent as a header value (no CR, LF, NUL or other control)."""
    return all(
        not ((char < " " and char != "\t") or char == "\x7f" or char > "\xff") for char in value
    )


def is_url_part(text: str, *, forbidden: str) -> bool:
    """Whether `text` holds only visible ASCII and none of `forbidden` (it is used as written)."""
    return all("!" <= char <= "~" and char not in forbidden for char in text)


def check_base_url(url: str) -> str:
    """`url` without a trailing `/` if it is a usable base URL; `ValueError` naming the defect."""
    # The URL is used as written (already percent-encoded), so refuse what would need encoding.
    if not url or not is_url_part(url, forbidden=""):
        raise ValueError("must be a URL of visible ASCII characters (percent-encoded)")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValueError("must be an http:// or https:// URL")
    if not parts.hostname:
        raise ValueError("must name a host")
    if "@" in parts.netloc:
        raise ValueError("must not carry credentials")
    if "?" in url or "#" in url:
        raise ValueError("must not have a query or a fragment")
    try:
        parts.port  # noqa: B018  (urlsplit checks the port only when asked)
    except ValueError:
        raise ValueError("has an invalid port") from None
    return url.rstrip("/")


def check_target(*, path: str, query: str) -> None:
    """Refuse a provider path or query that cannot be sent as written (`ValueError`)."""
    if path and not path.startswith("/"):
        raise ValueError("the path must be empty or start with '/'")
    if not is_url_part(path, forbidden="?#"):
        raise ValueError("the path holds a character a raw URL path cannot")
    if not is_url_part(query, forbidden="#"):
        raise ValueError("the query holds a character a raw query cannot")
