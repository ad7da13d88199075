"""Smoke test of the frozen station: build the PyInstaller bundle (packaging/ektp-station.spec)
and run its binary the way a counter PC would, without Python installed.

Slow (one PyInstaller build, about a minute on two cores). With ``EKTP_BUNDLE_DIR`` pointing at
a bundle already built (``make package`` → dist/ektp-station) the build is skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from bundle_support import ENV_BUNDLE, Running, build_bundle, bundle_env, executable, run

from ektp_station import __version__

from factories import many_records

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

FORBIDDEN_MODULES = {
    "pytest",
    "_pytest",
    "pytestqt",
    "hypothesis",
    "mypy",
    "ruff",
    "tests",
    "tkinter",
    "pygments",
    "PyInstaller",
}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get(ENV_BUNDLE)
    if given:
        path = Path(given)
        assert executable(path).is_file(), f"{ENV_BUNDLE}={given} holds no bundle"
        return path
    pytest.importorskip("PyInstaller", reason="pip install pyinstaller (dev extra)")
    root = tmp_path_factory.mktemp("pyinstaller")
    path, _seconds = build_bundle(root / "dist", root / "build")
    return path


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    return bundle_env(tmp)


@pytest.fixture
def station(tmp_path: Path) -> Path:
    return tmp_path / "station"  # not created: the binary makes it


def test_version(bundle: Path, env: dict[str, str]) -> None:
    proc = run(bundle, "--version", env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"ektp-station {__version__}"


def test_resources_are_inside(bundle: Path) -> None:
    resources = bundle / "_internal" / "resources"
    for part in (
        "data/depok.csv",
        "data/kecamatan_nasional.csv",
        "data/value_lists.csv",
        "data/SOURCES.md",
        "i18n/ektp_station_en.ts",
        "icons/ektp-station.png",
        "icons/ektp-station.svg",
    ):
        assert (resources / part).is_file(), part


def test_no_test_or_lint_tools_inside(bundle: Path) -> None:
    # Loose folders (binaries, data, dist-info) ...
    names = {p.name.split("-")[0].split(".")[0] for p in (bundle / "_internal").iterdir()}
    assert not names & FORBIDDEN_MODULES
    # ... and the modules frozen into the executable's archive.
    pytest.importorskip("PyInstaller")
    listing = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller.utils.cliutils.archive_viewer",
            "-r",
            "-b",
            os.fspath(executable(bundle)),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    modules = {line.strip() for line in listing.splitlines() if line.startswith(" ")}
    assert "ektp_station.gui.app" in modules and "ektp_station.central.cli" in modules
    # jinja2.tests is Jinja's own template tests ("is defined"), which the centre's dashboard
    # pages need: not a test suite
    found = {m for m in modules if set(m.split(".")) & FORBIDDEN_MODULES and m != "jinja2.tests"}
    found |= {m for m in modules if m.split(".")[0] in ("psycopg", "psycopg2")}  # no driver
    assert not found


def test_status_on_a_fresh_data_dir(bundle: Path, env: dict[str, str], station: Path) -> None:
    proc = run(bundle, "--data-dir", station, "queue", "status", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    status = json.loads(proc.stdout)
    assert status["total"] == 0 and status["pending"] == 0
    assert (station / "queue.sqlite3").is_file()
    assert (station / "logs").is_dir()


def test_import_a_small_file(
    bundle: Path, env: dict[str, str], station: Path, tmp_path: Path
) -> None:
    source = tmp_path / "batch.jsonl"
    with source.open("w", encoding="utf-8", newline="\n") as out:
        for record in many_records(5):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    proc = run(bundle, "--data-dir", station, "queue", "import", source, "--json", env=env)
    assert proc.returncode == 0, "import failed (output not shown: personal data rule)"
    report = json.loads(proc.stdout)
    assert (report["imported"], report["rejected"]) == (5, 0)
    status = json.loads(
        run(bundle, "--data-dir", station, "queue", "status", "--json", env=env).stdout
    )
    assert status["pending"] == 5


@pytest.fixture
def demo(bundle: Path, env: dict[str, str], station: Path) -> Iterator[Running]:
    with Running(bundle, ["-v", "--data-dir", station, "demo"], env) as running:
        yield running


def test_demo_window_runs_offscreen(demo: Running) -> None:
    """The window with a centre and the fault proxy in the frozen app: the sync engine's first
    health probe (sent after the window is shown) marks it up; it must then keep running."""
    up = demo.wait_for_line("/v1/health", timeout=90)
    assert up is not None, "no health probe: " + "".join(demo.stderr[-20:])
    assert demo.stays_up(3.0), "exited: " + "".join(demo.stderr[-20:])
    assert demo.errors() == []


def test_sign_in_dialog_opens_offscreen(bundle: Path, env: dict[str, str], station: Path) -> None:
    """Without a subcommand the login dialog comes first; it must stay up without an error."""
    with Running(bundle, ["--data-dir", station], env) as running:
        assert running.stays_up(5.0), "exited: " + "".join(running.stderr[-20:])
        assert (station / "queue.sqlite3").is_file()  # opened before the dialog
        assert running.errors() == []
