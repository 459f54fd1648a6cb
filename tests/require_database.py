"""Exit non-zero with a clear message when the test PostgreSQL does not answer."""

from __future__ import annotations

import os
import sys

from sqlalchemy import create_engine, text


def main() -> int:
    """Connect to LGSP_TEST_DATABASE_URL and run one query."""
    url = os.environ.get("LGSP_TEST_DATABASE_URL")
    if not url:
        print("LGSP_TEST_DATABASE_URL is not set", file=sys.stderr)
        return 2
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 5})
        with engine.connect() as connection:
            version = connection.execute(text("SHOW server_version")).scalar_one()
    except Exception as exc:
        print(f"PostgreSQL at {url} does not answer: {exc}", file=sys.stderr)
        return 1
    print(f"PostgreSQL {version} answers at {url}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
