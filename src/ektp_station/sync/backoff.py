"""tenacity pieces of the sync engine's retry policy."""

from __future__ import annotations

import time
from collections.abc import Callable

import tenacity

__all__ = ["HonourRetryAfter", "StopWhen", "past"]


class StopWhen(tenacity.stop.stop_base):
    def __init__(self, predicate: Callable[[], bool]) -> None:
        self._predicate = predicate

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        return self._predicate()


class HonourRetryAfter(tenacity.wait.wait_base):
    """Wait as long as the centre asked (Retry-After), else the fallback backoff."""

    def __init__(self, fallback: tenacity.wait.wait_base) -> None:
        self._fallback = fallback

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        asked = getattr(exc, "retry_after", None)
        if asked is not None:
            return float(min(asked, 3600.0))
        return float(self._fallback(retry_state))


def past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() > deadline
