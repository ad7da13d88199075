"""Logging: a rotating file under the log dir, warnings on stderr. Never personal data."""

from __future__ import annotations

import logging
import logging.handlers
import traceback
from pathlib import Path

from .private import private_dir, private_files

__all__ = ["LOG_FILENAME", "configure_logging", "log_unexpected", "safe_traceback"]

LOG_FILENAME = "ektp-station.log"

_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"


def configure_logging(log_dir: Path, *, verbose: bool = False) -> None:
    root = logging.getLogger()
    if getattr(root, "_ektp_configured", False):
        return
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # A log on a full (or vanished) disk must not print Python's "--- Logging error ---"
    # tracebacks to the person: the record is dropped, the command's own message stays.
    logging.raiseExceptions = False
    try:
        private_dir(log_dir)
        private_files([log_dir / LOG_FILENAME])  # an older version's log: owner-only too
        file_handler = logging.handlers.RotatingFileHandler(
            log_dir / LOG_FILENAME, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
        file_handler.setFormatter(logging.Formatter(_FORMAT))
        root.addHandler(file_handler)
    except OSError:
        pass  # a read-only log dir must not stop the counter; stderr still gets warnings
    console = logging.StreamHandler()
    console.addFilter(_not_file_only)
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root.addHandler(console)
    root._ektp_configured = True  # type: ignore[attr-defined]


def _not_file_only(record: logging.LogRecord) -> bool:
    """Keep records marked ``extra={"file_only": True}`` (tracebacks) off the terminal."""
    return not getattr(record, "file_only", False)


def safe_traceback(exc: BaseException) -> str:
    """The traceback of an unexpected error without the exceptions' messages: a driver's or
    a library's message may quote the values it worked on (a resident's record); the frames
    and the exception classes are what a maintainer needs."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or current.__context__
    parts = []
    for item in reversed(chain):  # the first cause first, as Python prints it
        frames = "".join(traceback.format_tb(item.__traceback__))
        kind = f"{type(item).__module__}.{type(item).__qualname__}"
        parts.append(f"Traceback (most recent call last):\n{frames}{kind}\n")
    return "\nthen:\n".join(parts)


def log_unexpected(exc: BaseException, log_dir: Path | None) -> Path | None:
    """Log an unexpected error (its traceback, never its message); return the log file."""
    logging.getLogger("ektp_station").error(
        "unexpected error\n%s", safe_traceback(exc), extra={"file_only": True}
    )
    if log_dir is None:
        return None
    path = log_dir / LOG_FILENAME
    return path if path.exists() else None
