"""``POST /v1/heartbeat``: a station says what it has left to deliver, now.

A batch carries the station's backlog as it was *before* the batch (the entries in it
included), so after the last batch the centre would keep showing "1 waiting" for a station
that has nothing left. When its engine falls idle with a backlog other than the last one it
told, the station sends this small request: the centre updates the station's last-seen time,
backlog and clock skew exactly as a batch does, and answers with its time. Same token, body
deadlines and limits as the other requests; nothing else is written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from ..sync.protocol import PROTOCOL_VERSION, HeartbeatReply, HeartbeatRequest
from .db import CentralDB
from .transport import BodyTimeout, read_body
from .uploads import Authenticate, ErrorReply

__all__ = ["HEARTBEAT_PATH", "install_heartbeat"]

HEARTBEAT_PATH = "/v1/heartbeat"
MAX_BODY = 4 * 1024


def install_heartbeat(
    app: FastAPI,
    db: CentralDB,
    authenticate: Authenticate,
    error: ErrorReply,
    *,
    body_timeout: float,
    idle_timeout: float,
    draining: Callable[[], bool] = lambda: False,
    retry_after: int = 5,
) -> None:
    @app.post(
        HEARTBEAT_PATH,
        response_model=HeartbeatReply,
        summary="A station's backlog as it is now (after its last batch)",
    )
    async def heartbeat(request: Request) -> Any:
        if draining():
            return error(503, "draining", "Server sedang berhenti.", retry_after=retry_after)
        station = await authenticate(request)
        if isinstance(station, Response):
            return station
        try:
            body = await read_body(request, body_timeout, idle_timeout, limit=MAX_BODY)
        except BodyTimeout:
            return error(
                408, "request_timeout", "Isi permintaan tidak diterima tepat waktu.", close=True
            )
        except ClientDisconnect:
            return error(400, "client_disconnected", "Koneksi terputus sebelum isi lengkap.")
        if body is None:
            return error(413, "too_large", f"Body melebihi {MAX_BODY} byte.", close=True)
        try:
            beat = HeartbeatRequest.model_validate_json(body)
        except ValidationError:
            return error(400, "invalid_heartbeat", "Isi laporan stasiun tidak sah.")
        if beat.station_id != station:
            return error(403, "wrong_station", "Token ini bukan milik stasiun yang disebut.")
        now = datetime.now(UTC)
        await run_in_threadpool(
            db.record_backlog,
            station,
            now,
            beat.backlog.pending,
            beat.backlog.oldest_unsynced_at,
            (beat.station_time - now).total_seconds(),
        )
        return HeartbeatReply(protocol=PROTOCOL_VERSION, server_time=now)
