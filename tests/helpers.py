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


def raw_queue(where: Any, *, read_only: bool = False, timeout: float = 10.0) -> Any:
    """A DB-API connection straight to a station's queue file (``where``: its data folder or
    the file), opened with the queue's key from this test's key folder — what a test uses to
    look under the store or to damage it on purpose. Autocommit, like the store's own."""
    from pathlib import Path

    from ektp_station.store.db import connect_file
    from ektp_station.store.keys import KeyStore

    where = Path(where)
    data_dir = where if where.is_dir() else where.parent
    path = where if not where.is_dir() else data_dir / "queue.sqlite3"
    queue_id = (data_dir / "queue.id").read_text(encoding="utf-8").strip()
    key = KeyStore.for_data_dir(data_dir).get(queue_id)
    assert key is not None, "no key kept for this queue"
    return connect_file(path, key, read_only=read_only, timeout=timeout)


def backup_info(path: Any) -> Any:
    """What a backup holds (``store.backup.inspect_backup``), opened with whichever key of
    this test's key folder opens it."""
    import os
    from pathlib import Path

    from ektp_station.store.backup import inspect_backup, key_of_backup
    from ektp_station.store.keys import KeyStore

    keys = KeyStore(Path(os.environ["EKTP_KEY_DIR"]), use_keyring=False)
    return inspect_backup(Path(path), key_of_backup(Path(path), keys))


def decrypted_pages(path: Any, key: bytes, page_size: int = 4096) -> bytes:
    """Every page of the SQLCipher 4 file ``path`` (and of its write-ahead log) decrypted with
    the raw ``key``, free pages included — what someone holding the key could read, for tests
    that nothing purged lingers in free space. SQLCipher 4's page format (sqlcipher.net/design):
    AES-256-CBC over the page less its reserve, whose first 16 bytes are the page's IV; page 1
    starts with the file's 16-byte salt. The HMAC is not checked (the store already did)."""
    from pathlib import Path

    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    reserve = 80  # IV 16 + HMAC-SHA512 64

    def page(raw: bytes, first: bool) -> bytes:
        start = 16 if first else 0
        iv = raw[page_size - reserve : page_size - reserve + 16]
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        return decryptor.update(raw[start : page_size - reserve]) + decryptor.finalize()

    path = Path(path)
    data = path.read_bytes()
    out = [page(data[i : i + page_size], i == 0) for i in range(0, len(data), page_size)]
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        log = wal.read_bytes()
        for offset in range(32, len(log) - 24 - page_size + 1, 24 + page_size):
            frame = log[offset + 24 : offset + 24 + page_size]
            number = int.from_bytes(log[offset : offset + 4], "big")
            out.append(page(frame, number == 1))
    return b"".join(out)


def show_window(
    qtbot: Any, station: Any, *, size: tuple[int, int] | None = None, active: bool = False
) -> Any:
    """The station's main window (``gui.app.build_window``), shown and exposed; ``size`` it
    first; ``active``: the active window too, for key events that go through shortcuts."""
    from ektp_station.gui.app import build_window

    window = build_window(station)
    qtbot.addWidget(window)
    if size is not None:
        window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    if active:
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
    return window


def receipt_preview(qtbot: Any, parent: Any) -> Any:
    """The receipt's print preview open over ``parent``, once its one page is painted."""
    from PySide6.QtPrintSupport import QPrintPreviewDialog, QPrintPreviewWidget

    found: list[Any] = []

    def painted() -> bool:
        found[:] = [d for d in parent.findChildren(QPrintPreviewDialog) if d.isVisible()]
        pages = found[0].findChild(QPrintPreviewWidget) if found else None
        return pages is not None and pages.pageCount() == 1

    qtbot.waitUntil(painted)
    return found[0]
