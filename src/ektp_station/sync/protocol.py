"""The wire protocol between a station and the centre, shared by both sides.

The models here are the single definition of the JSON on the wire: the station builds
``BatchRequest`` and reads ``BatchReply``; the reference centre (``ektp_station.central``)
parses the one and answers the other, and its OpenAPI description is generated from them.
See ``docs/protocol.md`` for the prose.

Versions: a station sends ``PROTOCOL_VERSION`` (2: entries carry a ``revision``); the centre
accepts every version in ``SUPPORTED_PROTOCOLS`` and answers a batch in the version it was
sent in, so version-1 stations keep working while stations are upgraded. Health and error
bodies did not change shape and say ``"protocol": 1`` (every station reads them).

Errors (defined in ``ektp_station.errors``, the one tree)::

    WireError                   anything wrong with what came back over the wire
     └── ProtocolError          a reply that is not this protocol's JSON (transient for the station)
          ├── NotProtocolJSON   wrong content type (captive-portal HTML), truncated or bad JSON
          ├── ProtocolVersionError   a "protocol" this station does not read
          └── ResultsMismatch   results that do not answer exactly the ids that were sent
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import math
import re
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
    "ENROLMENT_STATUSES",
    "MAX_BATCH_ENTRIES",
    "MAX_BODY_BYTES",
    "MAX_REVISION",
    "MAX_WIRE_INT",
    "MAX_WIRE_TIME",
    "MIN_WIRE_TIME",
    "PROTOCOL_VERSION",
    "SUPPORTED_PROTOCOLS",
    "Backlog",
    "BatchEntry",
    "BatchReply",
    "BatchRequest",
    "ConflictHolder",
    "ConflictKind",
    "EnrolmentReply",
    "EnrolmentRequest",
    "EntryResult",
    "EntryStatus",
    "ErrorBody",
    "ErrorReply",
    "FieldError",
    "Health",
    "HeartbeatReply",
    "HeartbeatRequest",
    "NotProtocolJSON",
    "ProtocolError",
    "ProtocolVersionError",
    "ResultsMismatch",
    "WireError",
    "canonical_entry_id",
    "content_hash",
    "parse_batch_reply",
    "parse_enrolment_reply",
    "parse_error_reply",
    "parse_health",
    "parse_retry_after",
]

PROTOCOL_VERSION: Final = 2
"""What a station of this code sends, and the only version ``parse_batch_reply`` accepts."""
SUPPORTED_PROTOCOLS: Final = (1, 2)
"""The versions the centre accepts (and answers in); health and error bodies say 1."""
MAX_REVISION: Final = 1_000_000
MAX_BATCH_ENTRIES: Final = 500
MAX_BODY_BYTES: Final = 4 * 1024 * 1024
MAX_WIRE_INT: Final = 2**31 - 1
"""Largest ``seq`` and ``backlog.pending`` taken (a signed 32-bit column on every database)."""
MIN_WIRE_TIME: Final = datetime(2000, 1, 1, tzinfo=UTC)
MAX_WIRE_TIME: Final = datetime(2100, 1, 1, tzinfo=UTC)
"""Every datetime on the wire lies in [MIN_WIRE_TIME, MAX_WIRE_TIME)."""

EntryStatus = Literal["accepted", "already_accepted", "rejected", "conflict"]
ConflictKind = Literal["nik_recorded", "id_reused"]


# -- field types ---------------------------------------------------------------------------


def _strict_protocol(value: object) -> object:
    # Literal[1, 2] alone would also take true and 1.0.
    if type(value) is not int or value not in SUPPORTED_PROTOCOLS:
        raise ValueError("protocol must be the integer 1 or 2")
    return value


def canonical_entry_id(value: str) -> str:
    """The canonical (lower-case, hyphenated) form of a UUID string; ValueError if not one."""
    return str(uuid.UUID(value))


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _entry_id(value: object) -> object:
    if not isinstance(value, str) or len(value) > 64:
        raise ValueError("entry_id must be a UUID string")
    if _CANONICAL_UUID.fullmatch(value):
        return value  # already what canonical_entry_id makes of it (what stations send)
    return canonical_entry_id(value)


_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})", re.ASCII
)


def _iso_string(value: object) -> object:
    # AwareDatetime alone also takes numbers (Unix time) and other spellings.
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATETIME.fullmatch(value):
        raise ValueError("must be an ISO-8601 datetime string with an offset")
    return value


def _utc(value: datetime) -> datetime:
    # The local year first: converting year 1 or 9999 with an offset would overflow.
    if not MIN_WIRE_TIME.year - 1 <= value.year <= MAX_WIRE_TIME.year:
        raise ValueError("datetime out of range (2000-01-01 .. 2100-01-01)")
    value = value.astimezone(UTC)
    if not MIN_WIRE_TIME <= value < MAX_WIRE_TIME:
        raise ValueError("datetime out of range (2000-01-01 .. 2100-01-01)")
    return value


ProtocolField = Annotated[Literal[1, 2], BeforeValidator(_strict_protocol)]
Revision = Annotated[StrictInt, Field(ge=1, le=MAX_REVISION)]
EntryId = Annotated[str, BeforeValidator(_entry_id)]
AwareUtc = Annotated[AwareDatetime, BeforeValidator(_iso_string), AfterValidator(_utc)]
"""An ISO-8601 string ``YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±HH:MM)`` (naive ones, numbers and
other spellings are refused; in Python a timezone-aware ``datetime``), in
[MIN_WIRE_TIME, MAX_WIRE_TIME), normalised to UTC."""
WireInt = Annotated[StrictInt, Field(ge=0, le=MAX_WIRE_INT)]
ShortStr = Annotated[StrictStr, Field(min_length=1, max_length=64)]
RecordValue = Annotated[StrictStr, Field(max_length=1000)] | None


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


# -- request -------------------------------------------------------------------------------


class Backlog(_Model):
    """What the station still has to deliver, as the station sees it."""

    pending: WireInt
    oldest_unsynced_at: AwareUtc | None = None


class BatchEntry(_Model):
    """One registration as sent.

    ``entry_id`` names the entry for life; ``revision`` is 1 at capture and +1 per correction
    at the station. Together, (``entry_id``, ``revision``) are the idempotency key: the centre
    stores the highest revision it accepted and keeps the ones it replaced as history.
    """

    entry_id: EntryId
    revision: Revision = 1
    seq: WireInt
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

    @model_validator(mode="before")
    @classmethod
    def _version_1_has_no_revisions(cls, data: Any) -> Any:
        """In a version-1 request every entry is revision 1, whatever ``revision`` it carries."""
        if not isinstance(data, dict) or type(data.get("protocol")) is not int:
            return data
        if data["protocol"] != 1 or not isinstance(data.get("entries"), list):
            return data
        entries = []
        for entry in data["entries"]:
            if isinstance(entry, dict):
                entry = {k: v for k, v in entry.items() if k != "revision"}
            elif isinstance(entry, BatchEntry) and entry.revision != 1:
                entry = entry.model_copy(update={"revision": 1})
            entries.append(entry)
        return {**data, "entries": entries}

    @model_validator(mode="after")
    def _unique_entry_ids(self) -> BatchRequest:
        # Also across revisions: a station sends only the revision it holds now.
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


class ConflictHolder(_Model):
    """Who holds the NIK of a ``nik_recorded`` conflict: the station and the capture time of
    the entry the centre keeps (no personal data: the asking station has the NIK already)."""

    station_id: ShortStr
    captured_at: AwareUtc


class EntryResult(_Model):
    """The centre's answer for one entry.

    ``revision`` (version 2, ``accepted`` and ``already_accepted``): the revision the centre
    holds for the entry now; higher than the one sent when a late copy of an older revision
    arrived after a correction. ``None`` in version-1 replies and for other statuses.
    """

    entry_id: EntryId
    status: EntryStatus
    reference: str | None = None
    errors: list[FieldError] = Field(default_factory=list)
    conflict: ConflictKind | None = None
    revision: Revision | None = None
    #: ``nik_recorded``: the entry that holds the NIK (optional: older centres leave it out)
    holder: ConflictHolder | None = None

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
    """Body of a 200 reply to ``POST /v1/batches``: one result per entry sent, in the
    request's protocol version."""

    protocol: ProtocolField = PROTOCOL_VERSION
    server_time: AwareUtc
    results: list[EntryResult]

    @model_validator(mode="after")
    def _revisions_in_version_2(self) -> BatchReply:
        if self.protocol >= 2:
            for result in self.results:
                if result.status in ("accepted", "already_accepted") and result.revision is None:
                    raise ValueError(f"{result.status} needs a revision in protocol 2")
        return self


