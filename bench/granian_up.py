"""`lgsp up`, served by granian instead of uvicorn: only to compare the two servers.

    python -m bench.granian_up --host 127.0.0.1 --port 8080 --workers 1

Prepares the node exactly as `lgsp up` does (migrations, keys, first admin), then
serves the same application factory with granian (ASGI, uvloop, HTTP/1.1, no access
log). Used by `bench/servers.py`; the exchange itself is served by uvicorn.
"""

from __future__ import annotations

import argparse

from lgsp.bootstrap import prepare
from lgsp.cli.serving import settings_with
from lgsp.first_admin import ensure_first_admin


def main() -> None:
    """Parse `lgsp up`'s serving options, prepare the node, serve it with granian."""
    from granian import Granian  # type: ignore[import-not-found, unused-ignore]
    from granian.constants import (  # type: ignore[import-not-found, unused-ignore]
        HTTPModes,
        Interfaces,
        Loops,
    )

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    arguments = parser.parse_args()
    settings = settings_with(host=arguments.host, port=arguments.port, workers=arguments.workers)
    prepare(settings)
    ensure_first_admin(settings)
    Granian(
        "lgsp.app:create_app_from_env",
        factory=True,
        interface=Interfaces.ASGI,
        address=settings.host,
        port=settings.port,
        workers=settings.workers,
        loop=Loops.uvloop,
        http=HTTPModes.http1,
        log_access=False,
    ).serve()


if __name__ == "__main__":
    main()
