"""The recovery key on the command line, in real processes: noted only once it was printed
in full; read from the terminal, EKTP_RECOVERY_KEY or standard input; none given says so."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from .support import EKTP, run_ektp, subprocess_env

_KEY = re.compile(r"(?:[A-Z2-7]{4}-){13}[A-Z2-7]{4}")


def _station(tmp_path: Path) -> Path:
    data = tmp_path / "station"
    assert run_ektp("--data-dir", data, "config", "set", "station-id", "ST-UJI-01").rc == 0
    return data


def _shown(data: Path) -> bool:
    status = run_ektp("--data-dir", data, "queue", "status", "--json")
    return bool(json.loads(status.out)["recovery_key_shown"])


def test_a_key_that_never_reached_the_terminal_is_not_noted(tmp_path: Path) -> None:
    data = _station(tmp_path)
    proc = subprocess.Popen(
        [os.fspath(EKTP), "--data-dir", os.fspath(data), "queue", "recovery-key"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=subprocess_env(),
    )
    assert proc.stdout is not None
    proc.stdout.close()  # the reader went away (`| head -1` that ended, a closed terminal)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and b"Traceback" not in err
    assert not _shown(data)  # so it can still be shown
    shown = run_ektp("--data-dir", data, "queue", "recovery-key")
    assert shown.rc == 0 and _KEY.search(shown.out)
    assert _shown(data)


def test_recover_key_reads_stdin_and_says_when_none_is_given(
    tmp_path: Path, _key_folder: Path
) -> None:
    data = _station(tmp_path)
    key = _KEY.findall(run_ektp("--data-dir", data, "queue", "recovery-key").out)[0]
    for key_file in _key_folder.glob("*.key"):
        key_file.unlink()
    assert run_ektp("--data-dir", data, "queue", "status").rc == 10

    def recover(stdin: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [os.fspath(EKTP), "--data-dir", os.fspath(data), "queue", "recover-key"],
            input=stdin,
            capture_output=True,
            text=True,
            env=subprocess_env(),
            timeout=60,
            check=False,
        )

    none = recover("")
    assert none.returncode == 3 and "belum diberikan" in none.stderr
    assert "EKTP_RECOVERY_KEY" in none.stderr
    back = recover(key + "\n")
    assert back.returncode == 0, back.stderr
    assert run_ektp("--data-dir", data, "queue", "status").rc == 0