def _one_only() -> list[int]:
    return [1]


class HeartbeatRequest(_Model):
    """Body of ``POST /v1/heartbeat``: what the station has left to deliver *now* (a batch
    says it before the batch is applied; this says it after, when the engine falls idle)."""

    protocol: ProtocolField = PROTOCOL_VERSION
    station_id: ShortStr
    station_time: AwareUtc
    backlog: Backlog


class HeartbeatReply(_Model):
    protocol: ProtocolField = PROTOCOL_VERSION
    server_time: AwareUtc


class Health(_Model):
    """Body of ``GET /v1/health``. ``protocol`` is 1 (the shape every station reads);
    ``protocols`` lists the batch versions the centre accepts (a centre older than version 2
    does not send it: it speaks version 1 only)."""

    protocol: ProtocolField = 1
    status: Literal["ok"] = "ok"
    server_time: AwareUtc
    protocols: Annotated[list[StrictInt], Field(min_length=1, max_length=16)] = Field(
        default_factory=_one_only
    )


class ErrorBody(_Model):
    code: str
    message: str


class ErrorReply(_Model):
    """Body of every non-200 reply (``protocol`` 1: the shape did not change in version 2)."""

    protocol: ProtocolField = 1
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
    """The hash that decides "same content" for an entry revision (sha256, lower-case hex).

    The revision is not part of it: the centre compares (entry id, revision, hash).

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


# -- the enrolment: the stand-in for the national pipeline after the parts ----------------

#: What the centre decided (central/enrolments.py, a labelled stand-in for AFIS):
#: ``print_ready`` — the card can be printed; ``duplicate`` — a fingerprint image already
#: enrolled under another NIK; ``adjudication`` — too little to match 1:N, examined by hand.
ENROLMENT_STATUSES: Final = ("print_ready", "duplicate", "adjudication")
Sha256Hex = Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{64}$")]
PartName = Annotated[StrictStr, Field(min_length=1, max_length=16)]
ReasonCode = Annotated[StrictStr, Field(min_length=1, max_length=16)]


class EnrolmentRequest(_Model):
    """Body of ``POST /v1/enrolments``: an entry whose biodata and every captured part the
    centre verified, with what was captured (part -> sha256) and what was excepted (part ->
    reason); every part in exactly one of the two."""

    protocol: ProtocolField = PROTOCOL_VERSION
    entry_id: EntryId
    parts: Annotated[dict[PartName, Sha256Hex], Field(max_length=32)]
    exceptions: Annotated[dict[PartName, ReasonCode], Field(max_length=32)] = {}


class EnrolmentReply(_Model):
    """The centre's decision on an entry (the same each time it is asked)."""

    protocol: ProtocolField = PROTOCOL_VERSION
    entry_id: EntryId
    status: Literal["print_ready", "duplicate", "adjudication"]
    reason: ShortStr | None = None  # why, as a code (never personal data)
    decided_at: AwareUtc
    stand_in: bool = True  # the reference centre's stand-in, not the national AFIS


