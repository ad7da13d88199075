"""The banner across the top of the window for what the storage tells: the queue file gone or
unusable (red: do not record), the disk almost full or a backup that failed (amber). Hidden
while all is well; fed with :class:`~ektp_station.station.health.StorageHealth`."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from ..station.health import StorageHealth
from .i18n import current_language

__all__ = ["StorageBanner"]

_STYLES = {
    "error": "background: #b00020; color: white; font-weight: bold; padding: 4px 8px;",
    "warning": "background: #ffd54f; color: #3e2723; padding: 4px 8px;",
}


class StorageBanner(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("storage_banner")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setAccessibleName(self.tr("Peringatan penyimpanan"))
        self.level = ""
        self.hide()

    def show_health(self, health: StorageHealth, *, supervisor: bool = False) -> None:
        """Every warning, most severe first; the colour of the most severe. The recovery key
        not yet written down is a supervisor's to act on: shown to them only."""
        warnings = [w for w in health.warnings if supervisor or w.code != "recovery_key_not_shown"]
        if not warnings:
            self.level = ""
            self.hide()
            return
        lang = current_language()
        self.level = warnings[0].level
        self.setStyleSheet(_STYLES[self.level])
        where = " " + self.tr("(menu Stasiun › Kunci pemulihan…)")
        self.setText(
            "\n".join(
                f"⚠ {w.message(lang)}" + (where if w.code == "recovery_key_not_shown" else "")
                for w in warnings
            )
        )
        self.show()
