"""Owner-only files: what the station writes holds personal data (the queue, its WAL and
backups, receipts) or secrets (the token, the settings), so nobody but the station's OS user may
read it — folders 0700, files 0600, on POSIX.

:func:`restrict_umask` at start-up makes everything created afterwards owner-only (SQLite's
``-wal`` and ``-shm`` files included); :func:`private_dir` and :func:`private_files` also
tighten what an older version left readable. On Windows the per-user profile folders are
private already; the calls do nothing there.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterable
from pathlib import Path

__all__ = ["DIR_MODE", "FILE_MODE", "private_dir", "private_files", "restrict_umask"]

log = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600
_POSIX = os.name == "posix"


def restrict_umask() -> None:
    """Files and folders made from now on are the owner's only (umask 0077)."""
    if _POSIX:
        os.umask(0o077)


def private_dir(path: Path) -> Path:
    """Make ``path`` (and missing parents) and keep it owner-only; returns it. OSError when
    it cannot be made; a mode that cannot be changed (another owner's folder) is logged."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    if _POSIX:
        _chmod(path, DIR_MODE)
    return path


def private_files(paths: Iterable[Path]) -> None:
    """Owner-only for each of ``paths`` that exists (group and others lose every right)."""
    if not _POSIX:
        return
    for path in paths:
        _chmod(path, FILE_MODE)


def _chmod(path: Path, mode: int) -> None:
    try:
        current = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    except OSError as exc:
        log.warning("cannot read the mode of %s (%s)", path.name, exc.__class__.__name__)
        return
    if current & 0o077 == 0:
        return  # owner-only already (an owner's own narrower mode is kept)
    try:
        os.chmod(path, mode)
    except OSError as exc:
        log.warning("cannot make %s owner-only (%s)", path.name, exc.__class__.__name__)
