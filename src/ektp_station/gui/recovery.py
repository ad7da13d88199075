"""The queue's recovery key in the window (docs/encryption.md): the supervisor's "Kunci
pemulihan…" shows it to be written down; once "Sudah saya catat" is pressed it is never shown
again (the core refuses, RecoveryKeyShown; closed otherwise, it can be shown again); at
start-up, when the queue's key is not on this PC, typing it puts the key
back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ..errors import EktpError
from ..paths import AppPaths
from ..station import Station
from .i18n import current_language

__all__ = ["RecoveryKeyDialog", "RecoveryKeyEntry", "show_recovery_key"]


class RecoveryKeyDialog(QDialog):
    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recovery_key_dialog")
        self.setWindowTitle(self.tr("Kunci pemulihan antrean"))
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Tulis kunci ini di kertas dan simpan di tempat aman (brankas kelurahan), "
                "terpisah dari komputer ini dan dari cadangannya. Kunci ini membuka cadangan "
                "antrean di komputer lain. Kunci hanya ditampilkan sekali ini."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.key_label = QLabel(key)
        self.key_label.setObjectName("recovery_key")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.key_label.setFont(font)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.key_label)
        buttons = QDialogButtonBox()
        done = buttons.addButton(
            self.tr("Sudah saya catat"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        done.setDefault(True)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)


def show_recovery_key(parent: QWidget, station: Station) -> RecoveryKeyDialog | str:
    """The dialog (opened, window-modal), or the translated reason it cannot be shown."""
    try:
        key = station.recovery_key()
    except EktpError as exc:
        return exc.message(current_language())
    dialog = RecoveryKeyDialog(key, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


class RecoveryKeyEntry(QDialog):
    """At start-up, when the queue's key is not on this PC (KeyMissing): the recovery key,
    typed, puts it back (``store.encryption.recover_key``); a wrong one says so and waits."""

    def __init__(self, paths: AppPaths, message: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recovery_key_entry")
        self.setWindowTitle(self.tr("Kunci antrean tidak ada"))
        self.paths = paths
        layout = QVBoxLayout(self)
        intro = QLabel(message)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.key_edit = QLineEdit()
        self.key_edit.setObjectName("recovery_key_edit")
        self.key_edit.setPlaceholderText("XXXX-XXXX-…")
        self.key_edit.setAccessibleName(self.tr("Kunci pemulihan"))
        layout.addWidget(QLabel(self.tr("Kunci pemulihan (56 karakter):")))
        layout.addWidget(self.key_edit)
        self.error_label = QLabel()
        self.error_label.setObjectName("recovery_key_error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Pulihkan kunci"))
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("Batal"))
        buttons.accepted.connect(self.try_key)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, self.sizeHint().height())

    def try_key(self) -> None:
        from ..store.encryption import recover_key
        from ..store.keys import KeyStore, parse_recovery_key
        from ..store.queue import DB_FILENAME, QUEUE_ID_FILENAME

        data_dir = self.paths.data_dir
        try:
            key = parse_recovery_key(self.key_edit.text())
            recover_key(
                data_dir / DB_FILENAME,
                data_dir / QUEUE_ID_FILENAME,
                KeyStore.for_data_dir(data_dir),
                key,
            )
        except EktpError as exc:
            self.error_label.setText(exc.message(current_language()))
            self.key_edit.selectAll()
            self.key_edit.setFocus()
            return
        self.accept()
