"""Run the reference centre in-process on a background thread (tests, benchmarks, demo).

with CentralServer("sqlite:///tmp/central.sqlite3") as central:
    token = central.add_station("DPK-01")
    httpx.get(central.url + "/v1/health")
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from datetime import date
from types import TracebackType
from typing import Any

import uvicorn

from .app import BODY_IDLE_TIMEOUT, BODY_TIMEOUT, CentralState, create_app
from .dashboard_data import DEFAULT_SILENT_AFTER
from .db import CentralDB
from .ingest import NIK_PROBE_LIMIT
from .transport import HEADER_TIMEOUT, with_header_timeout

__all__ = ["CentralServer"]

STARTUP_TIMEOUT = 15.0
SHUTDOWN_TIMEOUT = 15.0


class _Server(uvicorn.Server):
    """uvicorn.Server that tells a waiting thread when it is ready (or has given up)."""

    def __init__(self, config: uvicorn.Config, ready: threading.Event) -> None:
        super().__init__(config)
        self._ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets=sockets)
        finally:
            self._ready.set()


class CentralServer:
    """The centre on 127.0.0.1 and a free port, served by uvicorn on its own thread."""

    def __init__(
        self,
        db_url: str,
        *,
        max_in_flight: int = 64,
        today: Callable[[], date] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        body_timeout: float = BODY_TIMEOUT,
        body_idle_timeout: float = BODY_IDLE_TIMEOUT,
        header_timeout: float = HEADER_TIMEOUT,
        nik_probe_limit: int = NIK_PROBE_LIMIT,
        silent_after: float = DEFAULT_SILENT_AFTER,
    ) -> None:
        """``header_timeout``: seconds a connection has to send a request's headers;
        ``body_timeout`` / ``body_idle_timeout``: see :func:`create_app`."""
        self.db_url = db_url
        self._http = with_header_timeout(header_timeout)
        self.app = create_app(
            db_url,
            max_in_flight=max_in_flight,
            today=today,
            body_timeout=body_timeout,
            body_idle_timeout=body_idle_timeout,
            nik_probe_limit=nik_probe_limit,
            silent_after=silent_after,
        )
        self._host = host
        self._requested_port = port
        self._db = CentralDB(db_url)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:41234`` (no trailing slash)."""
        if not self.port:
            raise RuntimeError("server not started")
        return f"http://{self._host}:{self.port}"

    @property
    def state(self) -> CentralState:
        state: CentralState = self.app.state.central
        return state

    @property
    def draining(self) -> bool:
        return self.state.draining

    @draining.setter
    def draining(self, value: bool) -> None:
        """When set, batches and health answer 503 with Retry-After (simulated drain)."""
        self.state.draining = value

    def start(self) -> CentralServer:
        if self._thread is not None:
            raise RuntimeError("already started")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # A restart binds the port it had before, so clients can keep their URL.
        sock.bind((self._host, self.port or self._requested_port))
        sock.listen(128)
        self._socket = sock
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_config=None,
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=2,
            timeout_keep_alive=30,
            http=self._http,
        )
        ready = threading.Event()
        server = _Server(config, ready)
        self._server = server
        self._thread = threading.Thread(
            target=self._serve, args=(server, sock, ready), name="central-server", daemon=True
        )
        self._thread.start()
        if not ready.wait(STARTUP_TIMEOUT) or not server.started:
            self.stop()
            raise RuntimeError("central server did not start")
        return self

    @staticmethod
    def _serve(server: _Server, sock: socket.socket, ready: threading.Event) -> None:
        try:
            server.run(sockets=[sock])
        finally:
            ready.set()

    def stop(self) -> None:
        """Stop serving (idempotent); waits for the server thread to end."""
        server, thread = self._server, self._thread
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(SHUTDOWN_TIMEOUT)
            if thread.is_alive():
                assert server is not None
                server.force_exit = True
                thread.join(SHUTDOWN_TIMEOUT)
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        self._server = None
        self._thread = None
        self._db.dispose()

    def add_station(self, station_id: str) -> str:
        """Create (or rotate) a station; returns its bearer token."""
        token, _rotated = self._db.add_station(station_id)
        return token

    def centre_key(self) -> str:
        """The centre key line (``central centre-key``): what a station's ``centre-key`` is."""
        from .identity import centre_identity

        return str(centre_identity(self._db).public)

    def stats(self) -> dict[str, Any]:
        return self._db.stats()

    def __enter__(self) -> CentralServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
