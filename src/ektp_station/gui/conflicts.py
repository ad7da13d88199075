"""Conflicts for a supervisor's review: entries the centre refused because it already holds the
resident (or the entry's id). A supervisor marks one resolved ("Tandai selesai": the state
``resolved``, the resident is recorded) or withdraws it ("Batalkan": ``discarded``); the note
lands in the audit trail. Both go through the core, which checks the role.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..errors import EktpError
from ..station import Station
from ..store import State
from .i18n import current_language
from .queue_model import QueueModel, fit_columns
from .reason import ReasonDialog
from .selection import select_entry, selected_entry

__all__ = ["ConflictsPanel"]

log = logging.getLogger(__name__)


class ConflictsPanel(QWidget):
    def __init__(self, station: Station, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = station
        self.model = QueueModel(station, state=State.CONFLICT, parent=self)
        self.reason_dialog: ReasonDialog | None = None
        layout = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setObjectName("conflicts_title")
        layout.addWidget(self.title)
        self.table = QTableView()
        self.table.setObjectName("conflicts_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        fit_columns(self.table)
        self.table.setColumnHidden(1, True)  # every row is a conflict: the room is the note's
        self.title.setBuddy(self.table)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        layout.addLayout(buttons)
        self.resolve_button = QPushButton(self.tr("Tandai &selesai"))
        self.resolve_button.setObjectName("resolve_button")
        self.resolve_button.clicked.connect(self.ask_resolve)
        self.withdraw_button = QPushButton(self.tr("Batalkan e&ntri konflik"))
        self.withdraw_button.setObjectName("withdraw_button")
        self.withdraw_button.clicked.connect(self.ask_withdraw)
        buttons.addWidget(self.resolve_button)
        buttons.addWidget(self.withdraw_button)
        buttons.addStretch(1)
        self.message_label = QLabel()
        self.message_label.setObjectName("conflicts_message")
        buttons.addWidget(self.message_label)
        shortcut = QShortcut(QKeySequence("Delete"), self.table)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(self.ask_withdraw)
        selection = self.table.selectionModel()
        selection.selectionChanged.connect(lambda *_a: self._update())
        selection.currentChanged.connect(lambda *_a: self._update())
        self.model.modelReset.connect(self._update)
        self.model.rowsInserted.connect(lambda *_a: self._update())
        self.model.rowsRemoved.connect(lambda *_a: self._update())
        self._update()

    def refresh(self) -> None:
        self.model.refresh()
        self._update()

    def _update(self) -> None:
        count = self.model.rowCount()
        more = "+" if self.model.canFetchMore() else ""
        self.title.setText(
            self.tr("&Konflik untuk ditinjau: {count}").format(count=f"{count}{more}")
        )
        selected = self.selected_seq() is not None
        self.resolve_button.setEnabled(selected)
        self.withdraw_button.setEnabled(selected)

    def selected_seq(self) -> int | None:
        return selected_entry(self.table, self.model)

    def select_seq(self, seq: int) -> bool:
        return select_entry(self.table, self.model, seq)

    def ask_resolve(self) -> None:
        self._ask(
            self.tr("Tandai konflik selesai — No. {seq}"),
            self.tr("Bagaimana konflik ini diselesaikan? (dicatat di riwayat)"),
            self.tr("Tandai selesai"),
            self.resolve,
        )

    def ask_withdraw(self) -> None:
        self._ask(
            self.tr("Batalkan entri konflik — No. {seq}"),
            self.tr("Entri tidak akan dikirim ke pusat. Tulis alasannya (dicatat di riwayat):"),
            self.tr("Batalkan entri"),
            self.withdraw,
        )

    def _ask(
        self, title: str, prompt: str, ok_text: str, action: Callable[[int, str], None]
    ) -> None:
        seq = self.selected_seq()
        if seq is None:
            self.message_label.setText(self.tr("Pilih dulu satu konflik."))
            return
        dialog = ReasonDialog(title.format(seq=seq), prompt, ok_text=ok_text, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: action(seq, dialog.reason()))
        dialog.finished.connect(self._dialog_closed)
        self.reason_dialog = dialog
        dialog.open()

    def _dialog_closed(self, _result: int) -> None:
        self.reason_dialog = None
        self.table.setFocus()

    def resolve(self, seq: int, note: str) -> None:
        """The resident is recorded (at the centre): close the conflict as ``resolved``."""
        self._act(
            lambda: self.station.resolve(seq, note), self.tr("Konflik No. {seq} selesai."), seq
        )

    def withdraw(self, seq: int, reason: str) -> None:
        """Withdraw the conflict entry (``discarded``), with the reason."""
        self._act(
            lambda: self.station.discard(seq, reason), self.tr("Konflik No. {seq} dibatalkan."), seq
        )

    def _act(self, use_case: Callable[[], object], done: str, seq: int) -> None:
        try:
            use_case()
        except EktpError as exc:
            log.warning("conflict %d not closed: %s", seq, exc.__class__.__name__)
            self.message_label.setText(exc.message(current_language()))
            return
        self.message_label.setText(done.format(seq=seq))
        self.refresh()
