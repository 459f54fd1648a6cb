"""What the figures were measured on: CPU, cores, memory, kernel, Python, package versions."""

from __future__ import annotations

import datetime
import os
import platform
import sqlite3
import subprocess
from importlib import metadata
from pathlib import Path

from bench import tools

PACKAGES = (
    "uvicorn",
    "uvloop",
    "httptools",
    "fastapi",
    "starlette",
    "aiohttp",
    "SQLAlchemy",
    "psycopg",
    "jsonschema-rs",
    "orjson",
    "cryptography",
    "joserfc",
    "psutil",
)


def cpu_model(cpuinfo: str) -> str:
    """The `model name` of /proc/cpuinfo's first processor, or `unknown`."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and value.strip():
            return " ".join(value.split())
    return "unknown"


def memory_gib(meminfo: str) -> float:
    """MemTotal of /proc/meminfo in GiB (0 if absent)."""
    for line in meminfo.splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / (1024 * 1024)
    return 0.0


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _git(root: Path, *arguments: str) -> str:
    return subprocess.run(
        ["git", *arguments], cwd=root, capture_output=True, text=True, timeout=10, check=True
    ).stdout.strip()


def git_revision(root: Path) -> str:
    """The short commit of the work tree, noting uncommitted changes to tracked files."""
    try:
        head = _git(root, "rev-parse", "--short", "HEAD")
        # The harness's own edits do not change what is measured.
        dirty = _git(root, "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + (" (with uncommitted changes outside bench/)" if dirty else "")


def describe(root: Path, *, wrk: str, nginx: str, postgres: str | None) -> dict[str, object]:
    """The machine and software, fit for a results file (no host or user names)."""
    return {
        "date_utc": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "cpu_model": cpu_model(_read("/proc/cpuinfo")),
        "cores": os.cpu_count() or 0,
        "memory_gib": round(memory_gib(_read("/proc/meminfo")), 1),
        "kernel": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": {name: _version(name) for name in PACKAGES},
        # wrk's banner ends with a copyright line naming its author: keep the version only.
        "wrk": tools.version([wrk, "--version"]).split(" Copyright", 1)[0],
        "nginx": tools.version([nginx, "-v"]),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres or "not used",
        "revision": git_revision(root),
    }
