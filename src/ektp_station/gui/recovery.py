"""The supervisor's "Kunci pemulihan…": the queue's recovery key, shown once in a dialog to
be written down (docs/encryption.md). The core refuses a second showing (RecoveryKeyShown)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from ..errors import EktpError
from ..station import Station
from .i18n import current_language

__all__ = ["RecoveryKeyDialog", "show_recovery_key"]


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
