"""The supervisor's "Akun operator…": the station's accounts, and adding, disabling and
resetting them through the core's use cases (``Station.add_operator``, ``set_operator_active``,
``reset_pin``), so that every entry is credited to the operator who made it.

Each refusal of the core (a name taken, a PIN too short, the last supervisor) is shown in the
dialog in words; nothing is changed then.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..errors import EktpError
from ..station import Station
from ..store.operators import ROLE_OPERATOR, ROLE_SUPERVISOR, Operator
from .i18n import current_language

__all__ = ["AccountsDialog"]


class AccountsDialog(QDialog):
    """The accounts of the station (a supervisor's): a table, and what can be done to them."""

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = station
        self.setObjectName("accounts_dialog")
        self.setWindowTitle(self.tr("Akun operator"))
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("accounts_table")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Nama"), self.tr("Peran"), self.tr("Status"), self.tr("Terakhir masuk")]
        )
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.toggle_button = QPushButton(self.tr("&Nonaktifkan / aktifkan"))
        self.toggle_button.setObjectName("toggle_button")
        self.toggle_button.clicked.connect(self.toggle_selected)
        row.addWidget(self.toggle_button)
        row.addStretch(1)
        layout.addLayout(row)

        add_box = QGroupBox(self.tr("Tambah akun / atur ulang PIN"))
        form = QFormLayout(add_box)
        self.name_input = QLineEdit()
        self.name_input.setObjectName("account_name")
        self.pin_input = QLineEdit()
        self.pin_input.setObjectName("account_pin")
        self.pin_input.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_input.setPlaceholderText(self.tr("operator 4–12 angka, supervisor 6–12"))
        self.role_combo = QComboBox()
        self.role_combo.setObjectName("account_role")
        self.role_combo.addItem(self.tr("Operator"), ROLE_OPERATOR)
        self.role_combo.addItem(self.tr("Supervisor"), ROLE_SUPERVISOR)
        name_caption = QLabel(self.tr("N&ama"))
        name_caption.setBuddy(self.name_input)
        pin_caption = QLabel(self.tr("&PIN"))
        pin_caption.setBuddy(self.pin_input)
        role_caption = QLabel(self.tr("Pe&ran"))
        role_caption.setBuddy(self.role_combo)
        form.addRow(name_caption, self.name_input)
        form.addRow(pin_caption, self.pin_input)
        form.addRow(role_caption, self.role_combo)
        actions = QHBoxLayout()
        self.add_button = QPushButton(self.tr("&Tambah akun"))
        self.add_button.setObjectName("add_button")
        self.add_button.clicked.connect(self.add_account)
        self.reset_button = QPushButton(self.tr("Atur &ulang PIN"))
        self.reset_button.setObjectName("reset_button")
        self.reset_button.clicked.connect(self.reset_selected_pin)
        actions.addWidget(self.add_button)
        actions.addWidget(self.reset_button)
        actions.addStretch(1)
        form.addRow(actions)
        layout.addWidget(add_box)

        self.message_label = QLabel()
        self.message_label.setObjectName("accounts_message")
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)
        close = QDialogButtonBox()
        done = close.addButton(self.tr("Tutup"), QDialogButtonBox.ButtonRole.RejectRole)
        done.setObjectName("close_button")
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self.resize(640, 520)
        self.refresh()

    # -- reading -----------------------------------------------------------------------------

    def refresh(self) -> None:
        try:
            accounts = self.station.operators()
        except EktpError as exc:
            self._say(exc.message(current_language()), error=True)
            accounts = []
        self.table.setRowCount(len(accounts))
        for i, account in enumerate(accounts):
            for column, text in enumerate(self._cells(account)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, account.name)
                self.table.setItem(i, column, item)
        self.table.resizeColumnsToContents()

    def _cells(self, account: Operator) -> list[str]:
        role = self.tr("Supervisor") if account.is_supervisor else self.tr("Operator")
        status = self.tr("aktif") if account.active else self.tr("nonaktif")
        last = account.last_sign_in_at
        seen = last.astimezone().strftime("%d-%m-%Y %H:%M") if last else self.tr("belum pernah")
        return [account.name, role, status, seen]

    def selected_name(self) -> str | None:
        items = self.table.selectedItems()
        return str(items[0].data(Qt.ItemDataRole.UserRole)) if items else None

    def select(self, name: str) -> None:
        for i in range(self.table.rowCount()):
            item = self.table.item(i, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == name:
                self.table.selectRow(i)
                return

    # -- acting ------------------------------------------------------------------------------

    def add_account(self) -> bool:
        role = str(self.role_combo.currentData())
        try:
            made = self.station.add_operator(
                self.name_input.text(), self.pin_input.text(), role=role
            )
        except EktpError as exc:
            self._say(exc.message(current_language()), error=True)
            return False
        self.pin_input.clear()
        self.name_input.clear()
        self.refresh()
        self.select(made.name)
        self._say(self.tr("Akun {name} dibuat.").format(name=made.name))
        return True

    def toggle_selected(self) -> bool:
        name = self.selected_name()
        if name is None:
            self._say(self.tr("Pilih dulu akunnya di tabel."), error=True)
            return False
        current = {a.name: a for a in self.station.operators()}.get(name)
        if current is None:
            return False
        try:
            changed = self.station.set_operator_active(name, not current.active)
        except EktpError as exc:
            self._say(exc.message(current_language()), error=True)
            return False
        self.refresh()
        self.select(name)
        text = (
            self.tr("Akun {name} aktif lagi.")
            if changed.active
            else self.tr("Akun {name} dinonaktifkan: tidak dapat masuk lagi.")
        )
        self._say(text.format(name=name))
        return True

    def reset_selected_pin(self) -> bool:
        name = self.selected_name()
        if name is None:
            self._say(self.tr("Pilih dulu akunnya di tabel."), error=True)
            return False
        try:
            self.station.reset_pin(name, self.pin_input.text())
        except EktpError as exc:
            self._say(exc.message(current_language()), error=True)
            return False
        self.pin_input.clear()
        self.refresh()
        self.select(name)
        self._say(self.tr("PIN {name} diganti.").format(name=name))
        return True

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message_label.setText(text)
        self.message_label.setStyleSheet("color: #c62828;" if error else "color: #1b5e20;")
