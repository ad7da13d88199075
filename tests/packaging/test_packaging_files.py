"""Quick checks of packaging/ without building anything: the spec keeps every Qt module the
station imports, the Windows installer never deletes the data folder, the Linux menu entry
and icons are complete, and install.sh installs and removes the program but not the data."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
SPEC = PACKAGING / "ektp-station.spec"
ISS = PACKAGING / "windows" / "ektp-station.iss"
DESKTOP = PACKAGING / "linux" / "ektp-station.desktop"
ICONS = ROOT / "resources" / "icons"


def _spec_excludes() -> set[str]:
    text = SPEC.read_text(encoding="utf-8")
    block = re.search(r"^excludes = \[(.*?)^\]", text, re.M | re.S)
    assert block, "no excludes list in the spec"
    return set(re.findall(r'"([\w.]+)"', block.group(1)))


def _modules_imported_by_src() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "src").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r"^\s*(?:from|import) ([\w.]+)", text, re.M))
        for names in re.findall(r"^\s*from PySide6 import \(?([\w, \n]+)\)?", text, re.M):
            found |= {f"PySide6.{name.strip()}" for name in names.split(",") if name.strip()}
    return found


def test_spec_excludes_nothing_the_station_imports() -> None:
    excluded = _spec_excludes()
    imported = _modules_imported_by_src()
    clash = {
        mod
        for mod in imported
        for ex in excluded
        if mod == ex or mod.startswith(ex + ".")
        if not mod.startswith("ektp_station")
    }
    assert not clash, f"imported under src/ but excluded from the bundle: {sorted(clash)}"
    assert {"pytest", "hypothesis", "mypy", "ruff"} <= excluded


def test_spec_takes_resources_and_version_from_the_tree() -> None:
    text = SPEC.read_text(encoding="utf-8")
    for folder in ("data", "i18n", "icons"):
        assert f'RESOURCES / "{folder}"' in text
        assert (ROOT / "resources" / folder).is_dir()
    assert (PACKAGING / "entry.py").is_file()
    assert '__version__ = "' in (ROOT / "src" / "ektp_station" / "__init__.py").read_text()
    assert 'collect_submodules("ektp_station")' in text  # cli.py imports layers by name


def _iss_sections() -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for raw in ISS.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith((";", "//", "#")):
            continue
        header = re.fullmatch(r"\[(\w+)\]", line)
        if header:
            current = header.group(1)
            sections.setdefault(current, [])
        elif current:
            sections[current].append(line)
    return sections


def test_installer_keeps_the_data_folder() -> None:
    sections = _iss_sections()
    for name in ("UninstallDelete", "InstallDelete"):
        for entry in sections.get(name, []):
            target = re.search(r'Name:\s*"([^"]+)"', entry)
            assert target, entry
            # only below the program folder, never the user's data (platformdirs)
            assert target.group(1).startswith("{app}\\"), entry
            assert "localappdata" not in entry.lower() and "userappdata" not in entry.lower()
    assert "UninstallDelete" not in sections
    setup = "\n".join(sections["Setup"])
    assert "{localappdata}" not in setup.lower().replace("{autopf}", "")
    assert re.search(r"^AppId=\{\{[0-9A-F-]{36}\}$", setup, re.M)


def test_installer_puts_a_start_menu_shortcut() -> None:
    icons = _iss_sections()["Icons"]
    assert any(
        entry.startswith('Name: "{group}\\') and "{app}\\{#MainExe}" in entry for entry in icons
    )
    text = ISS.read_text(encoding="utf-8")
    assert '#define MainExe "ektp-station.exe"' in text
    assert "SetupIconFile=..\\..\\resources\\icons\\ektp-station.ico" in text
    assert 'name="ektp-station"' in SPEC.read_text(encoding="utf-8")


def test_desktop_entry() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DESKTOP, encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Exec"].split()[0].endswith("ektp-station")
    assert entry["Icon"] == "ektp-station"
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";")
    assert (PACKAGING / "linux" / "ektp-station.svg").is_file()


def test_icons_match_and_the_ico_has_the_windows_sizes() -> None:
    for name in ("ektp-station.svg", "ektp-station.png"):
        assert (ICONS / name).read_bytes() == (PACKAGING / "linux" / name).read_bytes(), (
            f"{name}: run packaging/make_icons.py"
        )
    png = (ICONS / "ektp-station.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (256, 256)
    ico = (ICONS / "ektp-station.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1)
    sizes = {ico[6 + 16 * i] or 256 for i in range(count)}
    assert {16, 32, 48, 256} <= sizes


@pytest.mark.skipif(os.name == "nt" or shutil.which("sh") is None, reason="POSIX shell")
def test_install_sh_installs_and_uninstalls_but_keeps_the_data(tmp_path: Path) -> None:
    kit = tmp_path / "kit"
    (kit / "ektp-station").mkdir(parents=True)
    fake = kit / "ektp-station" / "ektp-station"
    fake.write_text("#!/bin/sh\necho 'ektp-station 9.9.9'\n", encoding="utf-8")
    fake.chmod(0o755)
    for name in ("install.sh", "ektp-station.desktop", "ektp-station.svg", "ektp-station.png"):
        shutil.copy2(PACKAGING / "linux" / name, kit / name)
    home = tmp_path / "home"
    data = home / ".local" / "share" / "ektp-station"
    data.mkdir(parents=True)
    (data / "queue.sqlite3").write_bytes(b"unsent entries")
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}

    done = subprocess.run(
        ["sh", str(kit / "install.sh")], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "9.9.9" in done.stdout
    program = home / ".local" / "opt" / "ektp-station" / "ektp-station"
    assert program.is_file()
    assert (home / ".local" / "bin" / "ektp-station").resolve() == program.resolve()
    desktop = (home / ".local/share/applications/ektp-station.desktop").read_text()
    assert f"Exec={program}" in desktop
    assert (home / ".local/share/icons/hicolor/scalable/apps/ektp-station.svg").is_file()

    done = subprocess.run(
        ["sh", str(kit / "install.sh"), "--uninstall"], env=env, capture_output=True, check=False
    )
    assert done.returncode == 0
    assert not program.exists()
    assert not (home / ".local/share/applications/ektp-station.desktop").exists()
    assert (data / "queue.sqlite3").read_bytes() == b"unsent entries"
