"""One change notification per use case, with the right origin and entries; the engine's
answered batches arrive as ``Changes(origin="sync")`` with its progress reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ektp_station.central.runner import CentralServer
from ektp_station.errors import RecordInvalid
from ektp_station.station import Changes, Station
from ektp_station.store import State

from .support import (
    OPERATOR,
    SUPERVISOR,
    SUPERVISOR_PIN,
    OpenStation,
    Recorder,
    centre_settings,
    verdict,
)
from factories import make_record
from helpers import wait_until


def _listening(station: Station) -> Recorder:
    station.sign_in(SUPERVISOR, SUPERVISOR_PIN)
    recorder = Recorder()
    station.subscribe(recorder)
    return recorder


def test_each_use_case_publishes_one_notification_with_its_entries(
    station: Station, tmp_path: Path
) -> None:
    heard = _listening(station)

    one = station.capture(make_record(1)).entry.seq
    assert heard.changes == [Changes("capture", entries=(one,), queue=True)]

    heard.clear()
    done = station.correct(one, fields={"address": "JL. MAWAR NO. 1"})
    assert heard.changes == [Changes("correct", entries=(one,), queue=True)]
    assert done.changes == heard.changes[0]

    heard.clear()
    station.discard(one, "salah rekam")
    assert heard.changes == [Changes("discard", entries=(one,), queue=True)]

    two = station.capture(make_record(2)).entry.seq
    verdict(station, two, State.REJECTED, "rt_rw_zero")
    heard.clear()
    station.resend(two)
    assert heard.changes == [Changes("resend", entries=(two,), queue=True)]

    three = station.capture(make_record(3)).entry.seq
    verdict(station, three, State.CONFLICT)
    heard.clear()
    station.resolve(three, "sudah terekam di pusat")
    assert heard.changes == [Changes("resolve", entries=(three,), queue=True)]

    lines = tmp_path / "batch.jsonl"
    lines.write_text(json.dumps(make_record(4)) + "\n", encoding="utf-8")
    heard.clear()
    report = station.import_file(lines)
    assert report.imported == 1
    assert heard.changes == [Changes("import", queue=True)]


def test_accounts_settings_and_sessions_are_notified_apart_from_the_queue(
    station: Station,
) -> None:
    heard = _listening(station)

    station.add_operator("OPERATOR DUA", "5678")
    assert heard.changes == [Changes("operators", operators=True)]

    heard.clear()
    station.set_operator_active(OPERATOR, False)
    station.reset_pin("OPERATOR DUA", "9999")
    assert heard.changes == [Changes("operators", operators=True)] * 2

    heard.clear()
    station.change_settings(station.settings.with_value("batch-size", "50"))
    assert heard.changes == [Changes("settings", settings=True)]

    heard.clear()
    station.sign_out()
    station.sign_in(SUPERVISOR, SUPERVISOR_PIN)
    assert heard.changes == [Changes("session", session=True)] * 2
    assert not any(c.queue for c in heard.changes)


def test_a_correction_that_changes_nothing_is_not_announced(station: Station) -> None:
    heard = _listening(station)
    seq = station.capture(make_record(1)).entry.seq
    heard.clear()

    same = station.correct(seq, fields={"address": make_record(1)["address"]})

    assert same.fields == []
    assert heard.changes == []


def test_a_refused_use_case_announces_nothing(station: Station) -> None:
    heard = _listening(station)
    heard.clear()

    with pytest.raises(RecordInvalid):
        station.capture(make_record(1, rt="000"))

    assert heard.changes == []
    assert station.count() == 0


def test_a_failing_listener_does_not_stop_the_others_and_unsubscribe_ends_delivery(
    station: Station,
) -> None:
    class Broken(Recorder):
        def station_changed(self, changes: Changes) -> None:
            super().station_changed(changes)
            raise RuntimeError("a broken view")

    broken, heard = Broken(), Recorder()
    station.sign_in(SUPERVISOR, SUPERVISOR_PIN)
    station.subscribe(broken)
    station.subscribe(heard)
    station.subscribe(heard)  # once is enough

    seq = station.capture(make_record(1)).entry.seq

    assert broken.changes == heard.changes == [Changes("capture", entries=(seq,), queue=True)]
    station.unsubscribe(heard)
    station.capture(make_record(2))
    assert len(heard.changes) == 1
    assert len(broken.changes) == 2


def test_answered_batches_are_announced_as_sync_changes(
    open_station: OpenStation, central: CentralServer, token: str
) -> None:
    station = open_station(settings=centre_settings(central, token))
    station.create_first_account(SUPERVISOR, SUPERVISOR_PIN)
    heard = Recorder()
    station.subscribe(heard)
    assert station.start_sync()

    seqs = [station.capture(make_record(i)).entry.seq for i in (1, 2, 3)]

    wait_until(lambda: all(station.entry(s).state is State.SYNCED for s in seqs))
    wait_until(lambda: sum(p.synced for p in heard.progress) == 3)
    sync = [c for c in heard.changes if c.origin == "sync"]
    assert sync, "no change notification for the answered batches"
    assert all(c.queue and not c.operators and not c.settings for c in sync)
    assert len(sync) == len(heard.progress)  # one per answered batch
    captures = [c.entries for c in heard.changes if c.origin == "capture"]
    assert captures == [(s,) for s in seqs]
    assert heard.states, "the engine's state reports did not reach the listener"


def test_a_stopped_engine_reports_nothing_more(
    open_station: OpenStation, central: CentralServer, token: str
) -> None:
    station = open_station(settings=centre_settings(central, token))
    station.create_first_account(SUPERVISOR, SUPERVISOR_PIN)
    heard = Recorder()
    station.subscribe(heard)
    assert station.start_sync()
    wait_until(lambda: heard.states)
    station.stop_sync()
    heard.clear()

    seq = station.capture(make_record(1)).entry.seq

    assert heard.changes == [Changes("capture", entries=(seq,), queue=True)]
    assert heard.states == [] and heard.progress == []
    assert station.entry(seq).state is State.PENDING
