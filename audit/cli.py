"""`lgsp-audit`: the auditor's offline tool (entry verification lands with the audit write path)."""

from __future__ import annotations

import sys
from importlib.metadata import version


def main(argv: list[str] | None = None) -> int:
    """Entry point; prints the version with `--version`."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--version"]:
        print(f"lgsp-audit {version('lgsp-exchange')}")
        return 0
    print("usage: lgsp-audit --version", file=sys.stderr)
    return 2
