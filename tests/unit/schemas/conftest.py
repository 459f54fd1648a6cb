"""Fixtures: the shipped catalogue, its validators, and operator catalogues written on the fly."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from schemas.catalogue import Catalogue
from schemas.ids import BUILTIN_BASE_URI, DRAFT_2020_12
from schemas.validation import SchemaValidators

WriteCatalogue = Callable[[Mapping[str, object]], Path]
COMMON = BUILTIN_BASE_URI + "common/v1"


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The shipped catalogue, loaded once."""
    return Catalogue.builtin()


@pytest.fixture(scope="session")
def validators(catalogue: Catalogue) -> SchemaValidators:
    """Validators over the shipped catalogue, shared by the tests that only read them."""
    return SchemaValidators(catalogue)


def operator_schema(schema_id: str, **body: object) -> dict[str, object]:
    """A well-formed draft 2020-12 schema for `schema_id` on an operator's own host."""
    return {"$schema": DRAFT_2020_12, "$id": f"https://schemas.hue.invalid/{schema_id}", **body}


@pytest.fixture
def write_catalogue(tmp_path: Path) -> WriteCatalogue:
    """Write {relative file path: JSON value or raw text} under a fresh directory; return it."""

    def write(files: Mapping[str, object]) -> Path:
        root = tmp_path / "catalogue"
        for relative, content in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
            path.write_text(text, encoding="utf-8")
        return root

    return write


class _Recorder(BaseHTTPRequestHandler):
    """Serves a schema to anyone who asks, and remembers who asked."""

    asked: list[str]

    def do_GET(self) -> None:
        self.asked.append(self.path)
        body = b'{"type": "string"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads `asked`, not the log."""


@pytest.fixture
def schema_server() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server offering a schema: (its URL, the paths it was asked for)."""
    asked: list[str] = []
    handler = type("Recorder", (_Recorder,), {"asked": asked})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/x.json", asked
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
