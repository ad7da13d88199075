"""The installed `ektp-station` command, and a core that runs without Qt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import ektp_station

from .support import EKTP, run_ektp, subprocess_env, write_jsonl
from factories import make_record


def test_console_script_is_installed() -> None:
    assert EKTP.is_file(), "run `make install`: the ektp-station console script is missing"


def test_version() -> None:
    result = run_ektp("--version")
    assert result.rc == 0
    assert result.out.strip() == f"ektp-station {ektp_station.__version__}"


def test_queue_status_in_a_fresh_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "baru"
    result = run_ektp("--data-dir", data_dir, "queue", "status")
    assert result.rc == 0, result.err[-500:]
    assert "Menunggu dikirim" in result.out
    assert (data_dir / "queue.sqlite3").is_file()

    as_json = run_ektp("--data-dir", data_dir, "queue", "status", "--json")
    assert as_json.rc == 0
    assert json.loads(as_json.out)["pending"] == 0


def test_import_then_status_across_processes(tmp_path: Path) -> None:
    data_dir = tmp_path / "st"
    source = write_jsonl(tmp_path / "tiga.jsonl", [make_record(i) for i in (1, 2, 3)])
    assert run_ektp("--data-dir", data_dir, "queue", "import", source).rc == 0
    status = run_ektp("--data-dir", data_dir, "queue", "status", "--json")
    assert json.loads(status.out)["pending"] == 3


def test_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    result = run_ektp("--data-dir", tmp_path, "antre")
    assert result.rc == 2
    assert "penggunaan:" in result.err and "pilihan tidak dikenal" in result.err


QT_FREE = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys
    import ektp_station
    loaded = []
    for info in pkgutil.walk_packages(ektp_station.__path__, "ektp_station."):
        if info.name == "ektp_station.gui" or info.name.startswith("ektp_station.gui."):
            continue  # the only place Qt may be imported
        importlib.import_module(info.name)
        loaded.append(info.name)
    # the whole command line too: the parser loads the subcommands of other layers
    from ektp_station.cli import build_parser, main
    build_parser()
    code = main(["--data-dir", sys.argv[1], "queue", "status", "--json"])
    qt = sorted(m for m in sys.modules if m.startswith(("PySide6", "shiboken6")))
    print(json.dumps({"loaded": loaded, "qt": qt, "code": code}))
    """
)


def test_core_imports_without_qt(tmp_path: Path) -> None:
    """Every module outside ``gui/`` imports without loading Qt: the core, the sync engine
    and its client, the centre, the devtools and the command line."""
    proc = subprocess.run(
        [sys.executable, "-c", QT_FREE, str(tmp_path / "st")],
        capture_output=True,
        text=True,
        timeout=120,
        env=subprocess_env(),
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["code"] == 0
    assert {
        "ektp_station.domain",
        "ektp_station.store",
        "ektp_station.station",
        "ektp_station.station.service",
        "ektp_station.station.importing",
        "ektp_station.exporter",
        "ektp_station.cli",
        "ektp_station.sync.engine",
        "ektp_station.sync.client",
        "ektp_station.central.app",
        "ektp_station.devtools.faultproxy",
    } <= set(report["loaded"])
    assert report["qt"] == []


def test_without_a_screen_the_demo_and_the_window_say_so_and_print_the_help(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in subprocess_env().items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    for args, rc in ((["demo"], 3), ([], 0)):
        proc = subprocess.run(
            [os.fspath(EKTP), "--data-dir", os.fspath(tmp_path / "st"), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        assert proc.returncode == rc, proc.stderr
        assert "layar" in proc.stderr  # says why, in the station's language
        out = proc.stdout + proc.stderr
        assert "queue" in out and "penggunaan:" in out and "usage" not in out  # all Indonesian
        assert "tampilkan bantuan ini" in out
        assert "Traceback" not in proc.stderr
