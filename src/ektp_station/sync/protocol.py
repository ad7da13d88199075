"""The wire protocol between a station and the centre, shared by both sides.

The models here are the single definition of the JSON on the wire: the station builds
``BatchRequest`` and reads ``BatchReply``; the reference centre (``ektp_station.central``)
parses the one and answers the other, and its OpenAPI description is generated from them.
See ``docs/protocol.md`` for the prose.

Errors (defined in ``ektp_station.errors``, the one tree)::

    WireError                   anything wrong with what came back over the wire
     └── ProtocolError          a reply that is not this protocol's JSON (transient for the station)
          ├── NotProtocolJSON   wrong content type (captive-portal HTML), truncated or bad JSON
          ├── ProtocolVersionError   a "protocol" other than PROTOCOL_VERSION
          └── ResultsMismatch   results that do not answer exactly the ids that were sent
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import math
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Final, Literal, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)

from ektp_station.domain import normalise
from ektp_station.errors import (
    NotProtocolJSON,
    ProtocolError,
    ProtocolVersionError,
    ResultsMismatch,
    WireError,
)

__all__ = [
    "MAX_BATCH_ENTRIES",
    "MAX_BODY_BYTES",
    "PROTOCOL_VERSION",
    "Backlog",
    "BatchEntry",
    "BatchReply",
    "BatchRequest",
    "ConflictKind",
    "EntryResult",
    "EntryStatus",
    "ErrorBody",
    "ErrorReply",
    "FieldError",
    "Health",
    "NotProtocolJSON",
    "ProtocolError",
    "ProtocolVersionError",
    "ResultsMismatch",
    "WireError",
    "canonical_entry_id",
    "content_hash",
    "parse_batch_reply",
    "parse_error_reply",
    "parse_health",
    "parse_retry_after",
]

PROTOCOL_VERSION: Final = 1
MAX_BATCH_ENTRIES: Final = 500
MAX_BODY_BYTES: Final = 4 * 1024 * 1024

EntryStatus = Literal["accepted", "already_accepted", "rejected", "conflict"]
ConflictKind = Literal["nik_recorded", "id_reused"]


# -- field types ---------------------------------------------------------------------------


def _strict_protocol(value: object) -> object:
    # Literal[1] alone would also take true and 1.0.
    if type(value) is not int or value != PROTOCOL_VERSION:
        raise ValueError(f"protocol must be the integer {PROTOCOL_VERSION}")
    return value


def canonical_entry_id(value: str) -> str:
    """The canonical (lower-case, hyphenated) form of a UUID string; ValueError if not one."""
    return str(uuid.UUID(value))


def _entry_id(value: object) -> object:
    if not isinstance(value, str) or len(value) > 64:
        raise ValueError("entry_id must be a UUID string")
    return canonical_entry_id(value)


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


ProtocolField = Annotated[Literal[1], BeforeValidator(_strict_protocol)]
EntryId = Annotated[str, BeforeValidator(_entry_id)]
AwareUtc = Annotated[AwareDatetime, AfterValidator(_utc)]
"""An ISO-8601 datetime with an offset (naive ones are refused), normalised to UTC."""
ShortStr = Annotated[StrictStr, Field(min_length=1, max_length=64)]
RecordValue = Annotated[StrictStr, Field(max_length=1000)] | None


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


# -- request -------------------------------------------------------------------------------


class Backlog(_Model):
    """What the station still has to deliver, as the station sees it."""

    pending: Annotated[StrictInt, Field(ge=0)]
    oldest_unsynced_at: AwareUtc | None = None


class BatchEntry(_Model):
    """One registration as sent: ``entry_id`` is its idempotency key for life."""

    entry_id: EntryId
    seq: StrictInt
    operator: ShortStr
    captured_at: AwareUtc
    record: Annotated[dict[StrictStr, RecordValue], Field(max_length=64)]


class BatchRequest(_Model):
    """Body of ``POST /v1/batches``."""

    protocol: ProtocolField = PROTOCOL_VERSION
    station_id: ShortStr
    station_time: AwareUtc
    backlog: Backlog
    entries: Annotated[list[BatchEntry], Field(min_length=1, max_length=MAX_BATCH_ENTRIES)]

    @model_validator(mode="after")
    def _unique_entry_ids(self) -> BatchRequest:
        counts = Counter(e.entry_id for e in self.entries)
        if any(n > 1 for n in counts.values()):
            raise ValueError("entry_id must be unique within a batch")
        return self


# -- replies -------------------------------------------------------------------------------


class FieldError(_Model):
    """One validation error of a rejected entry (codes as in ``domain.validate``)."""

    field: str
    code: str
    message: str


class EntryResult(_Model):
    """The centre's answer for one entry."""

    entry_id: EntryId
    status: EntryStatus
    reference: str | None = None
    errors: list[FieldError] = Field(default_factory=list)
    conflict: ConflictKind | None = None

    @model_validator(mode="after")
    def _consistent(self) -> EntryResult:
        if self.status in ("accepted", "already_accepted") and not self.reference:
            raise ValueError(f"{self.status} needs a reference")
        if self.status == "conflict" and self.conflict is None:
            raise ValueError("conflict needs a conflict kind")
        if self.status == "rejected" and not self.errors:
            raise ValueError("rejected needs errors")
        return self


