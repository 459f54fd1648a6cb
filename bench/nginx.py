"""nginx (one worker) as a passthrough to the upstream: the physical limit of a hop here."""

from __future__ import annotations

from pathlib import Path


def config(*, prefix: Path, port: int, upstream_port: int, as_root: bool) -> str:
    """An nginx.conf that proxies every request on `port` to the upstream, keeping connections
    to it alive (as the exchange's pooled client does); no logs but errors, all under `prefix`."""
    # As root, nginx would hand requests to `nobody`, who cannot enter the private temp dir.
    user = "user root root;\n" if as_root else ""
    return f"""{user}worker_processes 1;
daemon off;
master_process on;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{
    worker_connections 4096;
}}
http {{
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    keepalive_requests 1000000;
    upstream bench_upstream {{
        server 127.0.0.1:{upstream_port};
        keepalive 128;
        keepalive_requests 1000000;
    }}
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        location / {{
            proxy_pass http://bench_upstream;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering on;
        }}
    }}
}}
"""


def command(nginx: str, *, conf: Path, prefix: Path) -> list[str]:
    """The command running nginx in the foreground with `conf`."""
    return [nginx, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")]
