"""Helpers for driving the real ``ektp-station`` command, in-process or as a subprocess.

Personal data rule: the command's output is captured and only parsed or searched here, never
printed; comparisons of NIK sets go through :func:`assert_same` so that a failure reports
counts, not numbers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ektp_station.store.db import DriverError

from helpers import raw_queue

BIN_DIR = Path(sys.executable).parent
EKTP = BIN_DIR / ("ektp-station.exe" if os.name == "nt" else "ektp-station")
STATION = "ST-UJI-01"


@dataclass
class Result:
    rc: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def write_station_config(data_dir: Path, **settings: Any) -> None:
    """A fixed station id (the default is derived from the host name)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    config = {"station_id": STATION, **settings}
    (data_dir / "config.json").write_text(json.dumps(config), encoding="utf-8")


def subprocess_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("EKTP_DATA_DIR", None)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def run_ektp(
    *args: str | os.PathLike[str], timeout: float = 120, env: Mapping[str, str] | None = None
) -> Result:
    """Run the installed console script as a separate process; output captured (``env``:
    variables set on top of the test's environment)."""
    proc = subprocess.run(
        [os.fspath(EKTP), *(os.fspath(a) for a in args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        env={**subprocess_env(), **(env or {})},
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def write_jsonl(path: Path, records: Collection[Mapping[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def count_entries(db_path: Path) -> int:
    """Entries in a queue file, read through a read-only connection (0 while the file does
    not exist yet or is not migrated yet)."""
    if not db_path.exists():
        return 0
    try:
        conn = raw_queue(db_path, read_only=True, timeout=1.0)
    except (DriverError, OSError, AssertionError, ValueError):  # no queue.id or key yet
        return 0
    try:
        return int(conn.execute("SELECT count(*) FROM entries").fetchone()[0])
    except DriverError:
        return 0
    finally:
        conn.close()


def assert_same(actual: Collection[Any], expected: Collection[Any], what: str) -> None:
    """Set equality that reports only sizes (the items may be personal data)."""
    a, e = set(actual), set(expected)
    same = a == e
    assert same, f"{what}: {len(a - e)} unexpected, {len(e - a)} missing (of {len(e)})"
