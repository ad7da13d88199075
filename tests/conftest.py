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
def _key_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Each test keeps its queue keys in a folder of its own (never the developer's
    ``~/.config`` nor their desktop keyring); command-line runs inherit it. A patcher of its
    own, so that a test's ``monkeypatch.undo()`` leaves it in place."""
    folder = tmp_path_factory.mktemp("keys")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EKTP_KEY_DIR", str(folder))
        patch.setenv("EKTP_KEYRING", "0")
        yield folder


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
