"""The images and link schedules the parts benchmark (metric 8) uses: residents with about 1 MB
of valid parts (the demo generators at a larger fingerprint size), cheap unique variants of a
demo set for many saves, a big part streamed into the store, and a seeded drop schedule
driving the fault proxy from a thread."""

from __future__ import annotations

import itertools
import random
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from ektp_station.devtools.faultproxy import FaultProxy
from ektp_station.devtools.images import (
    DEMO_MARK,
    demo_parts,
    fingerprint_png,
    iris_png,
    photo_jpeg,
    signature_png,
)
from ektp_station.domain.biometrics import FINGERS

#: fingerprints of 480×704 px at 500 dpi (within PART_SPECS): a resident's 14 parts ≈ 1 MB
BIG_FINGER = (480, 704)


def resident_images(seed: object, finger: tuple[int, int] = BIG_FINGER) -> dict[str, bytes]:
    """The 14 parts of one resident, valid for ``Station.capture``; fingerprints ``finger``."""
    parts = {"photo": photo_jpeg(seed), "signature": signature_png(seed)}
    for name in FINGERS:
        parts[name] = fingerprint_png((seed, name), width=finger[0], height=finger[1])
    for eye in ("iris_r", "iris_l"):
        parts[eye] = iris_png((seed, eye))
    return parts


def _retext(data: bytes, text: str) -> bytes:
    """The same PNG with its ``tEXt`` chunk saying ``text`` (another file, the same pixels)."""
    out, pos = [data[:8]], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if kind == b"tEXt":
            body = b"Software\x00" + text.encode("latin-1")
            crc = struct.pack(">I", zlib.crc32(kind + body))
            out.append(struct.pack(">I", len(body)) + kind + body + crc)
        else:
            out.append(data[pos:end])
        pos = end
    return b"".join(out)


def save_variants(count: int) -> list[dict[str, bytes]]:
    """``count`` full sets of the demo's 14 parts (devtools.images' sizes), every image a file
    of its own (a new photo each; the PNGs re-labelled), so each save writes 14 files."""
    base = demo_parts(("bench-saves", 0))
    sets = []
    for i in range(count):
        one = {
            part: _retext(data, f"{DEMO_MARK} #{i}") if part != "photo" else data
            for part, data in base.items()
        }
        one["photo"] = photo_jpeg(("bench-saves", i))
        sets.append(one)
    return sets


def big_part_chunks(size: int, seed: int = 8) -> Iterator[bytes]:
    """``size`` seeded random bytes, 1 MiB at a time (the 50 MB part, never whole in memory)."""
    rng = random.Random(seed)
    left = size
    while left > 0:
        step = min(left, 1 << 20)
        yield rng.randbytes(step)
        left -= step


@dataclass
class DropSchedule:
    """A link that drops for ``down`` s every ``up`` s (uniform draws, seeded): the same
    pattern for every run with the same seed. :meth:`start` drives ``proxy`` from a thread
    (``set_mode("down")`` resets every connection, cutting what is in flight); the actual
    switch times are kept to measure the link's up-time."""

    seed: int
    up: tuple[float, float] = (3.0, 10.0)
    down: tuple[float, float] = (0.5, 2.0)
    switches: list[tuple[float, str]] = field(default_factory=list)  # (perf_counter, mode)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, proxy: FaultProxy) -> float:
        """Link up now; returns the start time (``time.perf_counter()``)."""
        proxy.set_mode("up")
        t0 = time.perf_counter()
        self.switches = [(t0, "up")]
        self._thread = threading.Thread(
            target=self._run, args=(proxy, t0), name="drop-schedule", daemon=True
        )
        self._thread.start()
        return t0

    def _run(self, proxy: FaultProxy, t0: float) -> None:
        rng = random.Random(self.seed)
        at = t0
        while True:
            for span, mode in ((self.up, "down"), (self.down, "up")):
                at += rng.uniform(*span)
                if self._stop.wait(max(0.0, at - time.perf_counter())):
                    return
                proxy.set_mode(mode)  # type: ignore[arg-type]
                self.switches.append((time.perf_counter(), mode))

    def stop(self, proxy: FaultProxy) -> float:
        """Stop switching, link up; returns the stop time."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        end = time.perf_counter()
        proxy.set_mode("up")
        return end

    def up_seconds(self, until: float) -> float:
        """Seconds the link was up from the start to ``until``."""
        total = 0.0
        marks = [*self.switches, (until, "end")]
        for (at, mode), (nxt, _) in itertools.pairwise(marks):
            if mode == "up" and at < until:
                total += min(nxt, until) - at
        return total

    def time_for_up(self, needed: float) -> float | None:
        """Seconds from the start until the link had been up ``needed`` s (None: not yet)."""
        t0 = self.switches[0][0]
        done = 0.0
        marks = [*self.switches, (float("inf"), "end")]
        for (at, mode), (nxt, _) in itertools.pairwise(marks):
            if mode != "up":
                continue
            if done + (nxt - at) >= needed:
                return at + (needed - done) - t0
            done += nxt - at
        return None
