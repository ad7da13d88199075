"""No two Alt+letter mnemonics clash where they can both fire: the menu bar's and those of
one tab page at a time (its buttons, labels with a buddy, group boxes), in both languages; a
supervisor's window, which has the most (conflict review on the dashboard)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QGroupBox, QLabel, QWidget
from pytestqt.qtbot import QtBot

from ektp_station.gui.app import build_window
from ektp_station.gui.i18n import install_translator
from ektp_station.station import Station


def mnemonic(text: str) -> str | None:
    index = text.replace("&&", "").find("&")
    clean = text.replace("&&", "")
    return clean[index + 1].casefold() if 0 <= index < len(clean) - 1 else None


def mnemonics_in(page: QWidget) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for widget in [page, *page.findChildren(QWidget)]:
        if isinstance(widget, QAbstractButton):
            text = widget.text()
        elif isinstance(widget, QLabel) and widget.buddy() is not None:
            text = widget.text()
        elif isinstance(widget, QGroupBox):
            text = widget.title()
        else:
            continue
        key = mnemonic(text)
        if key is not None:
            found.append((key, text))
    return found


@pytest.fixture(params=["id", "en"])
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    install_translator(qapp, request.param)
    yield request.param
    install_translator(qapp, "id")


def test_no_mnemonic_clashes_on_any_page(qtbot: QtBot, supervisor: Station, language: str) -> None:
    window = build_window(supervisor)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    bar = [(mnemonic(a.text()), a.text()) for a in window.menuBar().actions()]
    for index in range(window.tabs.count()):
        page = window.tabs.widget(index)
        keys = [(k, t) for k, t in bar if k] + mnemonics_in(page)
        counts = Counter(k for k, _t in keys)
        clashes = sorted(t for k, t in keys if counts[k] > 1)
        assert clashes == [], (language, window.tabs.tabText(index), clashes)
