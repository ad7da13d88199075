"""Small input widgets of the entry form: capitals as typed, value lists with type-to-search,
and the label that shows a field's problems."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, QStringListModel, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QCompleter, QLabel, QLineEdit, QWidget

from ..domain import Problem

__all__ = ["ProblemLabel", "UpperLineEdit", "ValueCombo", "mark_problem"]

ERROR_COLOUR = "#c62828"
WARNING_COLOUR = "#b26a00"


class UpperLineEdit(QLineEdit):
    """A line edit whose text is forced to capitals as it is typed or pasted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.textEdited.connect(self._to_upper)

    def _to_upper(self, text: str) -> None:
        upper = text.upper()
        if upper != text:
            cursor = self.cursorPosition()
            self.setText(upper)
            self.setCursorPosition(cursor)


class ValueCombo(QComboBox):
    """An editable combo box over a fixed list: type to search, case-insensitive. The popup
    lists the items that start with what was typed first, in the list's order, then those
    that contain it ("T" lists Tugu before Harjamukti); Enter takes the highlighted item, Tab
    the highlighted one or else the first. The full value shows at once, in the list's own
    spelling: what is typed is completed in place with the first item it starts ("cim" shows
    Cim|anggis, the rest selected, so the next key types over it and Backspace removes it). An
    unambiguous partial entry stands for the listed value it fits ("swasta" for KARYAWAN
    SWASTA), shown in full when the operator leaves the field.

    Items may carry data (e.g. a region code); :meth:`value` returns the data of the chosen item,
    or the typed text when it matches no item (validation then says what is wrong).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self._matches = QStringListModel(self)
        completer = QCompleter(self._matches, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        line = self.lineEdit()
        assert line is not None
        line.setCompleter(completer)  # in place of the combo's own, which matches anywhere
        line.textEdited.connect(self._typed)
        popup = completer.popup()
        assert popup is not None
        popup.installEventFilter(self)
        self.matcher = completer
        self._typed_text = ""  # what the operator typed last, before any completion in place

    def matches(self, typed: str) -> list[str]:
        """The items for ``typed``: those starting with it first, then those containing it."""
        wanted = typed.strip().casefold()
        items = [self.itemText(i) for i in range(self.count())]
        if not wanted:
            return items
        first = [item for item in items if item.casefold().startswith(wanted)]
        rest = [item for item in items if wanted in item.casefold() and item not in first]
        return first + rest

    def _typed(self, text: str) -> None:
        grew = len(text) > len(self._typed_text)  # not a deletion: those are never undone
        self._typed_text = text
        self._matches.setStringList(self.matches(text))
        if text.strip() and self._matches.rowCount():
            self.matcher.complete()  # nothing highlighted in the popup
        if grew:
            self._complete_in_place(text)

    def _complete_in_place(self, typed: str) -> None:
        line = self.lineEdit()
        if line is None or line.cursorPosition() != len(typed) or not typed.strip():
            return
        wanted = typed.casefold()
        items = [self.itemText(i) for i in range(self.count())]
        exact = [item for item in items if item.casefold() == wanted]
        if exact:  # "O" is a value of its own, though "O+" starts with it
            if exact[0] != typed:
                line.setText(exact[0])
            return
        for item in items:
            if item.casefold().startswith(wanted):
                line.setText(item)  # no textEdited: the popup keeps what was typed
                line.setSelection(len(typed), len(item) - len(typed))
                return

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Tab (and Shift+Tab) on the open popup take the highlighted item, as Enter does."""
        popup = self.matcher.popup()
        if (
            popup is not None
            and watched is popup
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
        ):
            index = popup.currentIndex()
            if not index.isValid() and self._matches.rowCount():
                index = self._matches.index(0, 0)  # none chosen: the best one
            if index.isValid():
                self.set_text(str(index.data()))
            popup.hide()
        return super().eventFilter(watched, event)

    def set_items(self, items: Iterable[tuple[str, object]]) -> None:
        """Replace the list with ``(text, data)`` pairs and leave the field empty."""
        with QSignalBlocker(self):
            self.clear()
            for text, data in items:
                self.addItem(text, data)
            self.clear_text()

    def clear_text(self) -> None:
        self.setCurrentIndex(-1)
        self.setEditText("")
        self._typed_text = ""

    def text(self) -> str:
        return self.currentText().strip()

    def set_text(self, text: str) -> None:
        index = self.findText(text, Qt.MatchFlag.MatchFixedString)
        if index >= 0:
            self.setCurrentIndex(index)
        else:
            self.setEditText(text)

    def match_index(self) -> int | None:
        """The item the typed text stands for, if only one fits it."""
        text = self.text()
        if not text:
            return None
        return _best_match([self.itemText(i) for i in range(self.count())], text)

    def value(self) -> str:
        """The matching item's data (its text if it has none), else the typed text."""
        index = self.match_index()
        if index is None:
            return self.text()
        data = self.itemData(index)
        return self.itemText(index) if data is None else str(data)

    def resolve(self) -> None:
        """Show the listed value the typed text stands for (on leaving the field)."""
        index = self.match_index()
        if index is not None and self.currentText() != self.itemText(index):
            self.setCurrentIndex(index)


def _best_match(items: Sequence[str], typed: str) -> int | None:
    """Exact (any case), else the one item starting with it, else the one containing it."""
    wanted = typed.casefold()
    folded = [item.casefold() for item in items]
    if wanted in folded:
        return folded.index(wanted)
    for hits in (
        [i for i, s in enumerate(folded) if s.startswith(wanted)],
        [i for i, s in enumerate(folded) if wanted in s],
    ):
        if len(hits) == 1:
            return hits[0]
    return None


class ProblemLabel(QLabel):
    """Under a field: its problems, red for errors, orange for warnings; hidden when none,
    its place kept (one line), so that the form never moves while the operator types."""

    def __init__(self, field: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.setObjectName(f"problem_{field}")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setMinimumHeight(self.fontMetrics().lineSpacing() + 3)  # one line, marks included
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.setSizePolicy(policy)
        self.severity = ""
        self.hide()

    def show_problems(self, problems: Sequence[Problem], lang: str = "id") -> None:
        if not problems:
            self.show_message("", "")
            return
        worst = "error" if any(p.is_error for p in problems) else "warning"
        self.show_message("\n".join(p.message(lang) for p in problems), worst)

    def show_message(self, text: str, severity: str) -> None:
        severity = severity if text else ""
        self.setText(("✖ " if severity == "error" else "⚠ ") + text if text else "")
        if severity != self.severity:  # re-styled only when it changes (style sheets cost)
            self.severity = severity
            colour = ERROR_COLOUR if severity == "error" else WARNING_COLOUR
            self.setStyleSheet(f"color: {colour};" if severity else "")
        self.setVisible(bool(text))


def mark_problem(widget: QWidget, severity: str) -> None:
    """The field itself marked (a red or orange frame, by the style sheet's ``problem``
    property): "error", "warning" or "" (none)."""
    if widget.property("problem") == severity:
        return
    widget.setProperty("problem", severity)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
