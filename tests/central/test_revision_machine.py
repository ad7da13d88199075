"""A hypothesis state machine over the centre alone: revisions of a few entries, sent, repeated,
corrected (also into invalid records and other entries' NIKs), to the real centre's app.

The requests go to the very ASGI app the loopback server runs, in process through
``httpx.ASGITransport`` (auth, parsing, ingest, replies: all of it, minus the socket, which
costs ~45 ms a request here and would leave hypothesis few examples).

The model is the classification table of docs/protocol.md; after every step the database
must hold, for each entry, the highest revision accepted, and the history every superseded
accepted revision exactly once.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import sqlalchemy as sa
from central_support import Station, make_batch, results_of
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ektp_station.central import reference_for
from ektp_station.central.db import CentralDB, registration_revisions, registrations
from ektp_station.sync.protocol import content_hash

from factories import make_record

ENTRIES = [str(uuid.UUID(int=0x5EED << 64 | n)) for n in range(3)]
NIK_SERIALS = [101, 102, 103]
ADDRESSES = ["JL. MERDEKA NO. 10", "JL. MAWAR NO. 5"]
CAPTURED = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)
OPERATOR = "op-siti"

entries = st.sampled_from(ENTRIES)
contents = st.tuples(
    st.sampled_from(NIK_SERIALS), st.sampled_from(ADDRESSES), st.booleans()
)  # (NIK, address, valid)


def record_of(content: tuple[int, str, bool]) -> dict[str, Any]:
    serial, address, valid = content
    return make_record(serial, address=address, full_name="BUDI SANTOSO" if valid else "")


@dataclass
class Stored:
    revision: int
    hash: str
    nik: str


@dataclass
class Model:
    station_id: str
    current: dict[str, Stored] = field(default_factory=dict)
    accepted: dict[str, dict[int, tuple[str, dict[str, Any]]]] = field(default_factory=dict)

    def hash_of(self, record: dict[str, Any]) -> str:
        return content_hash(
            station_id=self.station_id, operator=OPERATOR, captured_at=CAPTURED, record=record
        )

    def nik_owner(self, nik: str) -> str | None:
        return next((e for e, s in self.current.items() if s.nik == nik), None)

    def expect(
        self, entry_id: str, revision: int, record: dict[str, Any], valid: bool
    ) -> tuple[str, str | None, int | None]:
        """(status, conflict, revision in the reply) by the table; updates the model."""
        h, nik = self.hash_of(record), record["nik"]
        cur = self.current.get(entry_id)
        if cur is None or cur.revision < revision:
            if not valid:
                return ("rejected", None, None)
            owner = self.nik_owner(nik)
            if owner is not None and owner != entry_id:
                return ("conflict", "nik_recorded", None)
            self.current[entry_id] = Stored(revision, h, nik)
            self.accepted.setdefault(entry_id, {})[revision] = (h, record)
            return ("accepted", None, revision)
        if cur.revision == revision:
            if cur.hash == h:
                return ("already_accepted", None, revision)
            return ("conflict", "id_reused", None)
        held = self.accepted[entry_id].get(revision)
        if held is not None and held[0] == h:
            return ("already_accepted", None, cur.revision)
        return ("conflict", "id_reused", None)


def test_revisions_follow_the_table(station: Station) -> None:
    db = CentralDB(station.central.db_url)
    loop = asyncio.Runner()
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=station.central.app), base_url="http://centre"
    )
    headers = {"Authorization": f"Bearer {station.token}"}

    class Revisions(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            with db.engine.begin() as conn:  # every run starts from an empty centre
                conn.execute(sa.delete(registration_revisions))
                conn.execute(sa.delete(registrations))
            self.model = Model(station.station_id)

        def post(
            self, entry_id: str, revision: int, record: dict[str, Any], *, protocol: int = 2
        ) -> dict[str, Any]:
            body = make_batch(
                station.station_id,
                [record],
                [entry_id],
                operator=OPERATOR,
                captured_at=CAPTURED,
                protocol=protocol,
                revisions=[revision],
            )
            response = loop.run(http.post("/v1/batches", json=body, headers=headers))
            [result] = results_of(response, body)
            return result

        def check(
            self, entry_id: str, revision: int, content: tuple[int, str, bool], protocol: int = 2
        ) -> None:
            record = record_of(content)
            got = self.post(entry_id, revision, record, protocol=protocol)
            wanted = self.model.expect(
                entry_id, 1 if protocol == 1 else revision, record, content[2]
            )
            if protocol == 1:
                wanted = (*wanted[:2], None)
            assert (got["status"], got["conflict"], got["revision"]) == wanted
            if got["status"] in ("accepted", "already_accepted"):
                assert got["reference"] == reference_for(entry_id)
            else:
                assert got["reference"] is None

        @rule(entry_id=entries, revision=st.integers(1, 5), content=contents)
        def send(self, entry_id: str, revision: int, content: tuple[int, str, bool]) -> None:
            self.check(entry_id, revision, content)

        @rule(entry_id=entries, content=contents)
        def send_version_1(self, entry_id: str, content: tuple[int, str, bool]) -> None:
            # A version-1 station: every entry is revision 1, whatever it says.
            self.check(entry_id, 9, content, protocol=1)

        @precondition(lambda self: self.model.current)
        @rule(data=st.data(), content=contents)
        def correct(self, data: st.DataObject, content: tuple[int, str, bool]) -> None:
            entry_id = data.draw(st.sampled_from(sorted(self.model.current)))
            step = data.draw(st.integers(1, 2))
            self.check(entry_id, self.model.current[entry_id].revision + step, content)

        @precondition(lambda self: self.model.current)
        @rule(data=st.data())
        def correct_with_an_invalid_record(self, data: st.DataObject) -> None:
            entry_id = data.draw(st.sampled_from(sorted(self.model.current)))
            content = (data.draw(st.sampled_from(NIK_SERIALS)), ADDRESSES[0], False)
            self.check(entry_id, self.model.current[entry_id].revision + 1, content)

        @precondition(lambda self: self.model.accepted)
        @rule(data=st.data())
        def resend_an_accepted_revision(self, data: st.DataObject) -> None:
            entry_id = data.draw(st.sampled_from(sorted(self.model.accepted)))
            revision = data.draw(st.sampled_from(sorted(self.model.accepted[entry_id])))
            _hash, record = self.model.accepted[entry_id][revision]
            got = self.post(entry_id, revision, record)
            now = self.model.current[entry_id].revision
            assert (got["status"], got["revision"]) == ("already_accepted", now)
            assert self.model.expect(entry_id, revision, record, True)[0] == "already_accepted"

        @invariant()
        def storage_matches_the_model(self) -> None:
            with db.engine.connect() as conn:
                rows = {
                    r.entry_id: r
                    for r in conn.execute(
                        sa.select(
                            registrations.c.entry_id,
                            registrations.c.revision,
                            registrations.c.content_hash,
                            registrations.c.nik,
                            registrations.c.corrected_at,
                        )
                    )
                }
                history: dict[str, dict[int, str]] = {}
                for h in conn.execute(sa.select(registration_revisions)):
                    history.setdefault(h.entry_id, {})[h.revision] = h.content_hash
            assert set(rows) == set(self.model.current)
            for entry_id, cur in self.model.current.items():
                row = rows[entry_id]
                # The stored row is always the highest accepted revision ...
                assert (row.revision, row.content_hash, row.nik) == (
                    cur.revision,
                    cur.hash,
                    cur.nik,
                )
                assert cur.revision == max(self.model.accepted[entry_id])
                # ... and the history has every other accepted revision (a primary key: once).
                superseded = {
                    r: h
                    for r, (h, _rec) in self.model.accepted[entry_id].items()
                    if r != cur.revision
                }
                assert history.get(entry_id, {}) == superseded
                assert (row.corrected_at is not None) == bool(superseded)
            assert set(history) <= set(self.model.current)

    try:
        run_state_machine_as_test(
            Revisions,
            settings=settings(max_examples=40, stateful_step_count=20, deadline=None),
        )
    finally:
        loop.run(http.aclose())
        loop.close()
        db.dispose()
