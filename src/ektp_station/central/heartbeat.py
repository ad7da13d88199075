"""``POST /v1/heartbeat``: a station says what it has left to deliver, now.

A batch carries the station's backlog as it was *before* the batch (the entries in it
included), so after the last batch the centre would keep showing "1 waiting" for a station
that has nothing left. When its engine falls idle with a backlog other than the last one it
told, the station sends this small request: the centre updates the station's last-seen time,
backlog and clock skew exactly as a batch does, and answers with its time. Same token, body
deadlines and limits as the other requests; nothing else is written.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from ..sync.protocol import PROTOCOL_VERSION, HeartbeatReply, HeartbeatRequest
from .db import CentralDB
from .transport import StationGate

__all__ = ["HEARTBEAT_PATH", "install_heartbeat"]

HEARTBEAT_PATH = "/v1/heartbeat"
MAX_BODY = 4 * 1024


def install_heartbeat(app: FastAPI, db: CentralDB, gate: StationGate) -> None:
    @app.post(
        HEARTBEAT_PATH,
        response_model=HeartbeatReply,
        summary="A station's backlog as it is now (after its last batch)",
    )
    async def heartbeat(request: Request) -> Any:
        station = await gate.station(request)
        if isinstance(station, Response):
            return station
        body = await gate.body(request, MAX_BODY)
        if isinstance(body, Response):
            return body
        error = gate.error
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
