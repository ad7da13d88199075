"""Build the station's one-folder bundle with PyInstaller, then the archive to hand out
(``make package``; on Windows ``.venv\\Scripts\\python packaging\\build.py``).

    dist/ektp-station/                                  the bundle (run ektp-station inside)
    dist/ektp-station-<version>-linux-x86_64.tar.gz     Linux: bundle + install.sh + .desktop
    dist/ektp-station-<version>-windows-x64.zip         Windows: the bundle, portable
    dist/ektp-station-<version>-setup.exe               Windows, when Inno Setup's ISCC is found

Prints the build time and the sizes (docs/packaging.md). Refuses to build from a venv whose
packages differ from the lock (requirements/lock.txt, and on Windows lock-windows.txt): a
counter PC gets the tested set, never what a version range let in (``make install``).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "ektp-station.spec"
LINUX_EXTRAS = ("install.sh", "ektp-station.desktop", "ektp-station.svg", "ektp-station.png")
LOCKS = (ROOT / "requirements" / "lock.txt",)
WINDOWS_LOCKS = (*LOCKS, ROOT / "requirements" / "lock-windows.txt")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.M)
ISCC_PLACES = (
    r"C:\Program Files (x86)\Inno Setup 6\ISCC.exe",
    r"C:\Program Files\Inno Setup 6\ISCC.exe",
)


def version() -> str:
    text = (ROOT / "src" / "ektp_station" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"', text, re.M)
    assert found, "no __version__ in src/ektp_station/__init__.py"
    return found.group(1)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_pins(texts: Iterable[str]) -> dict[str, str]:
    """``name==version`` lines of pip-compile lock files, by canonical name."""
    return {canonical(name): ver for text in texts for name, ver in PIN.findall(text)}


def installed_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _same_version(a: str, b: str) -> bool:
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def lock_drift(
    pins: dict[str, str], installed: Callable[[str], str | None] | None = None
) -> list[str]:
    """What the environment has other than the lock says, one line per package ([] = none).
    Packages the lock does not name (the project itself, tools) are not looked at."""
    lookup = installed or installed_version
    drift = []
    for name, pinned in sorted(pins.items()):
        have = lookup(name)
        if have is None:
            drift.append(f"{name}: locked {pinned}, not installed")
        elif not _same_version(have, pinned):
            drift.append(f"{name}: locked {pinned}, installed {have}")
    return drift


def check_lock(locks: Iterable[Path]) -> list[str]:
    return lock_drift(lock_pins(path.read_text(encoding="utf-8") for path in locks))


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def mb(size: int) -> str:
    return f"{size / 1_000_000:.0f} MB"


def run_pyinstaller(dist: Path, work: Path) -> float:
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 (our own interpreter and spec)
        [
            sys.executable,
            "-m",
            "PyInstaller",
            os.fspath(SPEC),
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            os.fspath(dist),
            "--workpath",
            os.fspath(work),
        ],
        check=True,
    )
    return time.perf_counter() - started


def machine() -> str:
    arch = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(arch, arch)


def linux_archive(bundle: Path, dist: Path, ver: str) -> Path:
    name = f"ektp-station-{ver}-linux-{machine()}"
    archive = dist / f"{name}.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=f"{name}/ektp-station")
        for extra in LINUX_EXTRAS:
            tar.add(ROOT / "packaging" / "linux" / extra, arcname=f"{name}/{extra}")
    return archive


def windows_archive(bundle: Path, dist: Path, ver: str) -> Path:
    archive = dist / f"ektp-station-{ver}-windows-x64.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(bundle.rglob("*")):
            out.write(path, Path("ektp-station") / path.relative_to(bundle))
    return archive


def windows_installer(ver: str) -> Path | None:
    iscc = shutil.which("ISCC") or next((p for p in ISCC_PLACES if Path(p).is_file()), None)
    if iscc is None:
        print("Inno Setup (ISCC.exe) not found: no setup.exe (see docs/packaging.md)")
        return None
    script = ROOT / "packaging" / "windows" / "ektp-station.iss"
    subprocess.run([iscc, f"/DAppVersion={ver}", os.fspath(script)], check=True)  # noqa: S603
    return ROOT / "dist" / f"ektp-station-{ver}-setup.exe"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller")
    parser.add_argument("--no-archive", action="store_true", help="the bundle folder only")
    parser.add_argument(
        "--unlocked",
        action="store_true",
        help="build even when the venv differs from the lock (a trial build, not for counter PCs)",
    )
    args = parser.parse_args(argv)
    drift = check_lock(WINDOWS_LOCKS if sys.platform == "win32" else LOCKS)
    if drift and not args.unlocked:
        print(
            "refusing to build: this environment is not the locked set "
            "(requirements/lock.txt; docs/packaging.md, Reproducible dependencies):",
            *(f"  {line}" for line in drift),
            "install it with `make install` (on Windows: the pip commands in docs/packaging.md),"
            " or pass --unlocked for a trial build that no counter PC gets",
            sep="\n",
            file=sys.stderr,
        )
        return 2
    if drift:
        print(f"--unlocked: {len(drift)} package(s) differ from the lock", file=sys.stderr)
    ver = version()
    seconds = run_pyinstaller(args.dist, args.work)
    bundle = args.dist / "ektp-station"
    print(f"bundle: {bundle} ({mb(folder_size(bundle))}), PyInstaller {seconds:.0f} s")
    if args.no_archive:
        return 0
    started = time.perf_counter()
    if sys.platform == "win32":
        archive = windows_archive(bundle, args.dist, ver)
        setup = windows_installer(ver) if args.dist.resolve() == (ROOT / "dist") else None
        if setup is not None and setup.is_file():
            print(f"installer: {setup} ({mb(setup.stat().st_size)})")
    else:
        archive = linux_archive(bundle, args.dist, ver)
    archive_seconds = time.perf_counter() - started
    print(f"archive: {archive} ({mb(archive.stat().st_size)}), {archive_seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
