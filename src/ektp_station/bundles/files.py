"""The files a bundle or a receipt comes in and goes out as: on a stick anyone could have
touched, so read only when regular, written only where nothing else would be lost.

* An input must be a regular file (no FIFO that hangs, no ``/dev/zero`` that never ends).
* An output is written under a new, unguessable temporary name in the same folder
  (``mkstemp``: created exclusively, never through a planted symlink), flushed, renamed into
  place, and its folder flushed: a stick pulled out mid-way leaves no file that looks whole.
* An output never replaces a file that is not one of its kind: ``-o queue.sqlite3`` or
  ``--receipt central.sqlite3`` is refused, not obeyed.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ..errors import BundleRefused

__all__ = ["check_output", "output_file", "regular_input"]


def regular_input(path: Path, what: str) -> None:
    """BundleRefused "unreadable" unless ``path`` is a regular file."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise BundleRefused("unreadable", f"{what} unreadable: {exc.__class__.__name__}") from None
    if not stat.S_ISREG(mode):
        raise BundleRefused("unreadable", f"{what} is not a regular file")


def _replaceable(target: Path, magics: tuple[bytes, ...]) -> bool:
    """Nothing there, or a file of this kind (a bundle or receipt written again)."""
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return True
    if not stat.S_ISREG(mode):
        return False
    try:
        with target.open("rb") as handle:
            start = handle.read(max(len(m) for m in magics))
    except OSError:
        return False
    return any(start.startswith(m) for m in magics)


def check_output(target: Path, magics: tuple[bytes, ...]) -> None:
    """BundleRefused "target_exists" when ``target`` is there and not of this kind (asked
    before any work is done, and again by :func:`output_file`)."""
    if not _replaceable(target, magics):
        raise BundleRefused("target_exists", "output would replace a file of another kind")


@contextlib.contextmanager
def output_file(target: Path, magics: tuple[bytes, ...]) -> Iterator[BinaryIO]:
    """A file to write ``target`` into (see the module's docstring). BundleRefused
    "target_exists" / "unwritable"; the temporary file is gone on any failure."""
    check_output(target, magics)
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    except OSError as exc:
        raise BundleRefused("unwritable", f"output not created: {exc.__class__.__name__}") from None
    partial = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)
        _fsync_folder(target.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise BundleRefused("unwritable", f"output not written: {exc.__class__.__name__}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise


def _fsync_folder(folder: Path) -> None:
    if os.name == "nt":
        return  # NTFS/FAT on Windows: the rename is flushed with the file's handle
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
