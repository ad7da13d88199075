"""``central serve`` options: TLS files handed to uvicorn, a warning without TLS off loopback,
and the centre's own h11 protocol (header deadline) in every case (uvicorn.run replaced)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

from ektp_station.central.cli import add_parser, is_loopback
from ektp_station.central.transport import HTTP_PROTOCOL


def _parse(argv: list[str], data_dir: Path) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", dest="data_dir", default=str(data_dir))
    add_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    return calls


def _serve(tmp_path: Path, argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    args = _parse(["central", "serve", *argv], tmp_path)
    code = args.func(args)
    return code, capsys.readouterr().err


def test_tls_files_go_to_uvicorn(
    tmp_path: Path, runs: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_text("cert")
    key.write_text("key")
    argv = ["--host", "0.0.0.0", "--ssl-certfile", str(cert), "--ssl-keyfile", str(key)]
    code, err = _serve(tmp_path, argv, capsys)
    assert code == 0
    (kw,) = runs
    assert kw["ssl_certfile"] == str(cert) and kw["ssl_keyfile"] == str(key)
    assert kw["http"] == HTTP_PROTOCOL
    assert "PERINGATAN" not in err and "https://0.0.0.0" in err


def test_plain_http_off_loopback_warns(
    tmp_path: Path, runs: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _serve(tmp_path, ["--host", "0.0.0.0"], capsys)
    assert code == 0
    assert "PERINGATAN" in err and "tanpa TLS" in err
    assert "ssl_certfile" not in runs[0]
    assert runs[0]["http"] == HTTP_PROTOCOL


def test_plain_http_on_loopback_is_quiet(
    tmp_path: Path, runs: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _serve(tmp_path, ["--host", "127.0.0.1"], capsys)
    assert code == 0 and "PERINGATAN" not in err and runs


@pytest.mark.parametrize(
    "argv",
    [
        ["--ssl-certfile", "cert.pem"],
        ["--ssl-keyfile", "key.pem"],
        ["--ssl-certfile", "missing.pem", "--ssl-keyfile", "missing-key.pem"],
    ],
)
def test_tls_options_must_come_together_and_exist(
    tmp_path: Path,
    runs: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
) -> None:
    (tmp_path / "cert.pem").write_text("cert")
    (tmp_path / "key.pem").write_text("key")
    argv = [str(tmp_path / a) if a.endswith(".pem") else a for a in argv]
    code, err = _serve(tmp_path, argv, capsys)
    assert code == 2 and err and not runs


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("centre.example", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_serve_over_tls_for_real(tmp_path: Path) -> None:
    """``central serve`` with a self-signed certificate answers health over HTTPS."""
    import shutil
    import socket
    import ssl
    import subprocess
    import sys

    import httpx

    from helpers import wait_until

    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "ektp_station", "--data-dir", str(tmp_path)),
                *("central", "serve", "--port", str(port)),
                *("--ssl-certfile", str(cert), "--ssl-keyfile", str(key)),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"https://127.0.0.1:{port}/v1/health"
        trust = ssl.create_default_context(cafile=str(cert))

        def up() -> bool:
            assert proc.poll() is None, log.read_text()
            try:
                return httpx.get(url, verify=trust, timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        try:
            wait_until(up, timeout=30)
            with pytest.raises(httpx.TransportError):  # plain HTTP is not served
                httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=2)
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
    assert "https://127.0.0.1" in log.read_text()


def test_every_worker_gets_the_options_given_to_serve(
    tmp_path: Path,
    runs: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With --workers N each worker builds its app from the environment: the in-flight bound
    and the dashboard's silent threshold must reach it (before, only the database did)."""
    import ektp_station.central.cli as cli
    from ektp_station.central.app import app_from_env

    monkeypatch.setattr(cli, "_is_sqlite", lambda _url: False)  # the check for >1 worker
    db = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    for name in ("EKTP_CENTRAL_DB", "EKTP_CENTRAL_MAX_IN_FLIGHT", "EKTP_CENTRAL_SILENT_AFTER"):
        monkeypatch.setenv(name, "")  # so that the undo removes what serve sets
        monkeypatch.delenv(name)
    argv = ["--db", db, "--workers", "2", "--max-in-flight", "7", "--silent-after", "120"]
    code, _err = _serve(tmp_path, argv, capsys)
    assert code == 0 and runs[-1]["workers"] == 2
    app = app_from_env()
    assert app.state.central.max_in_flight == 7
    assert app.state.dashboard_silent_after == 120


def test_serve_refuses_nonsense_bounds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--max-in-flight", "0"], ["--silent-after", "0"], ["--silent-after", "-5"]):
        code, err = _serve(tmp_path, argv, capsys)
        assert code == 2 and "--max-in-flight" in err


def test_the_load_balancers_forwarded_address_is_trusted_only_when_told(
    tmp_path: Path, runs: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _err = _serve(tmp_path, [], capsys)
    assert code == 0 and runs[-1]["forwarded_allow_ips"] == "127.0.0.1"
    code, _err = _serve(tmp_path, ["--forwarded-allow-ips", "10.0.0.5,10.0.0.6"], capsys)
    assert code == 0 and runs[-1]["forwarded_allow_ips"] == "10.0.0.5,10.0.0.6"
    assert runs[-1]["proxy_headers"] is True
