"""Selecting entries in a table of entries (the queue tab and the conflicts panel)."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QItemSelectionModel, QModelIndex
from PySide6.QtWidgets import QTableView

__all__ = ["select_entry", "selected_entry", "selected_row"]


class EntryRows(Protocol):
    def seq_at(self, row: int) -> int | None: ...

    def row_of(self, seq: int) -> int | None: ...

    def index(self, row: int, column: int, parent: QModelIndex = ...) -> QModelIndex: ...


def selected_row(table: QTableView) -> int | None:
    """The selected line, else the line with the keyboard focus (a list sets a current line
    on focus without selecting it)."""
    rows = table.selectionModel().selectedRows()
    if rows:
        return rows[0].row()
    current = table.currentIndex()
    return current.row() if current.isValid() else None


def selected_entry(table: QTableView, model: EntryRows) -> int | None:
    """The number of the entry on :func:`selected_row`."""
    row = selected_row(table)
    return None if row is None else model.seq_at(row)


def select_entry(table: QTableView, model: EntryRows, seq: int) -> bool:
    """Select (and scroll to) the line of entry ``seq``; False if it is not loaded."""
    row = model.row_of(seq)
    if row is None:
        return False
    index = model.index(row, 0)
    flags = (
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    )
    table.selectionModel().setCurrentIndex(index, flags)
    table.scrollTo(index)
    return True
