"""The load generator and the reference proxy the harness needs: found, or installed with apt."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

# Debian puts nginx in /usr/sbin, which an ordinary user's PATH often lacks.
_SBIN = (Path("/usr/sbin"), Path("/usr/local/sbin"), Path("/usr/bin"))


class ToolsMissing(RuntimeError):
    """A tool is missing and could not be installed here."""


def find(name: str) -> str | None:
    """The path of executable `name`, looking in the sbin directories too."""
    found = shutil.which(name)
    if found:
        return found
    for directory in _SBIN:
        candidate = directory / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def ensure(
    names: Sequence[str] = ("wrk", "nginx"), *, say: Callable[[str], None] = print
) -> dict[str, str]:
    """Each tool's path, installing the missing ones with apt-get (as root); else `ToolsMissing`."""
    missing = [name for name in names if find(name) is None]
    if missing:
        hint = f"apt-get install -y {' '.join(missing)}"
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            raise ToolsMissing(
                f"{', '.join(missing)} not found and cannot be installed from here "
                f"(needs root and apt-get); install them with `sudo {hint}` and run again"
            )
        say(f"installing {', '.join(missing)} with apt-get (Debian packages): {hint}")
        _apt_install(missing)
    paths = {name: find(name) for name in names}
    absent = [name for name, path in paths.items() if path is None]
    if absent:
        raise ToolsMissing(f"{', '.join(absent)} still not found after apt-get install")
    return {name: path for name, path in paths.items() if path is not None}


def _apt_install(packages: Sequence[str]) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    with tempfile.TemporaryFile() as log:
        install = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
        if subprocess.run(install, stdout=log, stderr=log, env=env, check=False).returncode == 0:
            return
        # A fresh machine may have no package lists yet: update once, then try again.
        subprocess.run(["apt-get", "update"], stdout=log, stderr=log, env=env, check=False)
        if subprocess.run(install, stdout=log, stderr=log, env=env, check=False).returncode == 0:
            return
        log.seek(0)
        tail = log.read().decode("utf-8", errors="replace").splitlines()[-15:]
    raise ToolsMissing("apt-get could not install " + " ".join(packages) + ":\n" + "\n".join(tail))


def version(argv: Sequence[str]) -> str:
    """The first line a `--version`-like command prints (stdout or stderr), or `unknown`."""
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else "unknown"
