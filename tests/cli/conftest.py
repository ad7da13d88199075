from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from ektp_station.cli import main

from .support import Result, write_station_config


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
