"""The reference centre's stand-in for the national pipeline after the parts (not AFIS).

In the national system a recorded resident goes *received* (the biodata) → *verified* (every
biometric part whole) → AFIS's 1:N search → *print-ready*, or *duplicate* (the fingerprints
are already enrolled under another NIK) or *adjudication* (examined by hand). The reference
centre mirrors those steps so that the whole chain runs on one machine, with rules simple
enough to test and clearly not a biometric matcher:

- **duplicate**: one of the entry's fingerprint images has the same sha256 as a fingerprint
  image of another entry already enrolled (decided; the centre holds one entry per NIK, so
  another entry is another NIK) — a copied or re-used scan, the one "match" a hash can see.
  The first one decided stands; the later one is the duplicate;
- **adjudication**: fewer than ``MIN_FINGERS`` fingerprints captured (the rest excepted:
  missing, injured, unreadable) — too little for a 1:N search;
- **print-ready** otherwise.

The station asks with ``POST /v1/enrolments`` once its biodata and every captured part are
verified, naming what was captured (part → sha256) and what was excepted (part → reason). The
decision is taken once and kept: asking again (a station that crashed before it stored the
reply) gets the same answer; ``GET /v1/enrolments/{entry_id}`` reads it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Request, Response
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from ..domain.biometrics import EXCEPTABLE, EXCEPTION_REASONS, FINGERS, PARTS, reasons_for
from ..sync.protocol import PROTOCOL_VERSION, EnrolmentReply, EnrolmentRequest
from .db import CentralDB, as_utc, enrolments, registrations, uploads
from .transport import StationGate

__all__ = ["ENROLMENTS_PATH", "MIN_FINGERS", "Decision", "EnrolmentStore", "install_enrolments"]

ENROLMENTS_PATH = "/v1/enrolments"
MIN_FINGERS = 4
MAX_BODY = 16 * 1024


@dataclass(frozen=True)
class Decision:
    entry_id: str
    status: str
    reason: str | None
    decided_at: datetime

    def reply(self) -> EnrolmentReply:
        return EnrolmentReply(
            protocol=PROTOCOL_VERSION,
            entry_id=self.entry_id,
            status=self.status,  # type: ignore[arg-type]  # one of ENROLMENT_STATUSES
            reason=self.reason,
            decided_at=self.decided_at,
        )


def manifest_problem(parts: Mapping[str, str], exceptions: Mapping[str, str]) -> str | None:
    """Why this list of parts is not a whole recording (a message), or None."""
    unknown = sorted((set(parts) | set(exceptions)) - set(PARTS))
    if unknown:
        return f"Bagian tidak dikenal: {', '.join(unknown)[:200]}."
    both = sorted(set(parts) & set(exceptions))
    if both:
        return f"Bagian sekaligus diambil dan dikecualikan: {', '.join(both)}."
    missing = [p for p in PARTS if p not in parts and p not in exceptions]
    if missing:
        return f"Perekaman belum lengkap: {', '.join(missing)}."
    not_exceptable = sorted(p for p in exceptions if p not in EXCEPTABLE)
    if not_exceptable:
        return f"Bagian ini tidak bisa dikecualikan: {', '.join(not_exceptable)}."
    if any(reason not in EXCEPTION_REASONS for reason in exceptions.values()):
        return f"Alasan pengecualian harus salah satu dari: {', '.join(EXCEPTION_REASONS)}."
    wrong = sorted(part for part, reason in exceptions.items() if reason not in reasons_for(part))
    if wrong:
        return f"Alasan pengecualian tidak berlaku untuk: {', '.join(wrong)}."
    return None


def _manifest_hash(parts: Mapping[str, str], exceptions: Mapping[str, str]) -> str:
    text = json.dumps([sorted(parts.items()), sorted(exceptions.items())], separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EnrolmentStore:
    def __init__(self, db: CentralDB) -> None:
        self.db = db

    def get(self, station_id: str, entry_id: str) -> Decision | None:
        with self.db.engine.connect() as conn:
            row = conn.execute(
                sa.select(enrolments).where(
                    enrolments.c.entry_id == entry_id, enrolments.c.station_id == station_id
                )
            ).first()
        return None if row is None else self._decision(row)

    @staticmethod
    def _decision(row: Any) -> Decision:
        decided = as_utc(row.decided_at)
        assert decided is not None
        return Decision(row.entry_id, row.status, row.reason, decided)

    def submit(
        self,
        station_id: str,
        entry_id: str,
        parts: Mapping[str, str],
        exceptions: Mapping[str, str],
    ) -> Decision | tuple[str, str]:
        """The decision on this entry (taken now, or the one taken before); or why not, as
        (code, message): "entry_unknown", "parts_not_verified", "manifest_changed"."""
        wanted = _manifest_hash(parts, exceptions)
        with self.db.engine.begin() as conn:
            owner = conn.execute(
                sa.select(registrations.c.station_id).where(registrations.c.entry_id == entry_id)
            ).scalar()
            if owner != station_id:
                return "entry_unknown", "Biodata entri ini belum diterima pusat."
            before = conn.execute(
                sa.select(enrolments).where(enrolments.c.entry_id == entry_id)
            ).first()
            if before is not None:
                if before.manifest_hash != wanted:
                    return (
                        "manifest_changed",
                        "Pusat sudah memutuskan entri ini dengan bagian lain.",
                    )
                return self._decision(before)
            held = {
                row.part: row.sha256
                for row in conn.execute(
                    sa.select(uploads.c.part, uploads.c.sha256).where(
                        uploads.c.entry_id == entry_id, uploads.c.verified_at.is_not(None)
                    )
                )
            }
            short = sorted(p for p, sha in parts.items() if held.get(p) != sha)
            if short:
                return (
                    "parts_not_verified",
                    f"Bagian belum diterima utuh di pusat: {', '.join(short)}.",
                )
            status, reason = self._decide(conn, entry_id, parts)
            decision = Decision(entry_id, status, reason, datetime.now(UTC))
            try:
                with conn.begin_nested():
                    conn.execute(
                        sa.insert(enrolments).values(
                            entry_id=entry_id,
                            station_id=station_id,
                            manifest_hash=wanted,
                            status=status,
                            reason=reason,
                            decided_at=self.db.db_time(decision.decided_at),
                        )
                    )
            except IntegrityError:
                # another worker decided it at the same moment: theirs stands
                row = conn.execute(
                    sa.select(enrolments).where(enrolments.c.entry_id == entry_id)
                ).one()
                return self._decision(row)
        return decision

    @staticmethod
    def _decide(
        conn: sa.Connection, entry_id: str, parts: Mapping[str, str]
    ) -> tuple[str, str | None]:
        fingers = [sha for part, sha in parts.items() if part in FINGERS]
        if fingers:
            match = conn.execute(
                sa.select(uploads.c.entry_id)
                .join(enrolments, enrolments.c.entry_id == uploads.c.entry_id)
                .where(
                    uploads.c.sha256.in_(fingers),
                    uploads.c.part.in_(FINGERS),
                    uploads.c.entry_id != entry_id,
                    uploads.c.verified_at.is_not(None),
                )
                .limit(1)
            ).first()
            if match is not None:
                return "duplicate", "fingerprint_enrolled"
        if len(fingers) < MIN_FINGERS:
            return "adjudication", "few_fingerprints"
        return "print_ready", None


def install_enrolments(app: FastAPI, store: EnrolmentStore, gate: StationGate) -> None:
    """``POST /v1/enrolments`` and ``GET /v1/enrolments/{entry_id}`` on ``app``; the body
    within the centre's deadlines (408), at most MAX_BODY bytes (413)."""
    error = gate.error

    @app.post(
        ENROLMENTS_PATH,
        response_model=EnrolmentReply,
        summary="Submit a recorded entry to the pipeline stand-in (print-ready or not)",
    )
    async def submit(request: Request) -> Any:
        station = await gate.station(request)
        if isinstance(station, Response):
            return station
        body = await gate.body(request, MAX_BODY)
        if isinstance(body, Response):
            return body
        try:
            wanted = EnrolmentRequest.model_validate_json(body)
        except ValidationError:
            return error(400, "invalid_enrolment", "Isi permintaan pendaftaran tidak sah.")
        problem = manifest_problem(wanted.parts, wanted.exceptions)
        if problem is not None:
            return error(422, "incomplete_enrolment", problem)
        decided = await run_in_threadpool(
            store.submit, station, wanted.entry_id, wanted.parts, wanted.exceptions
        )
        if isinstance(decided, tuple):
            code, message = decided
            return error(409, code, message)
        return decided.reply()

    @app.get(
        ENROLMENTS_PATH + "/{entry_id}",
        response_model=EnrolmentReply,
        summary="The pipeline stand-in's decision on an entry",
    )
    async def read(entry_id: str, request: Request) -> Any:
        station = await gate.station(request)
        if isinstance(station, Response):
            return station
        decided = (
            await run_in_threadpool(store.get, station, entry_id.lower())
            if len(entry_id) == 36
            else None
        )
        if decided is None:
            return error(404, "enrolment_unknown", "Pusat belum memutuskan entri ini.")
        return decided.reply()
