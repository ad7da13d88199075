"""From the wire to the queue: building batch entries and reading the centre's results."""

from __future__ import annotations

from pydantic import ValidationError

from ..store import Entry, Outcome, State
from .errors import SyncError
from .protocol import BatchEntry, EntryResult

__all__ = ["outcome_of", "refused_locally", "to_wire"]


def to_wire(entries: list[Entry]) -> tuple[list[BatchEntry], list[Outcome]]:
    wire: list[BatchEntry] = []
    local: list[Outcome] = []
    for e in entries:
        try:
            wire.append(
                BatchEntry(
                    entry_id=e.entry_id,
                    seq=e.seq,
                    operator=e.operator,
                    captured_at=e.captured_at,
                    record=e.record,
                    revision=e.revision,
                )
            )
        except ValidationError as exc:
            where = sorted({str(err["loc"][0]) for err in exc.errors() if err["loc"]})
            local.append(
                Outcome(
                    e.entry_id,
                    State.REJECTED,
                    errors=tuple(
                        {
                            "field": w,
                            "code": "wire_format",
                            "message": "Data tidak dapat dikirim dalam format protokol; perbaiki isiannya.",
                        }
                        for w in where or ["record"]
                    ),
                    last_error="entry does not fit the protocol",
                )
            )
    return wire, local


def refused_locally(entry_id: str, exc: SyncError) -> Outcome:
    return Outcome(
        entry_id,
        State.REJECTED,
        errors=(
            {
                "field": "",
                "code": "request_rejected",
                "message": "Pusat tidak dapat membaca entri ini; periksa isiannya lalu kirim ulang.",
            },
        ),
        last_error=str(exc),
    )


_CONFLICT_TEXT = {
    "nik_recorded": ("nik", "NIK ini sudah direkam di pusat oleh entri lain."),
    "id_reused": ("", "ID entri ini sudah dipakai di pusat untuk data yang berbeda."),
}


def outcome_of(result: EntryResult) -> Outcome:
    if result.status in ("accepted", "already_accepted"):
        return Outcome(result.entry_id, State.SYNCED, server_ref=result.reference)
    if result.status == "rejected":
        errors = tuple(
            {"field": e.field, "code": e.code, "message": e.message} for e in result.errors
        )
        return Outcome(
            result.entry_id, State.REJECTED, errors=errors, last_error="rejected by the centre"
        )
    kind = result.conflict or "nik_recorded"
    field, text = _CONFLICT_TEXT.get(kind, ("", kind))
    error: dict[str, str] = {"field": field, "code": kind, "message": text}
    if result.holder is not None:  # who has it: the supervisor's next call
        when = result.holder.captured_at.astimezone().strftime("%d-%m-%Y %H:%M")
        error["message"] = f"{text[:-1]} (stasiun {result.holder.station_id}, direkam {when})."
        error["holder_station"] = result.holder.station_id
        error["holder_captured_at"] = result.holder.captured_at.isoformat()
    return Outcome(
        result.entry_id,
        State.CONFLICT,
        errors=(error,),
        last_error=f"conflict: {kind}",
    )
