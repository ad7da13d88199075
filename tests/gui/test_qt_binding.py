"""The Qt binding must not corrupt the interpreter: a counter PC runs the window all day."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


def test_calls_returning_nothing_do_not_leak_references_to_none(qtbot: QtBot) -> None:
    # PySide6 6.12.0 on CPython 3.11 dropped one reference to None per such call, until the
    # interpreter aborted with "deallocating None" (hence the pin in pyproject.toml).
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("x")
    assert sys.getrefcount(None) >= before - 50
