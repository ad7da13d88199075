"""The whole station window in both languages: with English loaded no Indonesian text of the
window is left, and in Bahasa Indonesia no English one shows. Every string marked for
translation (``pyside6-lupdate`` over the GUI sources) has its English in the ``.ts``."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import cast

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QTabBar,
    QTableView,
    QToolBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

import ektp_station.gui
from ektp_station.devtools.faultproxy import FaultProxy
from ektp_station.domain import value_list
from ektp_station.gui.app import build_window
from ektp_station.gui.demo import NetworkSwitch
from ektp_station.gui.fields import ValueCombo
from ektp_station.gui.i18n import install_translator, load_ts, qt_ts_path, ts_path
from ektp_station.settings import Settings
from ektp_station.station import Station
from ektp_station.store import Entry, Outcome, Queue, State
from ektp_station.sync.engine import EngineState, Link

from factories import make_record

#: Words that are the same in both languages (or names, not UI text): the vocabulary keeps the
#: names of the administrative levels (RT, RW, Kecamatan, Kelurahan) in English too.
SAME_IN_BOTH = {
    "NIK",
    "RT",
    "RW",
    "Kecamatan",
    "Kelurahan",
    "No.",
    "Status",
    "Operator",
    "Supervisor",
    "OK",
    "Flaky",
    "PIN",
}
#: Official data values of the value lists (ISLAM, LAKI-LAKI, …): data, not UI text.
VALUE_LABELS = frozenset(
    v
    for field in ("sex", "blood_type", "religion", "marital_status", "occupation", "citizenship")
    for v in value_list(field)
)

MakeStation = Callable[..., Station]


def judge(queue: Queue, entry: Entry, state: State, **extra: object) -> None:
    claimed = queue.claim_batch("test", 1)
    assert [e.seq for e in claimed] == [entry.seq]
    queue.apply_outcomes("test", [Outcome(entry.entry_id, state, **extra)])  # type: ignore[arg-type]


@pytest.fixture
def filled(queue: Queue) -> Queue:
    """Entries in most states, so that the lists and the dashboard have lines."""
    entries = [
        queue.enqueue(make_record(n), operator="ANI", station_id="ST-A") for n in range(1, 6)
    ]
    judge(queue, entries[0], State.SYNCED, server_ref="R-1")
    judge(
        queue,
        entries[1],
        State.REJECTED,
        errors=({"field": "rt", "code": "x", "message": "RT tidak ada."},),
    )
    conflict = {"field": "nik", "code": "nik_recorded", "message": "NIK sudah direkam."}
    judge(queue, entries[2], State.CONFLICT, errors=(conflict,))
    return queue


def texts_of(root: QWidget) -> set[str]:
    """Every piece of UI text under ``root`` (value lists left out)."""
    texts = {root.windowTitle()}
    for widget in root.findChildren(QWidget):
        texts.add(widget.windowTitle() if widget.isWindow() else "")
        if isinstance(widget, QLabel):
            texts.add(widget.text())
        elif isinstance(widget, QAbstractButton):
            texts.add(widget.text())
        elif isinstance(widget, QLineEdit):
            texts.add(widget.placeholderText())
        elif isinstance(widget, QGroupBox):
            texts.add(widget.title())
        elif isinstance(widget, QProgressBar):
            texts.add(widget.format())
        elif isinstance(widget, QTabBar):
            texts.update(widget.tabText(i) for i in range(widget.count()))
        elif isinstance(widget, QMenu):
            texts.add(widget.title())
            texts.update(action.text() for action in widget.actions())
        elif isinstance(widget, QToolBar):
            texts.add(widget.windowTitle())
        elif isinstance(widget, QTableView):
            model = widget.model()
            assert model.rowCount() > 0, widget.objectName()
            texts.update(
                str(model.headerData(c, Qt.Orientation.Horizontal))
                for c in range(model.columnCount())
            )
            texts.update(str(model.index(r, 1).data()) for r in range(model.rowCount()))  # state
        if isinstance(widget, QComboBox) and not isinstance(widget, ValueCombo):
            texts.update(widget.itemText(i) for i in range(widget.count()))
    return {t for t in texts if re.search(r"[A-Za-z]", t)} - VALUE_LABELS


def window_texts(qtbot: QtBot, make_station: MakeStation) -> set[str]:
    """Build the window (supervisor, so every part is there), bring each dynamic text on
    screen, open each dialog, and collect the texts."""
    station = make_station(role="supervisor", settings=Settings(station_id="ST-A", token="t" * 32))
    window = build_window(station)
    qtbot.addWidget(window)
    proxy = cast(FaultProxy, object())  # the switch is only looked at, never switched
    window.addToolBar(NetworkSwitch(proxy, lambda: None, window))
    window.show()
    qtbot.waitExposed(window)
    texts = set()
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        qtbot.waitUntil(lambda: not window.tasks.busy)  # the dashboard's report is in
        texts |= texts_of(window)
    state = EngineState(
        Link.OFFLINE,
        pending=2,
        retry_at=time.time() + 12,
        last_error="centre unreachable",
        last_error_id="pusat tidak terjangkau",
    )
    window.bridge.sync_state_changed(state)
    window.dashboard.refresh()
    qtbot.waitUntil(lambda: not window.tasks.busy)
    texts |= texts_of(window)
    window.form.save()  # empty: every field's problem shows, in the window's language
    texts |= texts_of(window)

    tab = window.queue_tab
    for state_index in range(tab.state_combo.count()):
        tab.state_combo.setCurrentIndex(state_index)
    tab.state_combo.setCurrentIndex(0)
    assert tab.select_seq(1)  # synced: cannot be corrected
    tab.open_correction()
    texts |= texts_of(window)
    assert tab.select_seq(2)  # rejected: the correction dialog, with the centre's errors
    tab.open_correction()
    assert tab.correction_dialog is not None
    texts |= texts_of(tab.correction_dialog)
    tab.correction_dialog.reject()
    assert tab.select_seq(4)
    tab.ask_discard()
    assert tab.reason_dialog is not None
    texts |= texts_of(tab.reason_dialog)
    tab.reason_dialog.reject()
    conflicts = window.dashboard.conflicts
    assert conflicts is not None and conflicts.select_seq(3)
    conflicts.ask_resolve()
    assert conflicts.reason_dialog is not None
    texts |= texts_of(conflicts.reason_dialog)
    conflicts.reason_dialog.reject()
    dialog = window.open_settings()
    assert dialog is not None
    texts |= texts_of(dialog) - {"Bahasa Indonesia", "English"}  # each in its own language
    dialog.reject()
    window.close()
    return texts


@pytest.fixture
def both(
    qtbot: QtBot, make_station: MakeStation, filled: Queue, qapp: QApplication
) -> Iterator[tuple[set[str], set[str]]]:
    indonesian = window_texts(qtbot, make_station)
    assert install_translator(qapp, "en") is not None
    try:
        english = window_texts(qtbot, make_station)
    finally:
        install_translator(qapp, "id")
    yield indonesian, english


def pattern(text: str) -> re.Pattern[str]:
    """A message with ``{placeholders}`` as a pattern that matches it filled in."""
    parts = re.split(r"\{[a-z_]+\}", text)
    return re.compile(".+".join(re.escape(p) for p in parts), re.DOTALL)


def sources_and_translations() -> tuple[list[re.Pattern[str]], list[re.Pattern[str]]]:
    messages = load_ts(ts_path("en"))
    differing = {(s, t) for (_c, s), t in messages.items() if s != t}
    return [pattern(s) for s, _t in differing], [pattern(t) for _s, t in differing]


def test_no_text_is_the_same_in_both_languages(both: tuple[set[str], set[str]]) -> None:
    indonesian, english = both
    assert "Kirim sekarang (F5)" in indonesian and "Send now (F5)" in english
    assert "Retrying in 12 s" in " ".join(english) or "Retrying in 11 s" in " ".join(english)
    assert "Last sending error: centre unreachable" in english
    assert "Waiting to be sent" in english and "All states" in english  # a cell, a filter item
    assert "Menunggu dikirim" in indonesian and "Terhubung ke pusat" not in indonesian
    assert not (indonesian & english) - SAME_IN_BOTH


def test_no_indonesian_left_in_english(both: tuple[set[str], set[str]]) -> None:
    indonesian, english = both
    sources, translations = sources_and_translations()
    left = {t for t in english for p in sources if p.fullmatch(t)}
    assert not left
    shown = {t for t in indonesian for p in translations if p.fullmatch(t)}
    assert not shown - SAME_IN_BOTH


def test_every_marked_string_has_its_english(tmp_path: Path) -> None:
    beside = Path(sys.executable).with_name("pyside6-lupdate")
    lupdate = str(beside) if beside.exists() else shutil.which("pyside6-lupdate")
    if lupdate is None:
        pytest.skip("pyside6-lupdate not installed")
    gui = Path(ektp_station.gui.__file__).parent
    out = tmp_path / "extracted.ts"
    sources = sorted(str(p) for p in gui.glob("*.py"))
    subprocess.run([lupdate, *sources, "-ts", str(out)], check=True, capture_output=True)
    import xml.etree.ElementTree as ET

    root = ET.parse(out).getroot()  # written just now by lupdate
    marked = {
        (context.findtext("name", ""), message.findtext("source", ""))
        for context in root.iter("context")
        for message in context.iter("message")
    }
    assert len(marked) > 120  # lupdate found the sources (labels live in domain.vocabulary)
    qt_own = set(load_ts(qt_ts_path("id")))  # Qt's strings we look up (their English is Qt's)
    assert marked - set(load_ts(ts_path("en"))) - qt_own == set()


def test_messages_of_the_status_line_follow_the_language(
    qtbot: QtBot, station: Station, qapp: QApplication
) -> None:
    """Transient messages (not collected above): the receipt's and the save's, in English."""
    assert install_translator(qapp, "en") is not None
    try:
        window = build_window(station)
        qtbot.addWidget(window)
        form = window.form
        form.confirm_warnings = lambda _w: True
        form.load_record(make_record(9))
        form.save_button.click()
        assert form.result_label.text() == "Saved: No. 1"
        expected = "Entry No. 1 saved · Ctrl+P: open the receipt"
        qtbot.waitUntil(lambda: form.result_label.text().startswith(expected))
        window.close()
    finally:
        install_translator(qapp, "id")