class BatchReply(_Model):
    """Body of a 200 reply to ``POST /v1/batches``: one result per entry sent."""

    protocol: ProtocolField = PROTOCOL_VERSION
    server_time: AwareUtc
    results: list[EntryResult]


class Health(_Model):
    """Body of ``GET /v1/health``."""

    protocol: ProtocolField = PROTOCOL_VERSION
    status: Literal["ok"] = "ok"
    server_time: AwareUtc


class ErrorBody(_Model):
    code: str
    message: str


class ErrorReply(_Model):
    """Body of every non-200 reply."""

    protocol: ProtocolField = PROTOCOL_VERSION
    error: ErrorBody


# -- content hash --------------------------------------------------------------------------


def content_hash(
    *,
    station_id: str,
    operator: str,
    captured_at: datetime,
    record: Mapping[str, object],
    normalised: bool = False,
) -> str:
    """The hash that decides "same content" for an entry id (sha256, lower-case hex).

    ``normalised=True``: ``record`` is already ``normalise(...)``'s output.

    Over the UTF-8 of the compact, key-sorted JSON object::

        {"captured_at": "YYYY-MM-DDTHH:MM:SS.ffffffZ",   # in UTC, always 6 decimals
         "operator": ..., "record": normalise(record), "station_id": ...}

    ``normalise`` is ``ektp_station.domain.normalise``, so spelling variants that normalise
    alike hash alike.
    """
    if captured_at.tzinfo is None:
        raise ValueError("captured_at must be timezone-aware")
    canonical = {
        "captured_at": captured_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "operator": operator,
        "record": dict(record) if normalised else normalise(record),
        "station_id": station_id,
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- station-side parsing ------------------------------------------------------------------


def _is_json_type(content_type: str | None) -> bool:
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _load(body: bytes, content_type: str | None) -> dict[str, Any]:
    if not _is_json_type(content_type):
        raise NotProtocolJSON(
            f"expected application/json, got {content_type or 'no content type'!r}"
        )
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotProtocolJSON(f"reply is not valid JSON ({len(body)} bytes)") from exc
    if not isinstance(data, dict):
        raise NotProtocolJSON("reply is not a JSON object")
    if data.get("protocol") != PROTOCOL_VERSION or type(data.get("protocol")) is not int:
        raise ProtocolVersionError(f"reply protocol {data.get('protocol')!r}, expected 1")
    return data


_M = TypeVar("_M", bound=BaseModel)


def _validate(model: type[_M], data: dict[str, Any]) -> _M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        where = sorted({".".join(str(p) for p in err["loc"]) for err in exc.errors()})[:5]
        raise NotProtocolJSON(
            f"reply does not match {model.__name__} at {', '.join(where)}"
        ) from exc


def parse_batch_reply(body: bytes, content_type: str | None, sent_ids: Sequence[str]) -> BatchReply:
    """Parse a 200 reply to a batch; raise ProtocolError unless it answers exactly ``sent_ids``."""
    reply = _validate(BatchReply, _load(body, content_type))
    try:
        wanted = Counter(canonical_entry_id(i) for i in sent_ids)
    except ValueError as exc:
        raise ValueError("sent_ids must be UUID strings") from exc
    got = Counter(r.entry_id for r in reply.results)
    if got != wanted:
        missing = sum((wanted - got).values())
        extra = sum((got - wanted).values())
        raise ResultsMismatch(
            f"results do not match the batch: {missing} missing, {extra} extra or duplicated"
        )
    return reply


def parse_health(body: bytes, content_type: str | None) -> Health:
    """Parse a 200 reply to ``GET /v1/health``; ProtocolError if it is not one."""
    return _validate(Health, _load(body, content_type))


def parse_error_reply(body: bytes, content_type: str | None) -> ErrorReply | None:
    """The protocol error body of a non-200 reply, or None when it is something else."""
    try:
        return _validate(ErrorReply, _load(body, content_type))
    except ProtocolError:
        return None


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent
    or unreadable. Never negative."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now if now is not None else datetime.now(UTC)
    return max((when - current).total_seconds(), 0.0)
