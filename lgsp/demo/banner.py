"""What `lgsp demo` prints: where everything is, the credentials, and a curl sequence to paste.

The curl sequence is plain bash (it also goes to `<data dir>/demo-curl.sh`): shell variables
for the URL and the tokens, every value quoted with `shlex.quote`, answers pretty-printed by
`python3 -m json.tool` with Vietnamese text left as it is.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lgsp.demo.province import Client, LoadedProvince

CURL_FILE = "demo-curl.sh"
# Bash comments, so that pasting the markers along with the sequence does no harm.
BEGIN = "# ---- 8< ---- the demo, in bash ----"
END = "# ---- >8 ---- end of the demo ----"

PROVINCE = "000.00.00.H57"
REPORTS_SERVICE = f"{PROVINCE}:HUE-S/phan-anh-hien-truong/v1"
LOOKUP_SERVICE = f"{PROVINCE}:NDXP/tra-cuu-cong-dan/v1"
IOC, ONE_STOP_SHOP, AUDITOR = "ioc-dashboard", "mot-cua", "thanh-tra-so"
NEEDED = (IOC, ONE_STOP_SHOP, AUDITOR)  # the clients the curl sequence uses
# Field reports of the city of Huế in March 2024 that nobody has answered yet.
REPORTS_QUERY = (
    "don_vi=000.00.21.H57&tu_ngay=20240301&den_ngay=20240331&da_xu_ly=false&page=1&page_size=5"
)
_PRETTY = "python3 -m json.tool --no-ensure-ascii"
_ACCESS_TOKEN = """python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'"""


@dataclass(frozen=True, slots=True)
class Place:
    """A named process of the demo and where it listens."""

    name: str
    url: str
    log: str | None = None


def _token(variable: str, client: Client) -> str:
    credential = shlex.quote(f"{client.client_id}:{client.secret}")
    return (
        f"{variable}=$(curl -sS -u {credential} -d grant_type=client_credentials "
        f'"$LGSP/oauth/token" | {_ACCESS_TOKEN})'
    )


def curl_sequence(*, url: str, clients: Mapping[str, Client], lookup: Mapping[str, str]) -> str:
    """The bash sequence: a token, a field-report listing, a citizen look-up, the audit log."""
    body = shlex.quote(json.dumps(dict(lookup), ensure_ascii=False))
    lines = [
        "# Four calls through the exchange. Needs curl and python3.",
        f"LGSP={shlex.quote(url)}",
        "SINCE=$(date -u +%Y-%m-%dT%H:%M:%SZ)",
        "",
        "# 1. A token for the IOC dashboard (OAuth2 client credentials, valid 5 minutes).",
        _token("IOC_TOKEN", clients[IOC]),
        "",
        "# 2. As the IOC: field reports of the city of Huế in March 2024 not yet answered.",
        'curl -sS -H "Authorization: Bearer $IOC_TOKEN" \\',
        f'  "$LGSP/x/{REPORTS_SERVICE}/reports?{REPORTS_QUERY}" | {_PRETTY}',
        "",
        "# 3. As the one-stop shop: a citizen look-up in the population database through NDXP.",
        _token("MOT_CUA_TOKEN", clients[ONE_STOP_SHOP]),
        'curl -sS -H "Authorization: Bearer $MOT_CUA_TOKEN" \\',
        f'  -H "Content-Type: application/json" --data-binary {body} \\',
        f'  "$LGSP/x/{LOOKUP_SERVICE}" | {_PRETTY}',
        "",
        "# 4. As the inspectorate (scope auditor): the signed log entries of the calls above.",
        _token("AUDITOR_TOKEN", clients[AUDITOR]),
        'curl -sS -G -H "Authorization: Bearer $AUDITOR_TOKEN" --data-urlencode "since=$SINCE" \\',
        f'  "$LGSP/audit/entries" | {_PRETTY}',
    ]
    return "\n".join(lines) + "\n"


def credentials_lines(
    loaded: LoadedProvince, *, admin: Client | None, file: str, data_dir: str
) -> list[str]:
    """The credentials, one a line, and what to do about any whose secret was lost."""
    lines = [f"Credentials (also in {file}, readable by you only):"]
    unknown = {c.client_id: "(secret lost: see below)" for c in loaded.clients.values()}
    everyone = sorted(loaded.clients.values(), key=lambda c: c.client_id)
    if admin is not None:
        everyone.insert(0, admin)
        unknown[admin.client_id] = "(secret shown at its first start only)"
    width = max((len(c.client_id) for c in everyone), default=0)
    for client in everyone:
        secret = client.secret or unknown[client.client_id]
        scopes = ",".join(client.scopes)
        lines.append(f"  {client.client_id:<{width}}  {secret}  {scopes:<13} {client.system_id}")
    if loaded.lost:
        lines += [
            f"The secrets of {', '.join(loaded.lost)} are not in {file}: the registry keeps only",
            "hashes, and a client id cannot be issued twice. The demo's data is disposable:",
            f"stop it, remove {data_dir} (or start with another --data-dir) and start again;",
            "or, as the admin, issue a new credential for the same system",
            "(POST /registry/credentials) and use that one.",
        ]
    return lines


def summary(
    *, url: str, database: str, places: Sequence[Place], loaded: LoadedProvince
) -> list[str]:
    """Where the exchange and its companions listen, and what the load did."""
    lines = [f"LGSP demo province at {url}  (database: {database})"]
    for place in places:
        log = f"  log: {place.log}" if place.log else ""
        lines.append(f"  {place.name:<34} {place.url}{log}")
    counts = loaded.report.counts
    created = sum(c.created + c.updated for c in counts.values())
    total = ", ".join(
        f"{c.created + c.updated + c.unchanged} {kind.replace('_', ' ')}s"
        for kind, c in counts.items()
    )
    done = f"{created} change(s) made" if loaded.report.changed else "already loaded, unchanged"
    lines.append(f"Province {PROVINCE}: {total} ({done}).")
    return lines


def banner(
    *,
    head: Sequence[str],
    credentials: Sequence[str],
    sequence: str,
    curl_file: str,
) -> str:
    """The whole text: the summary, the credentials, the sequence between its markers."""
    return "\n".join(
        [
            *head,
            *credentials,
            f"Try it: paste this into bash (also in {curl_file}):",
            BEGIN,
            sequence.rstrip("\n"),
            END,
            "Ctrl-C stops the exchange, the national-platform simulator and the providers.",
        ]
    )
