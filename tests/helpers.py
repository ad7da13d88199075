"""Waiting on conditions with a deadline (tests never sleep blindly)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


def wait_until(
    predicate: Callable[[], object], timeout: float = 10.0, interval: float = 0.02
) -> None:
    """Poll ``predicate`` until it is true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        pause.wait(interval)


def waiting(queue: Any) -> int:
    """Entries pending or being sent, read in one transaction: two separate counts can miss a
    batch that moves from sending back to pending between them."""
    counts = queue.status().counts
    return int(counts["pending"] + counts["sending"])
