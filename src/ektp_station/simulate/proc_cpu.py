"""The CPU time a server's processes spent, read from Linux's ``/proc`` (``simulate herd``).

The centre is ``central serve``: one process, or with ``--workers N`` a supervisor and N
worker processes. :func:`find_listeners` finds every process holding the listening socket of
a loopback port (the supervisor and its workers all hold it); :func:`cpu_seconds` sums user
and system time (``utime`` + ``stime`` of ``/proc/<pid>/stat``) of the given processes and
all their descendants. Only the server's processes are counted, never the load generator's
or the database's.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

__all__ = ["CpuProbe", "cpu_seconds", "find_listeners", "process_tree"]

PROC = Path("/proc")
_LISTEN = "0A"  # TCP state LISTEN in /proc/net/tcp


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name, or None when gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # the command name is in parentheses and may itself contain spaces or parentheses
    return text.rpartition(")")[2].split()


def _pids() -> list[int]:
    try:
        return [int(p.name) for p in PROC.iterdir() if p.name.isdigit()]
    except OSError:
        return []


def process_tree(roots: Iterable[int]) -> set[int]:
    """``roots`` and every living descendant of them."""
    children: dict[int, list[int]] = {}
    for pid in _pids():
        fields = _stat_fields(pid)
        if fields is not None and len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(pid)
    found: set[int] = set()
    todo = [pid for pid in roots if _stat_fields(pid) is not None]
    while todo:
        pid = todo.pop()
        if pid in found:
            continue
        found.add(pid)
        todo.extend(children.get(pid, ()))
    return found


def cpu_seconds(pids: Iterable[int]) -> dict[int, float]:
    """User + system CPU seconds of each process still alive."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[int, float] = {}
    for pid in pids:
        fields = _stat_fields(pid)
        if fields is not None and len(fields) > 12:
            # after the name: state(0) ppid(1) ... utime(11) stime(12)
            out[pid] = (int(fields[11]) + int(fields[12])) / tick
    return out


def _listening_inodes(port: int) -> set[str]:
    inodes: set[str] = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if len(cols) < 10 or cols[3] != _LISTEN:
                continue
            if int(cols[1].rpartition(":")[2], 16) == port:
                inodes.add(cols[9])
    return inodes


def find_listeners(port: int) -> set[int]:
    """The processes holding a socket that listens on ``port`` (any local address); empty
    when there is none, or when their file descriptors cannot be read (another user's)."""
    wanted = {f"socket:[{inode}]" for inode in _listening_inodes(port)}
    if not wanted:
        return set()
    me = os.getpid()
    found: set[int] = set()
    for pid in _pids():
        if pid == me:
            continue
        try:
            fds = list((PROC / str(pid) / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) in wanted:
                    found.add(pid)
                    break
            except OSError:
                continue
    return found


class CpuProbe:
    """CPU seconds of a set of processes (and their descendants) between :meth:`start` and
    :meth:`stop`. ``note`` says why nothing could be measured (then :meth:`stop` is None)."""

    def __init__(self, roots: Iterable[int]) -> None:
        self.roots = sorted(set(roots))
        self.pids: list[int] = []
        self.note: str | None = None
        self._before: dict[int, float] = {}

    def start(self) -> None:
        if not PROC.joinpath("self", "stat").exists():
            self.note = "no /proc (not Linux)"
            return
        tree = process_tree(self.roots)
        if not tree:
            self.note = "the centre's processes were not found"
            return
        self.pids = sorted(tree)
        self._before = cpu_seconds(self.pids)

    def stop(self) -> float | None:
        """CPU seconds spent since :meth:`start`; None (``note`` says why) when a process
        measured at the start ended, or a new one appeared (a worker restarted)."""
        if self.note is not None:
            return None
        after = cpu_seconds(process_tree(self.roots))
        if set(after) != set(self._before):
            self.note = "the centre's processes changed during the run (a worker restarted?)"
            return None
        return sum(after[pid] - self._before[pid] for pid in self._before)
