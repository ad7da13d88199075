"""The station's logs never carry a token, a NIK or a name — also when things go wrong."""

from __future__ import annotations

import logging

import pytest

from ektp_station.central.runner import CentralServer
from ektp_station.devtools.faultproxy import FaultProxy
from ektp_station.store import Queue, State

from factories import make_record
from sync_support import STATION, make_engine


def test_station_logs_hold_no_personal_data_or_token(
    queue: Queue,
    central: CentralServer,
    token: str,
    proxy: FaultProxy,
    engines: list,
    caplog: pytest.LogCaptureFixture,
) -> None:
    records = [
        make_record(1, full_name="SITI NURHALIZA"),
        make_record(2, full_name="AHMAD DAHLAN", rt="000"),  # rejected by the centre
        make_record(3, full_name="NUR'AINI", address="JL. KENANGA NO. 7"),
    ]
    for r in records:
        queue.enqueue(r, operator="OPERATOR-1", station_id=STATION)
    for kind in ("captive", "reset_after", "truncate", "http503"):
        proxy.force_next(kind)
    with caplog.at_level(logging.DEBUG):
        assert make_engine(engines, queue, proxy.url, token).drain(give_up_after=60)
        queue.enqueue(make_record(4, full_name="SITI NURHALIZA"), operator="OP", station_id=STATION)
        refused = make_engine(engines, queue, proxy.url, "WRONG" + token)
        assert not refused.drain(give_up_after=0.5)
    assert queue.count(State.SYNCED) == 2 and queue.count(State.REJECTED) == 1
    assert queue.count(State.PENDING) == 1
    text = caplog.text
    assert "batch of" in text  # the log did record the work
    for secret in [token, *(r["nik"] for r in records), "SITI", "AHMAD", "NUR'AINI", "KENANGA"]:
        assert secret not in text
