"""Helpers of the centre's tests, shared by the test modules (imported by name, not from
``conftest``: with several test folders on one command line, ``conftest`` may be another
folder's)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from ektp_station.central import CentralServer
from ektp_station.sync.protocol import (
    PROTOCOL_VERSION,
    BatchReply,
    canonical_entry_id,
    parse_batch_reply,
)


@dataclass
class Station:
    station_id: str
    token: str
    central: CentralServer

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def post(self, body: Any, client: httpx.Client | None = None, **kw: Any) -> httpx.Response:
        kw.setdefault("timeout", 30)
        url = self.central.url + "/v1/batches"
        headers = {"Content-Type": "application/json", **self.headers, **kw.pop("headers", {})}
        if isinstance(body, bytes | str):
            return (client or httpx).post(url, content=body, headers=headers, **kw)  # type: ignore[attr-defined]
        return (client or httpx).post(url, json=body, headers=headers, **kw)  # type: ignore[attr-defined]


def iso(dt: datetime) -> str:
    return dt.isoformat().replace("+00:00", "Z")


def make_batch(
    station_id: str,
    records: Sequence[dict[str, Any]],
    ids: Sequence[str] | None = None,
    *,
    operator: str = "op-siti",
    captured_at: datetime | None = None,
    protocol: int = 1,
    revisions: Sequence[int] | None = None,
) -> dict[str, Any]:
    """A batch body; version 1 unless ``protocol`` says otherwise. ``revisions`` adds a
    ``revision`` to each entry (absent: the key is left out, i.e. revision 1)."""
    ids = list(ids) if ids is not None else [str(uuid.uuid4()) for _ in records]
    now = datetime.now(UTC)
    captured = captured_at or datetime(2026, 11, 24, 2, 30, tzinfo=UTC)
    entries: list[dict[str, Any]] = [
        {
            "entry_id": entry_id,
            "seq": n + 1,
            "operator": operator,
            "captured_at": iso(captured),
            "record": record,
        }
        for n, (entry_id, record) in enumerate(zip(ids, records, strict=True))
    ]
    if revisions is not None:
        for entry, revision in zip(entries, revisions, strict=True):
            entry["revision"] = revision
    return {
        "protocol": protocol,
        "station_id": station_id,
        "station_time": iso(now),
        "backlog": {"pending": len(records), "oldest_unsynced_at": iso(captured)},
        "entries": entries,
    }


def results_of(response: httpx.Response, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The results of a 200 reply, checked like a station of the body's version would: the
    reply speaks the request's version and answers exactly the ids sent."""
    assert response.status_code == 200, response.text
    sent = [e["entry_id"] for e in body["entries"]]
    content_type = response.headers["content-type"]
    if body["protocol"] == PROTOCOL_VERSION:
        reply = parse_batch_reply(response.content, content_type, sent)
    else:  # a version-1 station: same checks, version 1, no revisions
        assert response.json()["protocol"] == body["protocol"] == 1
        reply = BatchReply.model_validate_json(response.content)
        assert sorted(r.entry_id for r in reply.results) == sorted(
            canonical_entry_id(i) for i in sent
        )
        assert all(r.revision is None for r in reply.results)
    return [r.model_dump() for r in reply.results]


def assert_error_shape(response: httpx.Response, status: int | None = None) -> dict[str, Any]:
    if status is not None:
        assert response.status_code == status, response.text
    assert response.status_code != 200
    assert response.status_code < 500 or response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["protocol"] == 1
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body  # type: ignore[no-any-return]
