"""The "Antrean" tab: every entry of the queue, newest first, with a state filter, a search by
NIK digits or name, and the two actions on the selected entry: "Perbaiki" (F2 or Enter) for a
waiting or rejected entry, "Batalkan" (Delete) with a reason.

Everything here is keyboard-reachable: Ctrl+F to the search box, Tab through the filter, the
list and the buttons.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..errors import EktpError
from ..station import Station
from ..store import Entry, State
from .correction import CorrectionDialog, CorrectionForm
from .i18n import current_language
from .queue_model import SHOWN_STATES, QueueModel, fit_columns, state_label
from .reason import ReasonDialog
from .receipt import Receipt, open_receipt
from .selection import select_entry, selected_entry, selected_row

if TYPE_CHECKING:
    from .devices import CaptureDevice

__all__ = ["SEARCH_DELAY_MS", "QueueTab"]

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 300
MUST_RETURN_FILTER = "must_return"  # the filter item that is not a state


class QueueTab(QWidget):
    """What may be done to an entry is the core's to say (``Station.actions_for``); changes
    reach every view through the core's one change notification."""

    def __init__(self, station: Station, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = station
        self.model = QueueModel(station, parent=self)
        self.correction_dialog: CorrectionDialog | None = None
        self.reason_dialog: ReasonDialog | None = None
        self._selected_before_reset: int | None = None
        self._build()
        self._show_counts()

    # -- building ----------------------------------------------------------------------------

    @property
    def _choose_first(self) -> str:
        return self.tr("Pilih dulu satu entri di daftar.")

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        layout.addLayout(bar)
        self.state_combo = QComboBox()
        self.state_combo.setObjectName("state_filter")
        self.state_combo.addItem(self.tr("Semua status"), None)
        for state in SHOWN_STATES:
            self.state_combo.addItem(state_label(state), state.value)
        # the residents the centre's decision sends back (duplicate, adjudication)
        self.state_combo.addItem(self.tr("Perlu rekam ulang"), MUST_RETURN_FILTER)
        state_caption = QLabel(self.tr("&Status:"))
        state_caption.setBuddy(self.state_combo)
        bar.addWidget(state_caption)
        bar.addWidget(self.state_combo)
        self.search_input = QLineEdit()
        self.search_input.setObjectName("search_input")
        self.search_input.setPlaceholderText(self.tr("NIK (angka) atau nama · Ctrl+F"))
        self.search_input.setClearButtonEnabled(True)
        search_label = QLabel(self.tr("&Cari:"))
        search_label.setBuddy(self.search_input)
        bar.addWidget(search_label)
        bar.addWidget(self.search_input, 1)
        self.count_label = QLabel()
        self.count_label.setObjectName("count_label")
        bar.addWidget(self.count_label)

        self.table = QTableView()
        self.table.setObjectName("queue_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)  # Tab leaves the list for the buttons
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        fit_columns(self.table)
        layout.addWidget(self.table, 1)

        buttons = QHBoxLayout()
        layout.addLayout(buttons)
        self.fix_button = QPushButton(self.tr("&Perbaiki (F2)"))
        self.fix_button.setObjectName("fix_button")
        self.fix_button.clicked.connect(self.open_correction)
        self.discard_button = QPushButton(self.tr("Batalkan &entri (Del)"))
        self.discard_button.setObjectName("discard_button")
        self.discard_button.clicked.connect(self.ask_discard)
        #: the capture devices, when the station has some (``gui.biometrics``)
        self.devices: Mapping[str, CaptureDevice] | None = None
        self.complete_button = QPushButton(self.tr("&Lengkapi biometrik (F3)"))
        self.complete_button.setObjectName("complete_button")
        self.complete_button.clicked.connect(self.finish_recording)
        self.complete_button.hide()  # shown where there are devices
        self.receipt_button = QPushButton(self.tr("B&uka bukti (Ctrl+P)"))
        self.receipt_button.setObjectName("receipt_button")
        self.receipt_button.clicked.connect(self.open_receipt)
        buttons.addWidget(self.fix_button)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.receipt_button)
        buttons.addWidget(self.complete_button)
        buttons.addStretch(1)
        self.message_label = QLabel()
        self.message_label.setObjectName("queue_message")
        buttons.addWidget(self.message_label)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search_input.textChanged.connect(lambda _t: self._search_timer.start())
        self.search_input.returnPressed.connect(self.apply_filter)
        self.state_combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        selection = self.table.selectionModel()
        selection.selectionChanged.connect(lambda *_a: self._update_actions())
        selection.currentChanged.connect(lambda *_a: self._update_actions())
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.model.modelReset.connect(self._restore_selection)
        self.model.rowsInserted.connect(lambda *_a: self._show_counts())

        for keys, slot, widget in (
            ("F2", self.open_correction, self),
            ("Delete", self.ask_discard, self.table),  # in the list only: not in the search box
            ("Ctrl+F", self._focus_search, self),
            ("Ctrl+P", self.open_receipt, self),
            ("F3", self.finish_recording, self),
            ("Return", self.open_correction, self.table),
            ("Enter", self.open_correction, self.table),
        ):
            shortcut = QShortcut(QKeySequence(keys), widget)
            shortcut.setContext(
                Qt.ShortcutContext.WidgetShortcut
                if widget is self.table
                else Qt.ShortcutContext.WidgetWithChildrenShortcut
            )
            shortcut.activated.connect(slot)
        self._update_actions()

    # -- filtering and refreshing ------------------------------------------------------------

    def selected_state(self) -> State | None:
        value = self.state_combo.currentData()
        return None if value in (None, MUST_RETURN_FILTER) else State(value)

    def apply_filter(self) -> None:
        self._search_timer.stop()
        self.model.set_filter(
            self.selected_state(),
            self.search_input.text(),
            must_return=self.state_combo.currentData() == MUST_RETURN_FILTER,
        )
        self._show_counts()
        self._update_actions()

    def refresh(self) -> None:
        """After a save, a correction or a sync batch: cheap, keeps the selection."""
        self.model.refresh()
        self._show_counts()
        self._update_actions()

    def _focus_search(self) -> None:
        self.search_input.setFocus()
        self.search_input.selectAll()

    def _show_counts(self) -> None:
        loaded = self.model.rowCount()
        if self.model.search:
            more = "+" if self.model.canFetchMore() else ""
            self.count_label.setText(self.tr("{count} cocok").format(count=f"{loaded}{more}"))
            return
        state = self.model.state
        status = self.station.status()  # a handful of counter rows
        counts = status.counts
        total = counts[state.value] if state is not None else sum(counts.values())
        if self.model.must_return:
            total = status.must_return
        self.count_label.setText(
            self.tr("{loaded} dari {total} entri").format(loaded=loaded, total=total)
        )

    # -- selection ---------------------------------------------------------------------------

    def selected_seq(self) -> int | None:
        return selected_entry(self.table, self.model)

    def select_seq(self, seq: int) -> bool:
        return select_entry(self.table, self.model, seq)

    def _remember_selection(self) -> None:
        self._selected_before_reset = self.selected_seq()

    def _restore_selection(self) -> None:
        seq, self._selected_before_reset = self._selected_before_reset, None
        if seq is not None:
            self.select_seq(seq)
        self._update_actions()

    def _selected_summary_state(self) -> State | None:
        row = selected_row(self.table)
        if row is None:
            return None
        summary = self.model.summary(row)
        return None if summary is None else summary.state

    def _actions(self, state: State | None) -> frozenset[str]:
        return frozenset() if state is None else self.station.actions_for(state)

    def _update_actions(self) -> None:
        allowed = self._actions(self._selected_summary_state())
        self.fix_button.setEnabled("correct" in allowed)
        self.discard_button.setEnabled("discard" in allowed)
        self.receipt_button.setEnabled(self.selected_seq() is not None)
        self.complete_button.setEnabled(self._can_complete())
        if self.selected_seq() is not None and self.message_label.text() == self._choose_first:
            self.message_label.clear()  # the hint is answered

    def _can_complete(self) -> bool:
        """ "Lengkapi biometrik": for a waiting entry that lacks parts (or has none yet)."""
        row = selected_row(self.table)
        summary = None if row is None else self.model.summary(row)
        waiting = (State.PENDING, State.REJECTED, State.UPLOADING)
        return summary is not None and summary.state in waiting and summary.parts_missing != 0

    # -- actions -----------------------------------------------------------------------------

    def _selected_entry(self) -> Entry | None:
        seq = self.selected_seq()
        if seq is None:
            self._say(self._choose_first)
            return None
        try:
            return self.station.entry(seq)
        except EktpError as exc:
            self._say(exc.message(current_language()))
            return None

    def open_receipt(self) -> None:
        """The "Buka bukti" button: the selected entry's receipt in the print preview."""
        entry = self._selected_entry()
        if entry is not None:
            open_receipt(Receipt.from_entry(entry), self)

    def finish_recording(self) -> None:
        """ "Lengkapi biometrik" (F3): take the parts the selected entry still lacks."""
        from .recording import finish_recording  # it imports this module

        entry = self._selected_entry()
        if entry is None or self.devices is None:
            return
        if entry.state not in (State.PENDING, State.REJECTED, State.UPLOADING):
            self._say(self.tr("Entri ini tidak menunggu biometrik."))
            return
        finish_recording(self, entry.seq, self.devices)

    def open_correction(self) -> None:
        entry = self._selected_entry()
        if entry is None:
            return
        if "correct" not in self._actions(entry.state):
            self._say(
                self.tr(
                    "Entri No. {seq} berstatus {state}: tidak dapat diperbaiki di sini."
                ).format(seq=entry.seq, state=state_label(entry.state))
            )
            return
        form = CorrectionForm(self.station, entry)
        dialog = CorrectionDialog(form, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # bound to its form: the dialog's own slot on ``saved`` (accept) runs first and, as it
        # closes, clears ``correction_dialog``
        form.saved.connect(lambda saved, f=form: self._corrected(saved, f))
        dialog.finished.connect(self._correction_closed)
        self.correction_dialog = dialog
        dialog.open()

    def _corrected(self, entry: Entry, form: CorrectionForm) -> None:
        if form.changed_fields:
            text = self.tr(
                "Perbaikan entri No. {seq} tersimpan (revisi {revision}); "
                "dikirim ke pusat saat jaringan ada."
            )
        else:
            text = self.tr("Entri No. {seq}: tidak ada yang berubah.")
        self._say(text.format(seq=entry.seq, revision=entry.revision))
        self.refresh()
        self.select_seq(entry.seq)

    def _correction_closed(self, _result: int) -> None:
        self.correction_dialog = None
        self.table.setFocus()

    def ask_discard(self) -> None:
        entry = self._selected_entry()
        if entry is None:
            return
        if "discard" not in self._actions(entry.state):
            self._say(
                self.tr(
                    "Entri No. {seq} berstatus {state}: tidak dapat dibatalkan di sini."
                ).format(seq=entry.seq, state=state_label(entry.state))
            )
            return
        dialog = ReasonDialog(
            self.tr("Batalkan entri No. {seq}").format(seq=entry.seq),
            self.tr("Entri tidak akan dikirim ke pusat. Tulis alasannya (dicatat di riwayat):"),
            ok_text=self.tr("Batalkan entri"),
            parent=self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.discard(entry.seq, dialog.reason()))
        dialog.finished.connect(self._reason_closed)
        self.reason_dialog = dialog
        dialog.open()

    def _reason_closed(self, _result: int) -> None:
        self.reason_dialog = None
        self.table.setFocus()

    def discard(self, seq: int, reason: str) -> None:
        try:
            self.station.discard(seq, reason)
        except EktpError as exc:
            log.warning("entry %d not discarded: %s", seq, exc.__class__.__name__)
            self._say(exc.message(current_language()))
            return
        self._say(self.tr("Entri No. {seq} dibatalkan.").format(seq=seq))

    def _say(self, text: str) -> None:
        self.message_label.setText(text)
