"""``config set`` for the link to the centre: plain http:// only to this computer unless a
supervisor allows it (``allow-insecure``), and the centre's CA file checked before it is kept."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tls_support import make_authority

from .support import Result

Cli = Callable[..., Result]
REMOTE = "http://203.0.113.7:8765"  # documentation address: never contacted


def _stored(data_dir: Path) -> dict[str, object]:
    path = data_dir / "config.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def test_http_to_another_host_is_refused(cli: Cli, station: Path) -> None:
    result = cli("--data-dir", station, "config", "set", "central-url", REMOTE)
    assert result.rc == 3
    assert "https://" in result.err and "allow-insecure" in result.err
    assert _stored(station).get("central_url", "") == ""


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8765",
        "http://127.5.6.7:8765",
        "http://localhost:8765",
        "http://[::1]:8765",
        "https://203.0.113.7:8443",
        "https://pusat.example.go.id",
    ],
)
def test_https_or_this_computer_is_accepted(cli: Cli, station: Path, url: str) -> None:
    assert cli("--data-dir", station, "config", "set", "central-url", url).rc == 0
    assert _stored(station)["central_url"] == url


def test_allow_insecure_lets_a_supervisor_set_http_and_can_not_be_withdrawn_under_it(
    cli: Cli, station: Path
) -> None:
    assert cli("--data-dir", station, "config", "set", "allow-insecure", "maybe").rc == 3
    assert cli("--data-dir", station, "config", "set", "allow-insecure", "true").rc == 0
    assert cli("--data-dir", station, "config", "set", "central-url", REMOTE).rc == 0
    assert _stored(station)["allow_insecure"] is True
    refused = cli("--data-dir", station, "config", "set", "allow-insecure", "false")
    assert refused.rc == 3 and "https://" in refused.err
    shown = cli("--data-dir", station, "config", "show", "--json").json()
    assert shown["allow-insecure"] is True and shown["central-url"] == REMOTE


def test_ca_file_must_exist_be_readable_and_hold_certificates(
    cli: Cli, station: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "missing.pem"
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("not a certificate\n", encoding="utf-8")
    assert cli("--data-dir", station, "config", "set", "ca-file", missing).rc == 3
    result = cli("--data-dir", station, "config", "set", "ca-file", not_pem)
    assert result.rc == 3 and "PEM" in result.err
    assert _stored(station).get("ca_file", "") == ""

    authority = make_authority(tmp_path / "ca")
    assert cli("--data-dir", station, "config", "set", "ca-file", authority.ca).rc == 0
    assert _stored(station)["ca_file"] == str(authority.ca.resolve())
    shown = cli("--data-dir", station, "config", "show", "--json").json()
    assert shown["ca-file"] == str(authority.ca.resolve())
    assert cli("--data-dir", station, "config", "set", "ca-file", "").rc == 0
    assert _stored(station)["ca_file"] == ""
