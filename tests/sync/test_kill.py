"""The sync process killed with SIGKILL at random moments, restarted each time: still exactly
once, nothing lost."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ektp_station.central.runner import CentralServer
from ektp_station.devtools.faultproxy import FaultProxy
from ektp_station.store import Queue, State

from helpers import wait_until
from sync_support import STATION, assert_exactly_once, fill


def _sync_process(data_dir: Path, url: str, token: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ektp_station",
            "--data-dir",
            str(data_dir),
            "sync",
            "--until-empty",
            "--central-url",
            url,
            "--token",
            token,
            "--station-id",
            STATION,
            "--batch-size",
            "40",
            "--timeout",
            "3",
            "-q",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_sigkill_during_drain_never_loses_or_duplicates(
    data_dir: Path, central: CentralServer, token: str, proxy: FaultProxy
) -> None:
    count = 1500
    queue = Queue.open(data_dir)
    fill(queue, count)
    proxy.set_faults(reset_after=0.1, reset_before=0.05)
    rng = random.Random(20261124)
    kills = 0
    for _round in range(12):
        done = central.stats()["registrations"]
        if done >= count:
            break
        target = min(count, done + rng.randint(0, 150))
        process = _sync_process(data_dir, proxy.url, token)
        try:
            wait_until(
                lambda t=target, p=process: (
                    central.stats()["registrations"] >= t or p.poll() is not None
                ),
                timeout=60,
                interval=0.005,
            )
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                kills += 1
            process.wait(timeout=30)
            assert process.stderr is not None
            process.stderr.close()
    assert kills >= 5
    # the last run drains what is left
    final = _sync_process(data_dir, proxy.url, token)
    assert final.wait(timeout=120) == 0
    assert final.stderr is not None
    final.stderr.close()
    queue.close()
    reopened = Queue.open(data_dir)
    assert reopened.count(State.SENDING) == 0
    assert_exactly_once(reopened, central, count)
    reopened.close()
