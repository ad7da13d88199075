"""TLS for tests: a certificate authority and a server certificate for 127.0.0.1 made with the
``openssl`` command, and the reference centre served over HTTPS on loopback (uvicorn with
``ssl_certfile`` / ``ssl_keyfile``), recording the path and headers of every request."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
import uvicorn

from ektp_station.central.runner import CentralServer

from factories import TODAY
from helpers import wait_until

__all__ = ["Authority", "TlsCentre", "make_authority"]


@dataclass(frozen=True)
class Authority:
    """A CA (``ca``, PEM) and a server certificate it signed for 127.0.0.1 and localhost."""

    ca: Path
    cert: Path
    key: Path


def _openssl(*args: str | Path, cwd: Path) -> None:
    subprocess.run(
        ["openssl", *map(str, args)], cwd=cwd, check=True, capture_output=True, timeout=60
    )


def make_authority(folder: Path) -> Authority:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder.mkdir(parents=True, exist_ok=True)
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    _openssl(
        "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=ektp test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=folder,
    )  # fmt: skip
    _openssl(
        "req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1",
        cwd=folder,
    )  # fmt: skip
    (folder / "server.ext").write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid,issuer\n",
        encoding="utf-8",
    )
    _openssl(
        "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext",
        cwd=folder,
    )  # fmt: skip
    return Authority(folder / "ca.pem", folder / "server.pem", folder / "server.key")


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


@dataclass
class TlsCentre:
    """The reference centre over HTTPS on 127.0.0.1 (a free port); ``requests`` lists what
    reached the application (a failed TLS handshake never does)."""

    db_url: str
    authority: Authority
    central: CentralServer = field(init=False)
    requests: list[Seen] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        # the centre's app and database, served below by our own uvicorn with TLS
        self.central = CentralServer(self.db_url, today=lambda: TODAY)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def add_station(self, station_id: str) -> str:
        return self.central.add_station(station_id)

    def registrations(self) -> int:
        return int(self.central.stats()["registrations"])

    async def _recording(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            self.requests.append(Seen(scope["path"], headers))
        await self.central.app(scope, receive, send)

    def start(self) -> TlsCentre:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        self._socket = sock
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self._recording,
            log_config=None,
            access_log=False,
            lifespan="on",
            interface="asgi3",
            timeout_graceful_shutdown=2,
            ssl_certfile=str(self.authority.cert),
            ssl_keyfile=str(self.authority.key),
        )
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="tls-centre", daemon=True
        )
        self._thread.start()
        thread = self._thread
        wait_until(lambda: server.started or not thread.is_alive(), timeout=15)
        if not server.started:
            raise RuntimeError("TLS centre did not start")
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(15)
        if self._socket is not None:
            self._socket.close()
        self.central.stop()  # disposes the centre's database

    def __enter__(self) -> TlsCentre:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
