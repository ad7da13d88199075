from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "station"
    path.mkdir()
    return path


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
