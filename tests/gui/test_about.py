"""The About dialog: version, data and log folders, and the licences of the data and of every
library the station ships with."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from ektp_station import __version__
from ektp_station.gui.about import LIBRARIES, AboutDialog, app_icon, show_about
from ektp_station.paths import AppPaths
from ektp_station.station import Station

ROOT = Path(__file__).resolve().parents[2]


class Folders:
    """Only the folders (the dialog needs nothing else of the station)."""

    def __init__(self, paths: AppPaths) -> None:
        self.paths = paths


@pytest.fixture
def dialog(qtbot: QtBot, station: Station) -> AboutDialog:
    widget = AboutDialog(None, station)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_shows_version_and_folders(dialog: AboutDialog, data_dir: Path) -> None:
    assert dialog.fields["version"].text() == __version__
    title = dialog.findChild(QLabel, "about_title")
    assert title is not None and __version__ in title.text()
    assert dialog.fields["data_dir"].text() == str(data_dir.resolve())
    assert dialog.fields["log_dir"].text() == str(data_dir.resolve() / "logs")
    assert "config_dir" not in dialog.fields  # --data-dir: one folder for everything


def test_default_folders_show_the_config_folder_when_it_differs(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("EKTP_DATA_DIR", raising=False)
    paths = AppPaths(tmp_path / "data", tmp_path / "config", tmp_path / "data" / "logs")
    widget = AboutDialog(None, Folders(paths))
    qtbot.addWidget(widget)
    assert widget.fields["config_dir"].text() == str(tmp_path / "config")


def test_licences_of_data_qt_and_libraries(dialog: AboutDialog) -> None:
    text = dialog.licences.toPlainText()
    assert "cahyadsn/wilayah" in text and "MIT" in text
    assert "Kemendagri" in text and "SIAK" in text
    assert "LGPL-3.0" in text and "PySide6" in text
    assert "SOURCES.md" in text


def _requirement_names() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["gui"]
    return {re.split(r"[\s<>=!~\[;]", req, maxsplit=1)[0].lower() for req in requirements}


def test_every_runtime_dependency_has_its_licence_listed() -> None:
    listed = " ".join(item.name.lower() for item in LIBRARIES)
    for name in _requirement_names():
        base = name.removesuffix("-essentials")
        assert base in listed, f"{name} missing from gui.about.LIBRARIES"
    assert all(item.license for item in LIBRARIES)


def test_copy_info_puts_a_summary_on_the_clipboard(qtbot: QtBot, dialog: AboutDialog) -> None:
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith(f"ektp-station {__version__}\n")
    assert f"data_dir: {dialog.fields['data_dir'].text()}" in copied


def test_show_about_opens_without_blocking_and_closes(qtbot: QtBot, station: Station) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    dialog = show_about(parent, station)
    qtbot.waitExposed(dialog)
    assert dialog.isVisible() and dialog.parent() is parent
    with qtbot.waitSignal(dialog.destroyed):
        dialog.close_button.click()


def test_app_icon_is_shipped() -> None:
    icon = app_icon()
    assert not icon.isNull()
    assert icon.availableSizes() and icon.availableSizes()[0].width() >= 256
