"""The reference centre as a FastAPI (ASGI) application: ``create_app(db_url)``.

Order of checks for ``POST /v1/batches`` (cheapest first, so that a bad request costs little):
draining/overload (503) -> declared Content-Length (413) -> Content-Type (415) -> too many
failed authentications from this client address (429) -> bearer token (401) -> this station
already has a batch in flight in this process (429) -> read the body within its deadlines
(408), counting bytes (413) -> JSON and schema (400) -> station id matches the token (403)
-> ingest (200).

Batches of every version in ``SUPPORTED_PROTOCOLS`` are taken and answered in their own
version (a version-1 station gets version-1 replies); health and error bodies say
``"protocol": 1``, a shape every station reads, and health lists the versions taken.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from ektp_station.sync.protocol import (
    MAX_BODY_BYTES,
    PROTOCOL_VERSION,
    SUPPORTED_PROTOCOLS,
    BatchReply,
    BatchRequest,
    ErrorBody,
    ErrorReply,
    Health,
)

from .admission import Admission
from .auth import AUTH_FAILURE_WINDOW, AUTH_MAX_FAILURES, AuthFailures
from .dashboard import install_dashboard
from .dashboard_data import DEFAULT_SILENT_AFTER
from .db import CentralDB
from .enrolments import EnrolmentStore, install_enrolments
from .fastpaths import FastPaths
from .heartbeat import install_heartbeat
from .ingest import NIK_PROBE_LIMIT, Ingestor, StationBusy
from .openapi import ERROR_RESPONSES, install_openapi, request_body_openapi
from .transport import BodyTimeout, StationGate, read_body
from .uploads import UploadStore, install_uploads

__all__ = [
    "DB_URL_ENV",
    "CentralState",
    "app_from_env",
    "create_app",
    "error_response",
    "shed_retry_after",
]

log = logging.getLogger(__name__)

DB_URL_ENV = "EKTP_CENTRAL_DB"
RETRY_AFTER_BUSY = 2
RETRY_AFTER_OVERLOADED = 5
BODY_TIMEOUT = 30.0
"""Seconds a request body may take to arrive in full (408 after that)."""
BODY_IDLE_TIMEOUT = 10.0
"""Seconds a request body may pause between two chunks (408 after that)."""


@dataclass
class CentralState:
    """Per-process state of one app (lives on ``app.state.central``)."""

    db: CentralDB
    ingestor: Ingestor
    max_in_flight: int
    body_timeout: float = BODY_TIMEOUT
    body_idle_timeout: float = BODY_IDLE_TIMEOUT
    auth_failures: AuthFailures = field(
        default_factory=lambda: AuthFailures(AUTH_MAX_FAILURES, AUTH_FAILURE_WINDOW)
    )
    in_flight: int = 0
    stations_in_flight: set[str] = field(default_factory=set)
    # the bound on batches in flight below max_in_flight, and the ingest threads
    admission: Admission = field(default_factory=Admission)
    draining: bool = False


def shed_retry_after() -> int:
    """Retry-After for a request shed under load: RETRY_AFTER_BUSY to three times it,
    drawn anew for each (jitter), so a herd does not return as one."""
    return random.randint(RETRY_AFTER_BUSY, 3 * RETRY_AFTER_BUSY)


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    retry_after: int | None = None,
    close: bool = False,
) -> JSONResponse:
    """A non-200 reply in the protocol's error shape; ``close`` ends the connection after it
    (the request body was not read to its end)."""
    body = ErrorReply(error=ErrorBody(code=code, message=message)).model_dump(mode="json")
    headers: dict[str, str] = {}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    if close:
        headers["Connection"] = "close"
    return JSONResponse(body, status_code=status, headers=headers or None)


def _schema_message(exc: ValidationError | RequestValidationError) -> tuple[str, str]:
    """(code, message) for a schema error; never echoes the values sent."""
    errors = exc.errors()
    if any(err.get("type") == "json_invalid" for err in errors):
        return "bad_json", "Body bukan JSON yang sah."
    if any(tuple(err.get("loc", ()))[-1:] == ("protocol",) for err in errors):
        versions = " atau ".join(str(v) for v in SUPPORTED_PROTOCOLS)
        return "unsupported_protocol", f"Versi protokol tidak didukung (harus {versions})."
    where = []
    for err in errors[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "(body)"
        where.append(f"{loc}: {err.get('msg', 'invalid')}")
    return "invalid_request", "Isi permintaan tidak sesuai skema: " + "; ".join(where)


def create_app(
    db_url: str,
    *,
    max_in_flight: int = 64,
    today: Callable[[], date] | None = None,
    create_schema: bool = True,
    body_timeout: float = BODY_TIMEOUT,
    body_idle_timeout: float = BODY_IDLE_TIMEOUT,
    auth_max_failures: int = AUTH_MAX_FAILURES,
    auth_failure_window: float = AUTH_FAILURE_WINDOW,
    nik_probe_limit: int = NIK_PROBE_LIMIT,
    upload_dir: Path | None = None,
    silent_after: float = DEFAULT_SILENT_AFTER,
) -> FastAPI:
    """The centre's ASGI app over ``db_url`` (SQLite or ``postgresql+psycopg://``).

    ``today`` overrides the server's date for validation (tests); ``create_schema=False``
    when the tables are known to exist (several workers on one PostgreSQL database).
    A request body must arrive within ``body_timeout`` seconds in total, with no pause
    longer than ``body_idle_timeout`` seconds between chunks, else the answer is 408.
    A client address with ``auth_max_failures`` failed authentications within
    ``auth_failure_window`` seconds is answered 429 until the window has moved on. A station
    that got more than ``nik_probe_limit`` "NIK recorded by another entry" answers in the
    current hour is answered 429 ``nik_probe_limit`` until that hour is over. Biometric
    parts' bytes go under ``upload_dir`` (default: :func:`default_upload_dir`), one folder
    every worker of the centre shares. The dashboard marks a station silent after
    ``silent_after`` seconds without a word from it.
    """
    if body_timeout <= 0 or body_idle_timeout <= 0:
        raise ValueError("body timeouts must be positive")
    db = CentralDB(db_url)
    if create_schema:
        db.create_schema()
    state = CentralState(
        db=db,
        ingestor=Ingestor(db, today=today, nik_probe_limit=nik_probe_limit),
        max_in_flight=max_in_flight,
        body_timeout=body_timeout,
        body_idle_timeout=body_idle_timeout,
        auth_failures=AuthFailures(auth_max_failures, auth_failure_window),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        state.draining = False
        yield
        state.draining = True
        db.dispose()

    app = FastAPI(
        title="ektp-station reference centre",
        version=str(PROTOCOL_VERSION),
        description="Reference implementation of the centre's side of the ektp-station "
        "protocol (see docs/protocol.md).",
        lifespan=lifespan,
    )
    app.state.central = state
    # health and the shed answered before the routing: what a herd asks for most
    app.add_middleware(FastPaths, state=state, retry_after=lambda: shed_retry_after())
    install_openapi(app)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed"}
        return error_response(
            exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail)
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        code, message = _schema_message(exc)
        return error_response(400, code, message)

    @app.exception_handler(SQLAlchemyError)
    async def _db_error(_request: Request, exc: SQLAlchemyError) -> JSONResponse:
        log.error("database error: %s", type(exc).__name__)
        return error_response(
            503,
            "database_unavailable",
            "Basis data pusat sedang tidak tersedia.",
            retry_after=RETRY_AFTER_OVERLOADED,
        )

    @app.exception_handler(Exception)
    async def _server_error(_request: Request, exc: Exception) -> JSONResponse:
        log.error("internal error: %s", type(exc).__name__)
        return error_response(500, "internal_error", "Kesalahan di server pusat.")

    @app.get("/v1/health", response_model=Health, responses={503: ERROR_RESPONSES[503]})
    async def health() -> Any:
        if state.draining:
            return error_response(
                503, "draining", "Server sedang berhenti.", retry_after=RETRY_AFTER_OVERLOADED
            )
        return Health(server_time=datetime.now(UTC), protocols=list(SUPPORTED_PROTOCOLS))

    @app.post(
        "/v1/batches",
        response_model=BatchReply,
        responses=ERROR_RESPONSES,
        openapi_extra=request_body_openapi(),
    )
    async def post_batch(request: Request) -> Any:
        if state.draining:
            return error_response(
                503, "draining", "Server sedang berhenti.", retry_after=RETRY_AFTER_OVERLOADED
            )
        if state.in_flight >= state.admission.bound(state.max_in_flight):
            # shed: the stations turned away come back spread over a few seconds, not all
            # at the same instant (a region's link returning sends hundreds at once)
            return error_response(
                503, "overloaded", "Server sedang sibuk.", retry_after=shed_retry_after()
            )
        # the slot is taken before the first await: a herd arriving together must not all
        # pass the check above before any of it holds a slot
        state.in_flight += 1
        try:
            return await _admitted(request)
        finally:
            state.in_flight -= 1

    async def _admitted(request: Request) -> Any:
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
            return error_response(
                413, "too_large", f"Body melebihi {MAX_BODY_BYTES} byte.", close=True
            )
        media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
        if media_type != "application/json":
            # read what was sent (bounded, briefly) before the reply closes the connection:
            # a socket closed with unread bytes is reset, and the client may lose the 415
            with contextlib.suppress(BodyTimeout, ClientDisconnect):
                await read_body(request, total=2.0, idle=1.0)
            return error_response(
                415,
                "unsupported_media_type",
                "Content-Type harus application/json.",
                close=True,
            )
        token_station = await _authenticate(request)
        if isinstance(token_station, JSONResponse):
            return token_station
        if token_station in state.stations_in_flight:
            return _busy()
        probe_wait = await run_in_threadpool(
            db.nik_probe_wait, token_station, state.ingestor.nik_probe_limit
        )
        if probe_wait is not None:
            return error_response(
                429,
                "nik_probe_limit",
                "Terlalu banyak NIK yang sudah direkam entri lain dari stasiun ini; "
                "pengiriman ditunda.",
                retry_after=max(1, math.ceil(probe_wait)),
            )
        state.stations_in_flight.add(token_station)
        # Released on every way out: a reply, a body deadline, a disconnect, an error.
        try:
            return await _handle_batch(request, token_station)
        except BodyTimeout:
            log.info("station %s: request body not received within its deadline", token_station)
            return error_response(
                408,
                "request_timeout",
                "Isi permintaan tidak diterima tepat waktu.",
                close=True,
            )
        except ClientDisconnect:
            log.info("station %s: client disconnected before its request body ended", token_station)
            return error_response(
                400, "client_disconnected", "Koneksi terputus sebelum isi permintaan lengkap."
            )
        finally:
            state.stations_in_flight.discard(token_station)

    async def _authenticate(request: Request) -> str | JSONResponse:
        """The station whose bearer token the request carries, or the refusal: 429 for an
        address that failed too often, 401 for no token or an unknown one."""
        address = request.client.host if request.client else "-"
        wait = state.auth_failures.retry_after(address)
        if wait is not None:
            return error_response(
                429,
                "too_many_auth_failures",
                "Terlalu banyak autentikasi gagal dari alamat ini; coba lagi nanti.",
                retry_after=max(1, math.ceil(wait)),
            )
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or len(token) > 256:
            _auth_failed(address, "no bearer token")
            return error_response(401, "unauthorized", "Token stasiun tidak ada.")
        token_station = await run_in_threadpool(db.authenticate, token)
        if token_station is None:
            _auth_failed(address, "unknown token")
            return error_response(401, "unauthorized", "Token stasiun tidak dikenal.")
        return token_station

    def _auth_failed(address: str, why: str) -> None:
        # Never the token: only the client's address and which check failed.
        failures = state.auth_failures
        count = failures.record(address)
        log.warning(
            "authentication failed from %s: %s (%d in the last %.0f s%s)",
            address,
            why,
            count,
            failures.window,
            "; further attempts refused for now" if count >= failures.limit else "",
        )

    def _busy() -> JSONResponse:
        return error_response(
            429,
            "batch_in_flight",
            "Batch sebelumnya dari stasiun ini masih diproses.",
            retry_after=1,
        )

    async def _handle_batch(request: Request, token_station: str) -> Any:
        body = await read_body(request, state.body_timeout, state.body_idle_timeout)
        if body is None:
            return error_response(
                413, "too_large", f"Body melebihi {MAX_BODY_BYTES} byte.", close=True
            )
        try:
            batch = BatchRequest.model_validate_json(body)
        except ValidationError as exc:
            code, message = _schema_message(exc)
            return error_response(400, code, message)
        if batch.station_id != token_station:
            log.warning("station %s sent a batch as another station", token_station)
            return error_response(
                403, "wrong_station", "Token ini bukan milik stasiun yang disebut di batch."
            )
        try:
            results = await state.admission.run(state.ingestor.ingest, token_station, batch)
        except StationBusy:
            # Another server process holds this station's lock (PostgreSQL, several workers).
            return _busy()
        return BatchReply(protocol=batch.protocol, server_time=datetime.now(UTC), results=results)

    # the other station requests (parts, decisions, heartbeats) pass the same first checks
    gate = StationGate(
        _authenticate,
        error_response,
        body_timeout=body_timeout,
        idle_timeout=body_idle_timeout,
        draining=lambda: state.draining,
        retry_after=RETRY_AFTER_OVERLOADED,
    )
    install_uploads(app, UploadStore(db, upload_dir or default_upload_dir(db_url)), gate)
    install_heartbeat(app, db, gate)
    install_enrolments(app, EnrolmentStore(db), gate)
    install_dashboard(app, db, gate, silent_after=silent_after)
    return app


UPLOAD_DIR_ENV = "EKTP_CENTRAL_UPLOADS"


def default_upload_dir(db_url: str) -> Path:
    """Where parts go when not said: ``EKTP_CENTRAL_UPLOADS``, else beside a SQLite file
    (``<file>.uploads``), else ``ektp-central-uploads`` in the working folder."""
    if os.environ.get(UPLOAD_DIR_ENV):
        return Path(os.environ[UPLOAD_DIR_ENV])
    prefix = "sqlite:///"
    if db_url.startswith(prefix) and db_url[len(prefix) :] not in ("", ":memory:"):
        database = Path(db_url[len(prefix) :])
        return database.with_name(database.name + ".uploads")
    return Path("ektp-central-uploads")


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` with several workers: the database URL comes from
    ``EKTP_CENTRAL_DB`` (the schema must already exist), ``central serve``'s other options
    from ``EKTP_CENTRAL_MAX_IN_FLIGHT`` and ``EKTP_CENTRAL_SILENT_AFTER`` when set."""
    env = os.environ
    return create_app(
        env[DB_URL_ENV],
        create_schema=False,
        max_in_flight=int(env.get("EKTP_CENTRAL_MAX_IN_FLIGHT", 64)),
        silent_after=float(env.get("EKTP_CENTRAL_SILENT_AFTER", DEFAULT_SILENT_AFTER)),
    )