# -- station-side parsing ------------------------------------------------------------------


def _is_json_type(content_type: str | None) -> bool:
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _load(
    body: bytes, content_type: str | None, versions: Sequence[int] = SUPPORTED_PROTOCOLS
) -> dict[str, Any]:
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
    version = data.get("protocol")
    if type(version) is not int or version not in versions:
        wanted = " or ".join(str(v) for v in versions)
        shown = repr(version)[:20]
        raise ProtocolVersionError(f"reply protocol {shown}, expected {wanted}")
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
    """Parse a 200 reply to a batch; raise ProtocolError unless it is a version-2 reply
    (``PROTOCOL_VERSION``) answering exactly ``sent_ids``."""
    reply = _validate(BatchReply, _load(body, content_type, (PROTOCOL_VERSION,)))
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


def parse_enrolment_reply(body: bytes, content_type: str | None, entry_id: str) -> EnrolmentReply:
    """Parse a 200 reply to an enrolment; ProtocolError unless it answers ``entry_id``."""
    reply = _validate(EnrolmentReply, _load(body, content_type, (PROTOCOL_VERSION,)))
    if reply.entry_id != canonical_entry_id(entry_id):
        raise ResultsMismatch("enrolment reply for another entry")
    return reply


def parse_health(body: bytes, content_type: str | None) -> Health:
    """Parse a 200 reply to ``GET /v1/health`` (protocol 1 or 2); ProtocolError if it is not
    one. ``Health.protocols`` says which batch versions the centre takes."""
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
