"""Failed authentications per client address, in a sliding window (one server process):
past AUTH_MAX_FAILURES within AUTH_FAILURE_WINDOW a client's requests are answered 429
``too_many_auth_failures`` before its token is even looked at (central/app.py)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

__all__ = ["AUTH_FAILURE_WINDOW", "AUTH_MAX_FAILURES", "AuthFailures"]

AUTH_MAX_FAILURES = 10
"""Failed authentications one client address may have within AUTH_FAILURE_WINDOW..."""
AUTH_FAILURE_WINDOW = 60.0
"""...seconds; after that its batches are 429 ``too_many_auth_failures`` until the window
has moved on (before the token is even looked at)."""
_MAX_TRACKED_ADDRESSES = 10_000


class AuthFailures:
    """Failed authentications per client address in a sliding window (one process)."""

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("auth failure limit and window must be positive")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}

    def _recent(self, address: str) -> deque[float] | None:
        times = self._seen.get(address)
        if times is None:
            return None
        horizon = self._clock() - self.window
        while times and times[0] <= horizon:
            times.popleft()
        if not times:
            del self._seen[address]
            return None
        return times

    def retry_after(self, address: str) -> float | None:
        """Seconds until ``address`` may try again, or None when it may now."""
        times = self._recent(address)
        if times is None or len(times) < self.limit:
            return None
        return max(times[0] + self.window - self._clock(), 0.0)

    def record(self, address: str) -> int:
        """Count a failure; how many ``address`` has in the window now."""
        times = self._recent(address)
        if times is None:
            if len(self._seen) >= _MAX_TRACKED_ADDRESSES:
                del self._seen[next(iter(self._seen))]  # the longest-tracked address
            times = self._seen[address] = deque()
        times.append(self._clock())
        return len(times)
