"""Owner-only files: a fresh process of the real command writes nothing that group or others
may read (folders 0700, files 0600) — the queue, its WAL and SHM, backups, settings, token,
logs, and the reference centre's own database — and tightens what an older version left
readable."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ektp_station.store import DB_FILENAME

from .support import STATION, run_ektp, write_jsonl, write_station_config
from factories import many_records

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes")


def loose(root: Path) -> list[str]:
    """Every path under ``root`` (and root) that group or others may use, with its mode."""
    found = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode & 0o077:
            found.append(f"{path.relative_to(root.parent)} {mode:o}")
    return found


def test_a_station_writes_owner_only_files(tmp_path: Path) -> None:
    data = tmp_path / "station"
    stick = tmp_path / "stick"
    stick.mkdir(mode=0o700)
    assert run_ektp("--data-dir", data, "config", "set", "station-id", STATION).rc == 0
    assert run_ektp("--data-dir", data, "config", "set", "token", "rahasia-token-1").rc == 0
    assert run_ektp("--data-dir", data, "config", "set", "backup-dir", stick).rc == 0
    source = write_jsonl(tmp_path / "in.jsonl", many_records(20))
    os.chmod(source, 0o600)
    assert run_ektp("--data-dir", data, "queue", "import", source).rc == 0
    assert run_ektp("--data-dir", data, "queue", "backup").rc == 0
    assert run_ektp("--data-dir", data, "queue", "backup", "-o", data / "extra.sqlite3").rc == 0
    assert run_ektp("--data-dir", data, "queue", "status").rc == 0
    names = {p.name for p in data.rglob("*")}
    assert {DB_FILENAME, "config.json", "token", "logs", "extra.sqlite3"} <= names
    assert list(stick.glob("queue-*.sqlite3"))
    assert loose(data) == [] and loose(stick) == []


def test_the_centres_database_is_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "centre"
    db = f"sqlite:///{folder / 'central.sqlite3'}"
    made = run_ektp("--data-dir", tmp_path / "admin", "central", "add-station", STATION, "--db", db)
    assert made.rc == 0, made.err
    assert (folder / "central.sqlite3").exists()
    assert loose(folder) == []


def test_what_an_older_version_left_readable_is_tightened(tmp_path: Path) -> None:
    data = tmp_path / "station"
    write_station_config(data)
    source = write_jsonl(tmp_path / "in.jsonl", many_records(3))
    assert run_ektp("--data-dir", data, "queue", "import", source).rc == 0
    for path in [data, *data.rglob("*")]:  # as an older version (umask 022) left them
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    assert loose(data)
    assert run_ektp("--data-dir", data, "queue", "status").rc == 0
    assert loose(data) == []
