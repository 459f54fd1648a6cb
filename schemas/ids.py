"""Schema ids (`<name>/v<N>`), the files they live in, and the `$id` each schema must carry."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import urlsplit

# The shipped schemas' `$id`s; `.invalid` (RFC 2606) can never resolve, so a validator that
# tried to fetch one would fail loudly instead of reaching somebody's server.
BUILTIN_BASE_URI = "https://schemas.lgsp.invalid/"
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_SUFFIX = ".schema.json"
EXAMPLES_SUFFIX = ".examples.json"

# Within the registry's schema reference pattern `^[A-Za-z0-9][A-Za-z0-9._/:-]{0,199}$`.
_SCHEMA_ID = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]{0,99})/v(?P<version>[1-9][0-9]{0,5})$"
)


def is_schema_id(text: str) -> bool:
    """Whether `text` has the catalogue's id shape, `<name>/v<N>` (e.g. `common/v1`)."""
    return _SCHEMA_ID.fullmatch(text) is not None


def schema_id_for(relative: PurePosixPath, *, suffix: str) -> str | None:
    """The id a file at `<name>/v<N><suffix>` (relative to the catalogue root) holds, else None."""
    if len(relative.parts) != 2 or not relative.name.endswith(suffix):
        return None
    candidate = f"{relative.parts[0]}/{relative.name.removesuffix(suffix)}"
    return candidate if is_schema_id(candidate) else None


def id_uri_problem(*, schema_id: str, uri: object) -> str | None:
    """What is wrong with a schema's `$id` for `schema_id`, or None: absolute, ends `/<id>`."""
    if not isinstance(uri, str):
        return "has no `$id` string"
    parts = urlsplit(uri)
    if not parts.scheme or not parts.netloc:
        return f"`$id` {uri!r} must be an absolute URI with a host (https://<host>/.../<id>)"
    if parts.fragment or uri.endswith("#") or parts.query:
        return f"`$id` {uri!r} must have no query and no fragment"
    if not parts.path.endswith("/" + schema_id):
        return f"`$id` {uri!r} does not end with /{schema_id}, the id its file name gives"
    return None
