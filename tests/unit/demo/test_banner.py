"""What `lgsp demo` prints: the curl sequence is bash that quotes every value it carries."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess

import pytest

from lgsp.demo import banner
from lgsp.demo.province import Client, LoadedProvince
from registry.report import LoadReport

LOOKUP = {"MaYeuCau": "demo-1", "SoDinhDanh": "046090001234", "HoVaTen": "Tôn Nữ Thị Hạnh"}


def _clients(secret: str = "s3cr3t") -> dict[str, Client]:
    return {
        client_id: Client(
            client_id=client_id,
            system_id=f"000.00.00.H57:{client_id.upper()}",
            scopes=("exchange",),
            secret=secret,
        )
        for client_id in banner.NEEDED
    }


def test_the_sequence_gets_three_tokens_and_makes_three_calls() -> None:
    text = banner.curl_sequence(url="http://127.0.0.1:8080", clients=_clients(), lookup=LOOKUP)
    assert "LGSP=http://127.0.0.1:8080" in text
    for variable in ("IOC_TOKEN", "MOT_CUA_TOKEN", "AUDITOR_TOKEN"):
        assert f"{variable}=$(curl " in text
        assert f"Bearer ${variable}" in text
    assert f"$LGSP/x/{banner.REPORTS_SERVICE}/reports?{banner.REPORTS_QUERY}" in text
    assert f'"$LGSP/x/{banner.LOOKUP_SERVICE}"' in text
    assert '"$LGSP/audit/entries"' in text
    # The look-up body is the JSON given, Vietnamese as is, in one shell word.
    (word,) = [w for w in shlex.split(text, comments=True) if w.startswith("{")]
    assert json.loads(word) == LOOKUP


def test_a_secret_with_shell_characters_stays_one_word() -> None:
    tricky = 'a\'b $(touch x) `y` "z"'
    text = banner.curl_sequence(
        url="http://127.0.0.1:8080", clients=_clients(tricky), lookup=LOOKUP
    )
    words = shlex.split(text, comments=True)
    assert words.count(f"ioc-dashboard:{tricky}") == 1


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_sequence_is_bash() -> None:
    text = banner.curl_sequence(url="http://127.0.0.1:8080", clients=_clients(), lookup=LOOKUP)
    checked = subprocess.run(["bash", "-n"], input=text, capture_output=True, text=True, timeout=10)
    assert checked.returncode == 0, checked.stderr


def test_the_banner_puts_the_sequence_between_its_markers() -> None:
    sequence = banner.curl_sequence(url="http://x:1", clients=_clients(), lookup=LOOKUP)
    text = banner.banner(head=["head"], credentials=["creds"], sequence=sequence, curl_file="f.sh")
    inside = text.split(banner.BEGIN + "\n", 1)[1].split("\n" + banner.END, 1)[0]
    assert inside + "\n" == sequence


def test_a_lost_secret_is_named_with_how_to_recover() -> None:
    clients = _clients()
    clients["mot-cua"] = Client(
        client_id="mot-cua", system_id="000.00.00.H57:MOT-CUA", scopes=("exchange",), secret=None
    )
    loaded = LoadedProvince(report=LoadReport(), clients=clients)
    assert loaded.lost == ["mot-cua"]
    lines = banner.credentials_lines(
        loaded, admin=None, file="var/demo-credentials.json", data_dir="var"
    )
    text = "\n".join(lines)
    assert re.search(r"^  mot-cua +\(secret lost: see below\)  exchange ", text, re.M)
    assert "remove var" in text
    assert "POST /registry/credentials" in text
    assert "s3cr3t" in text  # the others are still shown
