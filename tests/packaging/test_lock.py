"""The lock (requirements/lock.txt, lock-windows.txt; docs/packaging.md, "Reproducible
dependencies"): every dependency pyproject.toml declares is pinned there with hashes and within
pyproject's ranges, the pins are closed under the installed packages' own requirements on Linux
and on Windows, this venv is the locked set, and packaging/build.py's drift check refuses a
venv that is not."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements" / "lock.txt"
LOCK_WINDOWS = ROOT / "requirements" / "lock-windows.txt"
LOCK_PIP = ROOT / "requirements" / "lock-pip.txt"
PROJECT = "ektp-station"
EXTRAS = ("gui", "postgres", "dev")
#: pip-compile on Linux resolves with Linux's markers; these stand in for a Windows build PC.
WINDOWS_ENV = {
    "sys_platform": "win32",
    "platform_system": "Windows",
    "os_name": "nt",
    "platform_machine": "AMD64",
}


def _build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "ektp_packaging_build", ROOT / "packaging/build.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _build_module()


def _entries(path: Path) -> dict[str, tuple[Version, list[str]]]:
    """Each requirement of a pip-compile file: canonical name -> (pinned version, hashes)."""
    entries: dict[str, tuple[Version, list[str]]] = {}
    logical = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    for line in logical.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)((?:\s+--hash=\S+)*)", line)
        assert match, f"{path.name}: not an exact pin with hashes: {line[:80]}"
        name, ver, hashes = match.groups()
        entries[canonicalize_name(name)] = (Version(ver), hashes.split())
    return entries


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _build_requires() -> list[Requirement]:
    return [Requirement(r) for r in _pyproject()["build-system"]["requires"]]


def _declared() -> list[Requirement]:
    project = _pyproject()["project"]
    raw = list(project["dependencies"])
    for extra in EXTRAS:
        raw += project["optional-dependencies"][extra]
    reqs = [Requirement(r) for r in raw] + _build_requires()
    return [r for r in reqs if canonicalize_name(r.name) != PROJECT]


def test_every_line_is_an_exact_pin_with_sha256_hashes() -> None:
    for path in (LOCK, LOCK_WINDOWS, LOCK_PIP):
        entries = _entries(path)
        assert entries, path
        for name, (_ver, hashes) in entries.items():
            assert hashes, f"{path.name}: {name} has no --hash"
            assert all(re.fullmatch(r"--hash=sha256:[0-9a-f]{64}", h) for h in hashes), name
    assert not set(_entries(LOCK)) & set(_entries(LOCK_WINDOWS)), "pinned twice"
    assert set(_entries(LOCK_PIP)) == {"pip"}
    assert PROJECT not in _entries(LOCK)


def test_every_declared_dependency_is_pinned_within_its_range() -> None:
    locked = _entries(LOCK)
    for req in _declared():
        name = canonicalize_name(req.name)
        assert name in locked, f"{req} (pyproject.toml) is not in the lock: run `make lock`"
        pinned = locked[name][0]
        assert req.specifier.contains(pinned, prereleases=True), (
            f"{name}=={pinned} in the lock violates pyproject.toml's {req}: run `make lock`"
        )


def test_the_pyside6_release_that_aborts_the_interpreter_is_not_locked() -> None:
    # tests/gui/test_qt_binding.py: 6.12.0 on CPython 3.11 ends in "none_dealloc"
    assert _entries(LOCK)["pyside6-essentials"][0] != Version("6.12.0")
    assert _entries(LOCK)["shiboken6"][0] == _entries(LOCK)["pyside6-essentials"][0]


def _closure(env: dict[str, str]) -> tuple[dict[str, list[Requirement]], set[str]]:
    """Every package the project with its extras and its build backend need under env, with
    the requirements that reach it, from the installed metadata; and those not installed."""
    reached: dict[str, list[Requirement]] = {}
    absent: set[str] = set()
    todo: list[tuple[str, frozenset[str]]] = [(PROJECT, frozenset(EXTRAS))]
    # the build backend (make install's editable install runs without build isolation)
    for req in (*_build_requires(), Requirement("editables")):
        reached.setdefault(canonicalize_name(req.name), []).append(req)
        todo.append((canonicalize_name(req.name), frozenset(req.extras)))
    done: set[tuple[str, frozenset[str]]] = set()
    while todo:
        name, extras = todo.pop()
        if (name, extras) in done:
            continue
        done.add((name, extras))
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            absent.add(name)
            continue
        for req in map(Requirement, requires):
            if req.marker is not None and not any(
                req.marker.evaluate({**env, "extra": extra}) for extra in (*extras, "")
            ):
                continue
            child = canonicalize_name(req.name)
            if child != PROJECT:
                reached.setdefault(child, []).append(req)
            todo.append((child, frozenset(req.extras)))
    return reached, absent


def test_this_venv_is_the_locked_set() -> None:
    assert build.check_lock(build.LOCKS) == [], "run `make install`"


@pytest.mark.parametrize("platform", ["linux", "windows"])
def test_the_lock_is_closed_under_the_packages_own_requirements(platform: str) -> None:
    """A package the lock lacks on either platform would make `pip install --require-hashes`
    fail there (or, without hashes, pull in whatever its range allows)."""
    if build.check_lock(build.LOCKS):
        pytest.fail("this venv is not the locked set (run `make install`): cannot walk it")
    env: dict[str, str] = dict(default_environment())
    locked = _entries(LOCK)
    if platform == "windows":
        env.update(WINDOWS_ENV)
        locked = {**locked, **_entries(LOCK_WINDOWS)}
    elif not sys.platform.startswith("linux"):
        pytest.skip("the Linux walk needs Linux's installed metadata")
    reached, absent = _closure(env)
    missing = sorted(set(reached) - set(locked))
    assert not missing, f"needed on {platform} but not locked: {missing} (requirements/windows.in)"
    for name, reqs in reached.items():
        for req in reqs:
            assert req.specifier.contains(locked[name][0], prereleases=True), (
                f"{name}=={locked[name][0]} violates {req} ({platform})"
            )
    if platform == "linux":
        assert not absent
        assert not set(locked) - set(reached), "locked but needed by nothing: run `make lock`"
    else:
        # Windows-only packages are not installed here, so their own requirements are not
        # walked; each has none at its locked version.
        assert absent <= set(_entries(LOCK_WINDOWS))


def test_drift_check_compares_versions_by_canonical_name() -> None:
    pins = build.lock_pins(
        [
            "# comment\nPySide6_Essentials==6.11.3 \\\n    --hash=sha256:ab\n",
            "certifi==2026.10.19.post1 \\\n    # via httpx\nmissing-pkg==1.0\nsame==1.0\n",
        ]
    )
    assert pins == {
        "pyside6-essentials": "6.11.3",
        "certifi": "2026.10.19.post1",
        "missing-pkg": "1.0",
        "same": "1.0",
    }
    have = {"pyside6-essentials": "6.12.0", "certifi": "2026.10.19-post1", "same": "1.0.0"}
    assert build.lock_drift(pins, have.get) == [
        "missing-pkg: locked 1.0, not installed",
        "pyside6-essentials: locked 6.11.3, installed 6.12.0",
    ]
    assert build.lock_drift({"same": "1.0"}, have.get) == []


def test_build_refuses_a_venv_that_is_not_the_lock(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = tmp_path / "lock.txt"
    lock.write_text("pyside6-essentials==6.11.3 \\\n    --hash=sha256:00\n", encoding="utf-8")
    monkeypatch.setattr(build, "LOCKS", (lock,))
    monkeypatch.setattr(build, "WINDOWS_LOCKS", (lock,))
    monkeypatch.setattr(build, "installed_version", lambda name: "6.12.0")
    monkeypatch.setattr(build, "run_pyinstaller", lambda *a: pytest.fail("built anyway"))
    assert build.main(["--no-archive", "--dist", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert "refusing to build" in err
    assert "pyside6-essentials: locked 6.11.3, installed 6.12.0" in err
