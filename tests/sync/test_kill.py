"""The sync process killed with SIGKILL at random moments, restarted each time: still exactly
once, nothing lost."""

from __future__ import annotations

import json
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
from sync_support import FAST, STATION, assert_exactly_once, fill

#: ``python -m ektp_station ARGS`` in a process of its own, with two test-only differences that
#: do not touch what a kill can break: the engine waits as briefly as in the in-process sync
#: tests (``FAST``: after a cut reply the default waits 1-2 s before the next request, and with
#: one request in seven cut those waits were most of this test's time), and the interpreter
#: starts and imports the command before the test says go (a line on stdin), so that the next
#: process starts up while the current one still sends. After the go it is the real command:
#: its own ``main``, its own queue, its own engine, killed with a real SIGKILL.
CHILD = """
import dataclasses, json, runpy, sys
import ektp_station.cli, ektp_station.config_cli, ektp_station.operator_cli, ektp_station.logs
import ektp_station.station, ektp_station.sync.cli, ektp_station.sync.client, tenacity
from ektp_station.sync.engine import EngineConfig
fast = json.loads(sys.argv.pop(1))
fields = dataclasses.fields(EngineConfig)
assert all(f.default is not dataclasses.MISSING for f in fields)
EngineConfig.__init__.__defaults__ = tuple(fast.get(f.name, f.default) for f in fields)
if sys.stdin.readline() != "go\\n":
    sys.exit(3)  # never told to go: the test is over
sys.argv[0] = "ektp_station"
runpy.run_module("ektp_station", run_name="__main__", alter_sys=True)
"""
WAITS = {name: getattr(FAST, name) for name in ("probe_interval", "backoff_initial", "backoff_max")}


def _sync_process(data_dir: Path, url: str, token: str) -> subprocess.Popen[bytes]:
    """Started and ready; it sends once :func:`_go` is called."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD,
            json.dumps(WAITS),
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
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )


def _go(process: subprocess.Popen[bytes]) -> None:
    assert process.stdin is not None
    process.stdin.write(b"go\n")
    process.stdin.close()


def _reap(process: subprocess.Popen[bytes]) -> None:
    if process.stdin is not None and not process.stdin.closed:
        process.stdin.close()  # a process never told to go exits
    process.wait(timeout=30)
    assert process.stderr is not None
    process.stderr.close()


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
    process = _sync_process(data_dir, proxy.url, token)
    try:
        for _round in range(12):
            done = central.stats()["registrations"]
            if done >= count:
                break
            target = min(count, done + rng.randint(0, 150))
            _go(process)
            running, process = process, _sync_process(data_dir, proxy.url, token)
            try:
                wait_until(
                    lambda t=target, p=running: (
                        central.stats()["registrations"] >= t or p.poll() is not None
                    ),
                    timeout=60,
                    interval=0.005,
                )
            finally:
                if running.poll() is None:
                    running.send_signal(signal.SIGKILL)
                    kills += 1
                _reap(running)
        assert kills >= 5
        # the last run drains what is left
        _go(process)
        assert process.wait(timeout=120) == 0
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        _reap(process)
    queue.close()
    reopened = Queue.open(data_dir)
    assert reopened.count(State.SENDING) == 0
    assert_exactly_once(reopened, central, count)
    reopened.close()
