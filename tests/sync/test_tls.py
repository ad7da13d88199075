"""The link to the centre over TLS, against the real centre served with a certificate made here:
with the centre's CA file the station delivers; without it, or with another CA, the error is
the certificate one (never "link down") and nothing reaches the centre; only batch posts carry
the token; plain http:// to a host other than this computer is refused before any connection.
Traffic goes to 127.0.0.1 only."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ektp_station.cli import main
from ektp_station.errors import CertificateRefused, ConfigError, LinkDown
from ektp_station.paths import AppPaths
from ektp_station.settings import Settings
from ektp_station.station import Station
from ektp_station.store import Queue, State
from ektp_station.sync.client import CentralClient
from ektp_station.sync.engine import Link, SyncEngine
from tls_support import Authority, TlsCentre, make_authority

from factories import many_records
from helpers import wait_until
from sync_support import FAST, STATION, fill

REMOTE = "http://203.0.113.7:8765"  # documentation address: never contacted


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return make_authority(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def other_authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return make_authority(tmp_path_factory.mktemp("other-ca"))


@pytest.fixture
def tls_centre(tmp_path: Path, authority: Authority) -> Iterator[TlsCentre]:
    with TlsCentre(f"sqlite:///{tmp_path / 'central.sqlite3'}", authority) as centre:
        yield centre


@pytest.fixture
def tls_token(tls_centre: TlsCentre) -> str:
    return tls_centre.add_station(STATION)


@pytest.fixture
def no_connection(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Any request httpx would send is recorded and refused (nothing leaves the process)."""
    tried: list[str] = []

    def refuse(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        tried.append(str(request.url))
        raise AssertionError(f"no connection expected, got one to {request.url}")

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", refuse)
    return tried


def _cli(data_dir: Path, *args: str) -> int:
    return main(["--data-dir", str(data_dir), *args])


def _configure(data_dir: Path, url: str, token: str, ca_file: Path | None) -> None:
    assert _cli(data_dir, "config", "set", "central-url", url) == 0
    assert _cli(data_dir, "config", "set", "station-id", STATION) == 0
    assert _cli(data_dir, "config", "set", "token", "--", token) == 0  # may start with "-"
    if ca_file is not None:
        assert _cli(data_dir, "config", "set", "ca-file", str(ca_file)) == 0


def _enqueue(data_dir: Path, count: int) -> None:
    queue = Queue.open(data_dir)
    try:
        for record in many_records(count):
            queue.enqueue(record, operator="SITI", station_id=STATION)
    finally:
        queue.close()


def _counts(data_dir: Path) -> tuple[int, int]:
    queue = Queue.open(data_dir)
    try:
        return queue.count(State.SYNCED), queue.count(State.PENDING)
    finally:
        queue.close()


# -- with the centre's CA: delivered, the token on batches only ---------------------------------


def test_with_the_ca_file_the_station_delivers_over_tls(
    data_dir: Path,
    tls_centre: TlsCentre,
    tls_token: str,
    authority: Authority,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _configure(data_dir, tls_centre.url, tls_token, authority.ca)
    _enqueue(data_dir, 12)

    assert _cli(data_dir, "sync", "--until-empty", "--max-time", "30") == 0

    assert tls_centre.registrations() == 12
    assert _counts(data_dir) == (12, 0)
    assert tls_token not in capsys.readouterr().out


def test_the_probe_carries_no_token_and_batches_do(
    tls_centre: TlsCentre, tls_token: str, authority: Authority, data_dir: Path
) -> None:
    queue = Queue.open(data_dir)
    fill(queue, 3)
    client = CentralClient(tls_centre.url, tls_token, timeout=5.0, ca_file=str(authority.ca))
    engine = SyncEngine(queue, client, STATION, config=FAST)
    try:
        client.probe()  # as the engine does at start and while the link is down
        assert engine.drain(give_up_after=20)
    finally:
        client.close()
        queue.close()
    probes = [r for r in tls_centre.requests if r.path == "/v1/health"]
    batches = [r for r in tls_centre.requests if r.path == "/v1/batches"]
    assert probes and batches
    assert all("authorization" not in r.headers for r in probes)
    assert all(r.headers.get("authorization") == f"Bearer {tls_token}" for r in batches)
    assert tls_centre.registrations() == 3


# -- without it, or with another CA: the certificate error, nothing sent ------------------------


@pytest.mark.parametrize("which", ["system authorities", "another CA"])
def test_an_unknown_certificate_is_a_certificate_error_not_link_down(
    tls_centre: TlsCentre, tls_token: str, other_authority: Authority, which: str
) -> None:
    ca_file = str(other_authority.ca) if which == "another CA" else None
    with CentralClient(tls_centre.url, tls_token, timeout=5.0, ca_file=ca_file) as client:
        with pytest.raises(CertificateRefused) as probed:
            client.probe()
        assert not isinstance(probed.value, LinkDown)
        assert "certificate" in str(probed.value)
        assert tls_token not in str(probed.value)
    assert tls_centre.requests == []  # the handshake failed: nothing reached the centre


def test_sync_without_the_ca_file_prints_the_certificate_error_and_sends_nothing(
    data_dir: Path,
    tls_centre: TlsCentre,
    tls_token: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _configure(data_dir, tls_centre.url, tls_token, ca_file=None)
    _enqueue(data_dir, 4)
    capsys.readouterr()

    assert _cli(data_dir, "sync", "--once") == 1

    err = capsys.readouterr().err
    assert "Sertifikat pusat tidak sah" in err
    assert "terputus" not in err
    assert tls_centre.requests == [] and tls_centre.registrations() == 0
    assert _counts(data_dir) == (0, 4)


def test_the_engine_shows_the_certificate_refusal_and_logs_it(
    data_dir: Path,
    tls_centre: TlsCentre,
    tls_token: str,
    other_authority: Authority,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="ektp_station")
    queue = Queue.open(data_dir)
    fill(queue, 2)
    client = CentralClient(tls_centre.url, tls_token, timeout=5.0, ca_file=str(other_authority.ca))
    engine = SyncEngine(queue, client, STATION, config=FAST)
    engine.start()
    try:
        wait_until(lambda: engine.state.link is Link.REFUSED)
        state = engine.state
        assert state.last_error_id == CertificateRefused.MESSAGE_ID
        assert state.last_error is not None and "certificate" in state.last_error
    finally:
        engine.stop()
        client.close()
    assert queue.count(State.PENDING) == 2
    queue.close()
    assert tls_centre.requests == [] and tls_centre.registrations() == 0
    assert any("certificate not valid" in r.getMessage() for r in caplog.records)
    assert all(tls_token not in r.getMessage() for r in caplog.records)


# -- plain http:// to another host: refused before any connection -------------------------------


def test_sync_flag_refuses_http_to_another_host_before_connecting(
    data_dir: Path, no_connection: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    _enqueue(data_dir, 1)
    code = _cli(data_dir, "sync", "--once", "--central-url", REMOTE, "--token", "rahasia-123")
    assert code == 3
    err = capsys.readouterr().err
    assert "https://" in err and "rahasia-123" not in err
    assert no_connection == []


def test_a_hand_edited_insecure_url_is_refused_at_sync_and_engine_start(
    data_dir: Path, no_connection: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    config = {"station_id": STATION, "central_url": REMOTE}
    (data_dir / "config.json").write_text(json.dumps(config), encoding="utf-8")
    (data_dir / "token").write_text("rahasia-123\n", encoding="utf-8")
    _enqueue(data_dir, 1)

    assert _cli(data_dir, "sync", "--once") == 3
    assert "https://" in capsys.readouterr().err

    station = Station.open(AppPaths.resolve(data_dir))
    try:
        with pytest.raises(ConfigError):
            station.start_sync()
        assert station.engine is None
    finally:
        station.close()
    assert no_connection == []


def test_allow_insecure_lets_a_supervisor_use_http_to_another_host(data_dir: Path) -> None:
    settings = Settings(token="rahasia-123")
    with pytest.raises(ConfigError):
        settings.with_value("central-url", REMOTE)
    allowed = settings.with_value("allow-insecure", "true").with_value("central-url", REMOTE)
    allowed.check_link()  # no error: the engine may start over it
    assert allowed.central_url == REMOTE
