"""py-spy's collapsed stacks (`--format raw`) summed by pipeline step and library. Pure."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# The exchange's own steps, most specific first within a stack: the deepest frame that
# matches one of these names the step a sample belongs to.
STEPS: tuple[tuple[str, str], ...] = (
    ("lgsp/exchange/authenticate.py", "authenticate (token)"),
    ("lgsp/auth/", "authenticate (token)"),
    ("lgsp/exchange/resolve.py", "resolve"),
    ("lgsp/exchange/authorize.py", "authorize"),
    ("lgsp/exchange/validate.py", "validate (schema)"),
    ("schemas/", "validate (schema)"),
    ("lgsp/exchange/entries.py", "audit: entry facts, digests"),
    ("audit/entry.py", "audit: serialise + sign"),
    ("audit/signing.py", "audit: serialise + sign"),
    ("audit/store.py", "audit: SQL insert + commit"),
    ("lgsp/exchange/journal.py", "audit: journal (queue, commit)"),
    ("lgsp/exchange/providers.py", "forward (adapter, aiohttp)"),
    ("adapters/", "forward (adapter, aiohttp)"),
    ("ndxp_client/", "forward (adapter, aiohttp)"),
    # The exchange's only aiohttp use is the adapters' client (the server is uvicorn's).
    ("aiohttp/", "forward (adapter, aiohttp)"),
    ("lgsp/exchange/headers.py", "answer (headers, relay)"),
    ("_relay (", "answer (headers, relay)"),
    ("lgsp/registry_cache.py", "registry refresh"),
)
# What surrounds the steps; used only when no step matches.
OUTER: tuple[tuple[str, str], ...] = (
    ("lgsp/exchange/pipeline.py", "pipeline (other)"),
    ("lgsp/api/middleware/", "middleware (ours)"),
    ("lgsp/api/metrics.py", "metrics"),
    ("lgsp/api/problems.py", "problems"),
    # Not "lgsp/": `lgsp up` (lgsp/cli) is at the root of every stack of the main thread.
    ("lgsp/api/", "lgsp API (other)"),
    ("starlette/", "framework (starlette, fastapi)"),
    ("fastapi/", "framework (starlette, fastapi)"),
    # Not "uvicorn/": uvicorn.run is at the root of every stack of the main thread.
    ("uvicorn/protocols/", "HTTP server (uvicorn, httptools)"),
    ("httptools", "HTTP server (uvicorn, httptools)"),
)
OTHER = "event loop, GC, other"
OURS = ("lgsp", "adapters", "audit", "schemas", "registry", "ndxp_client")

_FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


@dataclass(frozen=True, slots=True)
class Stack:
    """One collapsed stack, root first, and how many samples had it."""

    frames: tuple[str, ...]
    samples: int


def parse(text: str) -> list[Stack]:
    """Collapsed stacks: `frame;frame;... count` per line (blank or odd lines skipped)."""
    stacks = []
    for line in text.splitlines():
        body, _, count = line.rstrip().rpartition(" ")
        if body and count.isdigit():
            stacks.append(Stack(tuple(body.split(";")), int(count)))
    return stacks


def _deepest(frames: Sequence[str], rules: Sequence[tuple[str, str]]) -> str | None:
    for frame in reversed(frames):
        for needle, label in rules:
            if needle in frame:
                return label
    return None


def step_of(frames: Sequence[str]) -> str:
    """The pipeline step a stack belongs to: the deepest step frame, else the deepest
    surrounding layer, else `OTHER`."""
    return _deepest(frames, STEPS) or _deepest(frames, OUTER) or OTHER


def library_of(frame: str) -> str:
    """The package a frame runs in: ours, a site-package, a stdlib module, a native library.

    py-spy names Python files by their path below `sys.path` (`aiohttp/client.py`,
    `threading.py`), native frames by their shared object (`libc.so.6`).
    """
    match = _FRAME.match(frame)
    path = match.group("file") if match else frame
    if path.startswith("<frozen "):
        return path.removeprefix("<frozen ").rstrip(">")
    for marker in ("site-packages/", "dist-packages/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    else:
        stdlib = re.search(r"/lib/python3\.\d+/(.+)$", path)
        if stdlib:
            path = stdlib.group(1)
        elif path.startswith("/"):
            for ours in OURS:
                if f"/{ours}/" in path:
                    return ours
            path = path.rsplit("/", 1)[-1]
    name = path.split("/", 1)[0]
    if ".so" in name:
        return name.split(".so", 1)[0]
    return name.removesuffix(".py") or "unknown"


def function_of(frame: str) -> str:
    """`function (file)` without the line number, the file shortened to its package path."""
    match = _FRAME.match(frame)
    if not match:
        return frame
    path = match.group("file")
    for marker in ("site-packages/", "dist-packages/", "/main/", "/lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{match.group('function')} ({path})"


@dataclass(frozen=True, slots=True)
class Summary:
    """Samples by step, by (step, leaf library) and by leaf function."""

    total: int
    steps: list[tuple[str, int]]
    step_libraries: list[tuple[str, str, int]]
    leaves: list[tuple[str, int]]


def summarise(stacks: Iterable[Stack], *, top: int = 20) -> Summary:
    """Where the samples went, most first."""
    steps: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    leaves: Counter[str] = Counter()
    total = 0
    for stack in stacks:
        if not stack.frames:
            continue
        total += stack.samples
        step = step_of(stack.frames)
        steps[step] += stack.samples
        pairs[(step, library_of(stack.frames[-1]))] += stack.samples
        leaves[function_of(stack.frames[-1])] += stack.samples
    return Summary(
        total=total,
        steps=steps.most_common(),
        step_libraries=[(s, lib, n) for (s, lib), n in pairs.most_common(top)],
        leaves=leaves.most_common(top),
    )
