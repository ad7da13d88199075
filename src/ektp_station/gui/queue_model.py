"""The queue as a table model: entry numbers only, a page at a time; the columns of the lines on
screen are read lazily, a block at a time, and forgotten on refresh.

Newest first. ``fetchMore`` loads the next keyset page (``seq`` below the last one loaded), so a
queue of 100,000 entries opens as fast as one of ten. :meth:`QueueModel.refresh` is cheap: new
entries are inserted at the top and the rest only repainted when the loaded numbers are still
the same, so the view keeps its selection and scroll position; otherwise the model resets.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QTableView

from ..domain import mask_nik, vocabulary
from ..station import Station
from ..store import State
from ..store.queries import EntrySummary
from ..store.states import MUST_RETURN
from .entry_form import field_label
from .i18n import QT_TRANSLATE_NOOP, current_language

__all__ = [
    "COLUMNS",
    "SEQ_ROLE",
    "SHOWN_STATES",
    "QueueModel",
    "fit_columns",
    "note_of",
    "state_label",
]

#: The states in the order the filters and the dashboard show them.
SHOWN_STATES: tuple[State, ...] = tuple(State)
COLUMNS = (
    QT_TRANSLATE_NOOP("QueueModel", "No."),
    QT_TRANSLATE_NOOP("QueueModel", "Status"),
    QT_TRANSLATE_NOOP("QueueModel", "Waktu"),
    QT_TRANSLATE_NOOP("QueueModel", "NIK"),
    QT_TRANSLATE_NOOP("QueueModel", "Nama"),
    QT_TRANSLATE_NOOP("QueueModel", "Operator"),
    QT_TRANSLATE_NOOP("QueueModel", "Catatan"),
)
SEQ_ROLE = Qt.ItemDataRole.UserRole + 1

PAGE_SIZE = 200
MAX_RELOAD = 5000  # a refresh re-reads at most this many loaded numbers (an index-only read)
_BLOCK_BEFORE, _BLOCK_AFTER = 20, 100  # lines read around the one asked for
_CACHE_LIMIT = 3000

_STATE_COLOURS = {
    State.REJECTED: "#c62828",
    State.CONFLICT: "#b26a00",
    State.SYNCED: "#2e7d32",
    State.DISCARDED: "#757575",
    State.RESOLVED: "#757575",
}

Index = QModelIndex | QPersistentModelIndex


def state_label(state: State) -> str:
    """The state's name in the station's language (the one vocabulary)."""
    return vocabulary.state_label(state.value, current_language())


def fit_columns(table: QTableView) -> None:
    """A list of entries (the queue tab's, the conflicts'): each column as wide as its usual
    longest value in the font on screen, the state in either language; the note, last,
    takes the rest."""
    metrics = table.fontMetrics()
    states = [state_label(state) for state in SHOWN_STATES] + [
        vocabulary.enrolment_label(status, current_language())
        for status in vocabulary.ENROLMENT_LABELS
    ]
    samples = ("000000", max(states, key=len), "00-00-0000 00:00", "3276********0000")
    for column, sample in enumerate((*samples, "NAMA LENGKAP PENDUDUK", "SUPERVISOR DEMO")):
        table.setColumnWidth(column, metrics.horizontalAdvance(sample) + 24)


def note_of(summary: EntrySummary) -> str:
    """The centre's first field error (with the field's label), else the last error; for a
    resident who must come back, why (the centre's reason)."""
    if summary.enrolment in MUST_RETURN and summary.enrolment_reason:
        return vocabulary.enrolment_reason(summary.enrolment_reason, current_language())
    if summary.parts_missing > 0 and summary.state in (
        State.PENDING,
        State.REJECTED,
        State.UPLOADING,
    ):
        # it waits for the parts, not for the link: say what to do
        return QCoreApplication.translate(
            "QueueModel", "Biometrik belum lengkap ({n} bagian): Lengkapi biometrik (F3)"
        ).format(n=summary.parts_missing)
    if summary.error_message:
        label = field_label(summary.error_field or "")
        return f"{label}: {summary.error_message}" if label else summary.error_message
    if summary.last_error and summary.state in (State.PENDING, State.SENDING):
        # the engine's own text is for the log; the operator needs to know nothing is lost
        return QCoreApplication.translate(
            "QueueModel", "Belum terkirim (jaringan); dikirim otomatis."
        )
    return summary.last_error or ""


class QueueModel(QAbstractTableModel):
    def __init__(
        self,
        station: Station,
        *,
        state: State | None = None,
        page_size: int = PAGE_SIZE,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.station = station
        self.page_size = page_size
        self._state = state
        self._search = ""
        self._must_return = False
        self._seqs: list[int] = []
        self._exhausted = False
        self._cache: dict[int, EntrySummary] = {}
        self._load_first_page()

    # -- filtering ---------------------------------------------------------------------------

    @property
    def state(self) -> State | None:
        return self._state

    @property
    def search(self) -> str:
        return self._search

    @property
    def must_return(self) -> bool:
        return self._must_return

    def set_filter(self, state: State | None, search: str = "", must_return: bool = False) -> None:
        """Entries in ``state`` (None: all) matching ``search``; only the residents who must
        come back (the centre's decision) with ``must_return``."""
        search = search.strip()
        if (state, search, must_return) == (self._state, self._search, self._must_return):
            return
        self.beginResetModel()
        self._state, self._search, self._must_return = state, search, must_return
        self._load_first_page()
        self.endResetModel()

    def _load_first_page(self) -> None:
        self._cache.clear()
        self._seqs = self._page(limit=self.page_size)
        self._exhausted = len(self._seqs) < self.page_size

    def _page(self, **where: Any) -> list[int]:
        return self.station.page_seqs(
            state=self._state, search=self._search, must_return=self._must_return, **where
        )

    # -- refreshing --------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read after the queue changed: two index reads, then insert, repaint or reset."""
        old = self._seqs
        self._cache.clear()
        if old:
            added = self._page(after_seq=old[0], limit=MAX_RELOAD)
            limit = min(max(len(old), self.page_size), MAX_RELOAD)
            kept = self._page(before_seq=old[0] + 1, limit=limit)
            n = min(len(old), limit)
            if len(added) < MAX_RELOAD:
                if kept[:n] == old[:n]:
                    self._exhausted = len(kept) < limit
                    self._update_in_place(added, kept, n)
                else:  # entries left the filter (or joined it below the top): reload as far
                    self.beginResetModel()
                    self._seqs = added + kept
                    self._exhausted = len(kept) < limit
                    self.endResetModel()
                return
        self.beginResetModel()
        self._load_first_page()
        self.endResetModel()

    def _update_in_place(self, added: list[int], kept: list[int], n: int) -> None:
        """The first ``n`` loaded numbers are unchanged: drop what lies beyond a refresh's
        reach, append what appeared below, insert the new entries on top, repaint."""
        if len(self._seqs) > n:
            self.beginRemoveRows(QModelIndex(), n, len(self._seqs) - 1)
            del self._seqs[n:]
            self.endRemoveRows()
        if len(kept) > n:
            self.beginInsertRows(QModelIndex(), n, len(kept) - 1)
            self._seqs.extend(kept[n:])
            self.endInsertRows()
        if added:
            self.beginInsertRows(QModelIndex(), 0, len(added) - 1)
            self._seqs[:0] = added
            self.endInsertRows()
        if self._seqs:
            last = self.index(len(self._seqs) - 1, len(COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    # -- paging ------------------------------------------------------------------------------

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted:
            return
        before = self._seqs[-1] if self._seqs else None
        more = self._page(before_seq=before, limit=self.page_size)
        if len(more) < self.page_size:
            self._exhausted = True
        if more:
            first = len(self._seqs)
            self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
            self._seqs.extend(more)
            self.endInsertRows()

    # -- the table ---------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._seqs)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            orientation is Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return QCoreApplication.translate("QueueModel", COLUMNS[section])
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._seqs):
            return None
        if role == SEQ_ROLE:
            return self._seqs[index.row()]
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.ForegroundRole,
        ):
            return None
        summary = self.summary(index.row())
        if summary is None:
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if index.column() != 1:
                return None
            if summary.enrolment in MUST_RETURN:
                return QBrush(QColor(_STATE_COLOURS[State.REJECTED]))
            if summary.state not in _STATE_COLOURS:
                return None
            return QBrush(QColor(_STATE_COLOURS[summary.state]))
        text = _cell(summary, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return text if index.column() == len(COLUMNS) - 1 and text else None
        return text

    # -- lines -------------------------------------------------------------------------------

    def seq_at(self, row: int) -> int:
        return self._seqs[row]

    def row_of(self, seq: int) -> int | None:
        try:
            return self._seqs.index(seq)
        except ValueError:
            return None

    def summary(self, row: int) -> EntrySummary | None:
        """The row's columns, read with its neighbours on a miss (one query per block)."""
        seq = self._seqs[row]
        found = self._cache.get(seq)
        if found is None:
            if len(self._cache) > _CACHE_LIMIT:
                self._cache.clear()
            block = self._seqs[max(0, row - _BLOCK_BEFORE) : row + _BLOCK_AFTER]
            self._cache.update(
                self.station.entry_summaries([s for s in block if s not in self._cache])
            )
            found = self._cache.get(seq)  # None if the entry vanished (never: entries stay)
        return found


def _cell(summary: EntrySummary, column: int) -> str:
    match column:
        case 0:
            return str(summary.seq)
        case 1:
            if summary.state is State.SYNCED and summary.enrolment:
                return vocabulary.enrolment_label(summary.enrolment, current_language())
            return state_label(summary.state)
        case 2:
            return summary.captured_at.astimezone().strftime("%d-%m-%Y %H:%M")
        case 3:
            return mask_nik(summary.nik)
        case 4:
            if summary.purged:  # someone looks for the name: it says where it went
                return QCoreApplication.translate("QueueModel", "(data pribadi dihapus)")
            return summary.full_name
        case 5:
            return summary.operator
        case _:
            return note_of(summary)
