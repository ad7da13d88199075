"""Signing in at the start of a shift: operator name and PIN, by keyboard only.

On a station without accounts the same dialog creates the first one, which becomes the
station's supervisor. Signing in is the core's use case (``Station.sign_in``): it counts wrong
PINs per name and locks a name for a while, whichever dialog asks. Checking a PIN is one short
local read and one scrypt computation (about 30 ms) on the GUI thread.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QRegularExpression, Qt, QTimer
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ..errors import EktpError, SignInLocked
from ..station import Actor, Station
from ..store.operators import MAX_PIN_LENGTH, MIN_PIN_LENGTH, MIN_SUPERVISOR_PIN_LENGTH
from .i18n import current_language

__all__ = ["LoginDialog"]

log = logging.getLogger(__name__)


class LoginDialog(QDialog):
    """``exec()`` returns Accepted with :attr:`actor` set (and the station signed in), or
    Rejected (Esc / "Batal")."""

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = station
        self.actor: Actor | None = None
        self.first_run = station.accounts.first_run()
        self.setObjectName("login_dialog")
        self.setWindowTitle(
            self.tr("Akun supervisor pertama")
            if self.first_run
            else self.tr("Masuk — Perekaman e-KTP")
        )
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr("Stasiun ini belum punya akun. Buat akun pertama: akun ini menjadi supervisor.")
            if self.first_run
            else self.tr("Masukkan nama akun dan PIN.")
        )
        intro.setObjectName("login_intro")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        layout.addLayout(form)
        self.name_input = QLineEdit()
        self.name_input.setObjectName("login_name")
        self.name_input.setMaxLength(60)
        if not self.first_run:
            completer = QCompleter(station.accounts.names(), self)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            self.name_input.setCompleter(completer)
        form.addRow(self._caption(self.tr("Nama akun"), self.name_input), self.name_input)
        digits = QRegularExpression(f"[0-9]{{0,{MAX_PIN_LENGTH}}}")
        self.pin_input = self._pin_field("login_pin")
        self.pin_input.setValidator(QRegularExpressionValidator(digits, self))
        form.addRow(self._caption(self.tr("PIN"), self.pin_input), self.pin_input)
        self.confirm_input: QLineEdit | None = None
        if self.first_run:
            self.confirm_input = self._pin_field("login_pin_again")
            self.confirm_input.setValidator(QRegularExpressionValidator(digits, self))
            form.addRow(
                self._caption(self.tr("Ulangi PIN"), self.confirm_input), self.confirm_input
            )
        self.message = QLabel()
        self.message.setObjectName("login_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Buat akun") if self.first_run else self.tr("Masuk"))
        self.ok_button.setDefault(True)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Batal"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._unlock_timer = QTimer(self)
        self._unlock_timer.setSingleShot(True)
        self._unlock_timer.timeout.connect(self._unlock)
        self.name_input.setFocus()

    def _caption(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        return label

    def _pin_field(self, name: str) -> QLineEdit:
        field = QLineEdit()
        field.setObjectName(name)
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setMaxLength(MAX_PIN_LENGTH)
        # the first account is the station's supervisor: a longer PIN
        low = MIN_SUPERVISOR_PIN_LENGTH if self.first_run else MIN_PIN_LENGTH
        field.setPlaceholderText(self.tr("{low}–{high} angka").format(low=low, high=MAX_PIN_LENGTH))
        return field

    # -- accepting ---------------------------------------------------------------------------

    def accept(self) -> None:
        if self._unlock_timer.isActive():  # locked after too many wrong PINs
            return
        name, pin = self.name_input.text().strip(), self.pin_input.text()
        if not name:
            self._refuse(self.tr("Isi nama operator."), self.name_input)
            return
        if self.first_run:
            self._create(name, pin)
        else:
            self._verify(name, pin)

    def _create(self, name: str, pin: str) -> None:
        assert self.confirm_input is not None
        if pin != self.confirm_input.text():
            self.confirm_input.clear()
            self._refuse(self.tr("PIN dan ulangan PIN berbeda. Ketik ulang PIN."), self.pin_input)
            return
        try:
            self.actor = self.station.create_first_account(name, pin)
        except EktpError as exc:
            self._refuse(exc.message(current_language()), self.pin_input)
            return
        log.info("first operator account created (supervisor)")
        super().accept()

    def _verify(self, name: str, pin: str) -> None:
        try:
            self.actor = self.station.sign_in(name, pin)
        except SignInLocked as exc:
            self._lock(exc)
            return
        except EktpError as exc:
            self._refuse(exc.message(current_language()), self.pin_input)
            return
        super().accept()

    def _refuse(self, text: str, focus: QLineEdit) -> None:
        self.message.setText(text)
        self.pin_input.clear()
        focus.setFocus()

    def _lock(self, exc: SignInLocked) -> None:
        self.message.setText(exc.message(current_language()))
        self.pin_input.clear()
        for widget in (self.name_input, self.pin_input, self.ok_button):
            widget.setEnabled(False)
        self._unlock_timer.start(max(1, exc.seconds) * 1000)

    def _unlock(self) -> None:
        self._unlock_timer.stop()
        self.message.clear()
        for widget in (self.name_input, self.pin_input, self.ok_button):
            widget.setEnabled(True)
        # While locked, focus fell to "Batal", which took over as the default button: give
        # Enter back to "Masuk", or the keyboard-only sign-in would cancel instead.
        self.ok_button.setDefault(True)
        self.pin_input.setFocus()
