"""UTC timestamps as fixed-width ISO-8601 text (sortable as strings, exact as datetimes)."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["format_utc", "parse_utc", "utc_now", "utc_now_iso"]

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: give a timezone")
    return moment.astimezone(UTC).strftime(_FORMAT)


def utc_now_iso() -> str:
    return format_utc(utc_now())


def parse_utc(text: str) -> datetime:
    """Parse what :func:`format_utc` wrote (and any ISO-8601 with an offset)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
