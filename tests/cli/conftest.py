from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ektp_station.cli import main

from .support import Result, write_station_config


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """``main`` configures the root logger once per process (a log file under that run's data
    dir, a stderr handler bound to the stream of the moment); undo it after every test so that
    the next test, with another data dir and another captured stderr, starts clean."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)
    if hasattr(root, "_ektp_configured"):
        del root._ektp_configured


@pytest.fixture
def station(data_dir: Path) -> Path:
    """A data dir with a fixed station id."""
    write_station_config(data_dir)
    return data_dir


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run ``ektp-station ARGS`` in this process; the output is captured, never echoed."""

    def run(*args: str | os.PathLike[str]) -> Result:
        capsys.readouterr()
        try:
            rc = main([os.fspath(a) for a in args])
        except SystemExit as exc:  # argparse: --help, --version, usage errors
            rc = exc.code if isinstance(exc.code, int) else 2
        captured = capsys.readouterr()
        return Result(rc, captured.out, captured.err)

    return run
