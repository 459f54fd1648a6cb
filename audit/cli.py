"""`lgsp-audit`: the auditor's offline tool; it needs a database URL and nothing else.

Exit status: 0 when everything verifies, 1 when an entry (or key) is bad,
2 on usage errors, including a database or key file that cannot be read.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Final

from sqlalchemy import Connection, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from audit.errors import AuditError, InvalidKey
from audit.query import list_keys
from audit.signing import check_key_id
from audit.verify import verify_store

EXIT_OK: Final = 0
EXIT_BAD: Final = 1
EXIT_USAGE: Final = 2


class UsageError(Exception):
    """The command cannot run as asked: bad arguments, unreadable database or key file."""


def main(argv: list[str] | None = None) -> int:
    """Run `lgsp-audit` with `argv` (default: the process arguments); returns the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:
        # argparse exits 2 on usage errors and 0 after --help or --version.
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        status: int = args.run(args)
    except UsageError as exc:
        print(f"lgsp-audit: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lgsp-audit", description="Verify an LGSP exchange's audit log offline."
    )
    parser.add_argument(
        "--version", action="version", version=f"lgsp-audit {version('lgsp-exchange')}"
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    verify = commands.add_parser("verify", help="check every entry's signature, hash and copies")
    verify.add_argument("--db", required=True, metavar="URL", help="SQLAlchemy database URL")
    verify.add_argument(
        "--trusted-keys",
        type=Path,
        metavar="FILE",
        help='JSON {"<key id>": "<base64 raw public key>"}: verify only against these keys',
    )
    verify.set_defaults(run=_verify)
    keys = commands.add_parser("keys", help="list the signing keys registered in the store")
    keys.add_argument("--db", required=True, metavar="URL", help="SQLAlchemy database URL")
    keys.add_argument(
        "--json", action="store_true", help="print a file usable as --trusted-keys instead"
    )
    keys.set_defaults(run=_keys)
    return parser


def _verify(args: argparse.Namespace) -> int:
    trusted = None if args.trusted_keys is None else read_trusted_keys(args.trusted_keys)
    with _reading(args.db) as connection:
        try:
            report = verify_store(connection, trusted_keys=trusted)
        except InvalidKey as exc:
            raise UsageError(f"trusted keys: {exc}") from exc
    for line in report.summary():
        print(line)
    return EXIT_OK if report.ok else EXIT_BAD


def _keys(args: argparse.Namespace) -> int:
    with _reading(args.db) as connection:
        keys = list_keys(connection)
    if args.json:
        pinned = {key.key_id: key.as_json()["public_key"] for key in keys}
        print(json.dumps(pinned, indent=2, sort_keys=True))
        return EXIT_OK
    for key in keys:
        record = key.as_json()
        retired = record["retired_at"] or "-"
        print(
            f"{key.key_id}  {key.algorithm}  created {key.created_at}  "
            f"retired {retired}  {record['public_key']}"
        )
    if not keys:
        print("no keys registered")
    return EXIT_OK


def read_trusted_keys(path: Path) -> dict[str, bytes]:
    """Read an auditor's pinned keys: JSON mapping key id to base64 raw public key."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeError, ValueError) as exc:
        raise UsageError(f"cannot read trusted keys from {path}: {exc}") from exc
    if not isinstance(document, dict) or not document:
        raise UsageError(f"{path}: expected a non-empty JSON object of key id to public key")
    keys: dict[str, bytes] = {}
    for key_id, encoded in document.items():
        try:
            if not isinstance(encoded, str):
                raise InvalidKey("public key is not a base64 string")
            raw = base64.b64decode(encoded, validate=True)
            check_key_id(key_id, raw)
        except (binascii.Error, InvalidKey) as exc:
            raise UsageError(f"{path}: key {key_id}: {exc}") from exc
        keys[key_id] = raw
    return keys


@contextmanager
def _reading(url: str) -> Iterator[Connection]:
    """A connection that only reads; any database failure becomes a UsageError."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise UsageError(f"not a database URL: {exc}") from exc
    shown = parsed.render_as_string(hide_password=True)
    database = parsed.database or ""
    # SQLite would create an empty file for a mistyped path and report zero entries.
    is_file_db = parsed.get_backend_name() == "sqlite" and database not in {"", ":memory:"}
    if is_file_db and not Path(database).is_file():
        raise UsageError(f"no SQLite database at {database}")
    # One snapshot for the whole run on PostgreSQL, so entries committing while
    # the verifier pages through the log cannot be skipped or counted twice.
    postgres = parsed.get_backend_name() == "postgresql"
    options = {"isolation_level": "REPEATABLE READ"} if postgres else {}
    try:
        engine = create_engine(parsed, execution_options=options)
    except (SQLAlchemyError, ImportError) as exc:
        raise UsageError(f"cannot open {shown}: {exc}") from exc
    try:
        with engine.connect() as connection:
            try:
                yield connection
            finally:
                connection.rollback()
    except (SQLAlchemyError, AuditError) as exc:
        raise UsageError(f"cannot read the audit store at {shown}: {exc}") from exc
    finally:
        engine.dispose()
