"""The station's settings for a supervisor ("Pengaturan", Ctrl+,): the centre's address, the
station id, the station's token, the station's kota/kabupaten and the language.

The token is never shown: the field starts empty (left empty = unchanged) and only a masked
form of the current one is displayed. Saving goes through the core (``Station.change_settings``,
given as ``save``): it checks the role, writes ``config.json`` and the owner-only token file,
and restarts the sync engine.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ..domain import Regions
from ..errors import ConfigError, EktpError
from ..paths import AppPaths
from ..settings import (
    TOKEN_SHOWN,
    Settings,
    default_station_id,
    valid_central_url,
    valid_station_id,
)
from .fields import ValueCombo
from .i18n import LANGUAGES, current_language

__all__ = ["SettingsDialog", "city_choices", "valid_central_url"]  # the last from settings

log = logging.getLogger(__name__)

_CITY_LEVELS = ("kabupaten", "kota")


def city_choices(regions: Regions) -> list[tuple[str, str]]:
    """``(text, code)`` of every kota and kabupaten, by code ("Kota Depok (32.76)")."""
    cities = (r for r in regions if r.level in _CITY_LEVELS)
    return [(f"{r.name} ({r.code})", r.code) for r in sorted(cities, key=lambda r: r.code)]


class SettingsDialog(QDialog):
    """``saved`` carries the new :class:`Settings` once they are written."""

    saved = Signal(object)

    def __init__(
        self,
        settings: Settings,
        paths: AppPaths,
        regions: Regions,
        save: Callable[[Settings], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.paths = paths
        self.regions = regions
        self._save = save
        self.setObjectName("settings_dialog")
        self.setWindowTitle(self.tr("Pengaturan stasiun"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)

        self.url_input = QLineEdit(settings.central_url)
        self.url_input.setObjectName("settings_url")
        self.url_input.setPlaceholderText(self.tr("https://… (kosong: tanpa pusat)"))
        form.addRow(self._caption(self.tr("Alamat &pusat"), self.url_input), self.url_input)

        self.station_input = QLineEdit(settings.station_id)
        self.station_input.setObjectName("settings_station")
        self.station_input.setMaxLength(40)
        self.station_input.setPlaceholderText(
            self.tr("kosong: {default}").format(default=default_station_id())
        )
        form.addRow(self._caption(self.tr("ID &stasiun"), self.station_input), self.station_input)

        self.token_input = QLineEdit()
        self.token_input.setObjectName("settings_token")
        self.token_input.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_input.setPlaceholderText(self.tr("kosongkan agar tidak berubah"))
        self.token_current = QLabel(self._masked(settings.token))
        self.token_current.setObjectName("settings_token_current")
        token_box = QVBoxLayout()
        token_box.setSpacing(1)
        token_box.addWidget(self.token_input)
        token_box.addWidget(self.token_current)
        form.addRow(self._caption(self.tr("&Token stasiun"), self.token_input), token_box)

        self.city_combo = ValueCombo()
        self.city_combo.setObjectName("settings_city")
        self.city_combo.set_items(city_choices(regions))
        current_city = regions.get(settings.city_code) if settings.city_code else None
        if current_city is not None:
            self.city_combo.set_text(f"{current_city.name} ({current_city.code})")
        else:
            self.city_combo.set_text(settings.city_code)
        form.addRow(self._caption(self.tr("&Kota/kabupaten"), self.city_combo), self.city_combo)

        self.language_combo = QComboBox()
        self.language_combo.setObjectName("settings_language")
        for code, name in LANGUAGES.items():
            self.language_combo.addItem(name, code)
        index = self.language_combo.findData(settings.language)
        self.language_combo.setCurrentIndex(max(0, index))
        language_box = QVBoxLayout()
        language_box.setSpacing(1)
        language_box.addWidget(self.language_combo)
        language_hint = QLabel(self.tr("Bahasa berganti setelah aplikasi dibuka ulang."))
        language_box.addWidget(language_hint)
        form.addRow(self._caption(self.tr("&Bahasa"), self.language_combo), language_box)

        self.message = QLabel()
        self.message.setObjectName("settings_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("Simpan"))
        self.save_button.setDefault(True)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Batal (Esc)"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.url_input.setFocus()

    def _caption(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        return label

    def _masked(self, token: str) -> str:
        if not token:
            return self.tr("Token sekarang: belum ada")
        return self.tr("Token sekarang: {start}… ({count} karakter)").format(
            start=token[:TOKEN_SHOWN], count=len(token)
        )

    # -- saving ------------------------------------------------------------------------------

    def new_settings(self) -> Settings | None:
        """The settings as filled in, or None (with the reason shown) when one is invalid."""
        url = self.url_input.text().strip()
        station = self.station_input.text().strip().upper()
        token = self.token_input.text().strip()
        city = self.city_combo.value()
        problem: tuple[str, QWidget] | None = None
        refused = self._url_refused(url)
        if not valid_central_url(url):
            problem = (
                self.tr("Alamat pusat harus diawali http:// atau https:// lalu nama server."),
                self.url_input,
            )
        elif refused:
            problem = (refused, self.url_input)
        elif not valid_station_id(station):
            problem = (
                self.tr("ID stasiun: huruf, angka, titik, garis bawah atau tanda hubung saja."),
                self.station_input,
            )
        elif token and (not token.isprintable() or any(c.isspace() for c in token)):
            problem = (self.tr("Token tidak boleh berisi spasi."), self.token_input)
        elif not self.regions.is_kabupaten(city):
            problem = (
                self.tr("Pilih kota atau kabupaten dari daftar (ketik untuk mencari)."),
                self.city_combo,
            )
        if problem is not None:
            text, widget = problem
            self.message.setText(text)
            widget.setFocus()
            return None
        return replace(
            self.settings,
            central_url=url.rstrip("/"),
            station_id=station,
            token=token or self.settings.token,
            city_code=city,
            language=str(self.language_combo.currentData()),
        )

    def _url_refused(self, url: str) -> str:
        """Why the settings' one rule refuses ``url`` ("" when it is allowed): plain http://
        to a host other than this computer, unless a supervisor allowed it."""
        try:
            self.settings.with_value("central_url", url)
        except ConfigError as exc:
            return exc.message(current_language())
        return ""

    def accept(self) -> None:
        settings = self.new_settings()
        if settings is None:
            return
        try:
            self._save(settings)  # the core: role checked, saved, engine restarted
        except EktpError as exc:
            self.message.setText(exc.message(current_language()))
            return
        self.token_input.clear()
        self.settings = settings
        self.saved.emit(settings)
        super().accept()
