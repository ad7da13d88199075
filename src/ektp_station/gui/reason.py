"""A small prompt for the reason of a withdrawal or a resolution (kept in the audit trail)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

__all__ = ["ReasonDialog"]


class ReasonDialog(QDialog):
    """Enter types the reason and confirms; Esc cancels. OK stays disabled while it is blank."""

    def __init__(
        self,
        title: str,
        prompt: str,
        *,
        ok_text: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        label = QLabel(prompt)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.reason_input = QLineEdit()
        self.reason_input.setObjectName("reason_input")
        self.reason_input.setMaxLength(200)
        label.setBuddy(self.reason_input)
        layout.addWidget(self.reason_input)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text or self.tr("OK"))
        self.ok_button.setDefault(True)  # Enter in the reason confirms (once there is one)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(
            self.tr("Kembali (Esc)")
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.reason_input.textChanged.connect(self._changed)
        self._changed("")

    def _changed(self, text: str) -> None:
        self.ok_button.setEnabled(bool(text.strip()))

    def accept(self) -> None:
        if self.reason():
            super().accept()

    def reason(self) -> str:
        return " ".join(self.reason_input.text().split())
