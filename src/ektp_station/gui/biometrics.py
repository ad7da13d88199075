"""The biometric step after the biodata: photo, signature, ten fingerprints, two irises.

Keyboard first: the list holds the fourteen parts in capture order, the current one selected
(Up/Down move). **Space** takes the image from the part's device, checked at once
(``domain.biometrics``: format, pixels, resolution, size) and previewed; **Enter** accepts it
and moves on; **R** takes it again. A part that cannot be taken is marked with a key: **M**
missing (amputated), **L** injured (luka), **U** unreadable (tidak terbaca), **T** unable
(the signature of a resident who cannot sign). **Ctrl+Enter** (or F10) saves the resident
with what was taken, complete or not; **Esc** goes back to the form, nothing saved.

The dialog returns the images and the reasons; the form saves them through the core
(``Station.capture``), which checks them again.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.biometrics import EXCEPTABLE, PARTS, check_part, missing_parts, reasons_for
from ..domain.vocabulary import EXCEPTION_LABELS, part_label
from .devices import CaptureDevice, DeviceError, kind_of
from .fields import ERROR_COLOUR, WARNING_COLOUR
from .i18n import current_language

__all__ = ["REASON_KEYS", "BiometricStep"]

#: The key that marks the current part as not taken, and the reason it records.
REASON_KEYS: Mapping[int, str] = {
    Qt.Key.Key_M: "missing",
    Qt.Key.Key_L: "injured",
    Qt.Key.Key_U: "unreadable",
    Qt.Key.Key_T: "unable",
}
_KEY_OF = {"missing": "M", "injured": "L", "unreadable": "U", "unable": "T"}
_PREVIEW = (320, 360)


class BiometricStep(QDialog):
    def __init__(
        self,
        devices: Mapping[str, CaptureDevice],
        *,
        resident: str = "",
        done: Mapping[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``done``: parts the entry has already (part -> "" when captured, else its
        reason), shown as such; only the others are taken here (finishing later)."""
        super().__init__(parent)
        self.setObjectName("biometric_step")
        self.devices = devices
        self.lang = current_language()
        self.images: dict[str, bytes] = {}  # accepted
        self.exceptions: dict[str, str] = {}
        self.earlier = dict(done or {})  # not "done": QDialog.done() is a method
        self._taken: dict[str, bytes] = {}  # taken, not accepted yet
        self._discard_armed = False  # a first Esc with parts taken: the second one leaves
        self.setWindowTitle(self.tr("Perekaman biometrik — {name}").format(name=resident))
        layout = QVBoxLayout(self)
        if any(device.demo for device in devices.values()):
            demo = QLabel(self.tr("DEMO — gambar sintetis dari perangkat demo, bukan orang."))
            demo.setObjectName("demo_mark")
            demo.setStyleSheet(f"color: {WARNING_COLOUR}; font-weight: bold;")
            layout.addWidget(demo)
        body = QHBoxLayout()
        layout.addLayout(body, 1)
        self.part_list = QListWidget()
        self.part_list.setObjectName("part_list")
        # a long reason ends in "…" (whole in the tooltip), never a sideways scroll bar
        self.part_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.part_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for part in PARTS:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, part)
            self.part_list.addItem(item)
        self.part_list.setMinimumWidth(360)  # a reason fits beside its part
        body.addWidget(self.part_list)
        right = QVBoxLayout()
        body.addLayout(right, 1)
        self.preview = QLabel()
        self.preview.setObjectName("part_preview")
        self.preview.setFixedSize(*_PREVIEW)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet("background: #fafafa; border: 1px solid #bbb;")
        right.addWidget(self.preview)
        self.device_label = QLabel()  # which device takes the current part (a demo says so)
        self.device_label.setObjectName("device_label")
        self.device_label.setWordWrap(True)
        right.addWidget(self.device_label)
        self.message = QLabel()
        self.message.setObjectName("part_message")
        self.message.setWordWrap(True)
        right.addWidget(self.message)
        right.addStretch(1)
        keys = QLabel(
            self.tr(
                "Spasi: ambil · Enter: terima, lanjut · R: ambil ulang · "
                "M: tidak ada · L: luka · U: tidak terbaca · T: tidak mampu · "
                "Ctrl+Enter: simpan · Esc: batal, tidak disimpan"
            )
        )
        keys.setWordWrap(True)
        layout.addWidget(keys)
        self.summary = QLabel()
        self.summary.setObjectName("parts_summary")
        layout.addWidget(self.summary)
        buttons = QHBoxLayout()
        layout.addLayout(buttons)
        self.save_button = QPushButton(self.tr("Simpan (Ctrl+Enter)"))
        self.save_button.setObjectName("save_parts")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.accept)
        back = QPushButton(self.tr("Kembali (Esc)"))
        back.setAutoDefault(False)
        back.clicked.connect(self.reject)
        buttons.addStretch(1)
        buttons.addWidget(back)
        buttons.addWidget(self.save_button)
        for keys_text in ("Ctrl+Return", "Ctrl+Enter", "F10"):
            QShortcut(QKeySequence(keys_text), self).activated.connect(self.accept)
        self.part_list.currentRowChanged.connect(lambda _row: self._moved())
        self.part_list.installEventFilter(self)
        self.part_list.setCurrentRow(0)
        self.part_list.setFocus()
        self._refresh_items()
        if PARTS[0] in self.earlier:
            self._next()  # the first part still to take
        self.resize(820, 580)

    # -- what the form reads --------------------------------------------------------------

    @property
    def missing(self) -> list[str]:
        kept = [p for p, reason in self.earlier.items() if not reason]
        left = [p for p, reason in self.earlier.items() if reason]
        return missing_parts([*self.images, *kept], [*self.exceptions, *left])

    @property
    def current(self) -> str:
        item = self.part_list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else PARTS[0]

    # -- keys -----------------------------------------------------------------------------

    def eventFilter(self, watched: object, event: object) -> bool:
        if watched is self.part_list and isinstance(event, QKeyEvent):
            if event.type() == QKeyEvent.Type.KeyPress and self.handle_key(event):
                return True
        return super().eventFilter(watched, event)  # type: ignore[arg-type]

    def handle_key(self, event: QKeyEvent) -> bool:
        key, plain = event.key(), event.modifiers() == Qt.KeyboardModifier.NoModifier
        enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if (enter and event.modifiers() & Qt.KeyboardModifier.ControlModifier) or (
            key == Qt.Key.Key_F10
        ):
            self.accept()  # also where the window's shortcuts do not reach
        elif key == Qt.Key.Key_Space and plain:
            self.take()
        elif enter and plain:
            self.accept_current()
        elif key == Qt.Key.Key_R and plain:
            self.take()
        elif key in REASON_KEYS and plain:
            self.mark(REASON_KEYS[Qt.Key(key)])
        else:
            return False
        return True

    # -- actions --------------------------------------------------------------------------

    def take(self) -> None:
        """Space / R: the current part's image from its device, checked and previewed."""
        self._discard_armed = False
        part = self.current
        device = self.devices.get(kind_of(part))
        if device is None:
            self._say(self.tr("Tidak ada alat untuk bagian ini; tandai alasannya."), "error")
            return
        try:
            data = device.capture(part)
        except DeviceError as exc:
            self._say(exc.message, "error")
            return
        self.images.pop(part, None)
        self.exceptions.pop(part, None)
        self._taken[part] = data
        problems = check_part(part, data)
        if problems:
            self._say("\n".join(p.message(self.lang) for p in problems), "error")
        else:
            self._say(self.tr("Periksa gambarnya: Enter untuk menerima, R untuk ulang."), "")
        self._show_current()

    def accept_current(self) -> None:
        """Enter: the image taken is the part's (if it passes its checks); on to the next."""
        self._discard_armed = False
        part = self.current
        data = self._taken.get(part)
        if part in self.images or part in self.exceptions:
            self._next()
            return
        if data is None:
            self._say(self.tr("Tekan Spasi untuk mengambil gambar."), "")
            return
        problems = check_part(part, data)
        if problems:
            self._say("\n".join(p.message(self.lang) for p in problems), "error")
            return
        self.images[part] = self._taken.pop(part)
        self._refresh_items()
        self._next()

    def mark(self, reason: str) -> None:
        """M / L / U / T: the current part is not taken, for this reason."""
        self._discard_armed = False
        part = self.current
        if part not in EXCEPTABLE:
            self._say(
                self.tr("Foto wajah wajib diambil; bagian ini tidak boleh dilewati."), "error"
            )
            return
        if reason not in reasons_for(part):
            allowed = [r for r in reasons_for(part) if r != "other"]
            self._say(
                self.tr("Alasan ini tidak berlaku untuk {part}; pakai: {keys}.").format(
                    part=part_label(part, self.lang),
                    keys=", ".join(
                        f"{_KEY_OF[r]} ({EXCEPTION_LABELS[r][self.lang == 'en']})" for r in allowed
                    ),
                ),
                "error",
            )
            return
        self.images.pop(part, None)
        self._taken.pop(part, None)
        self.exceptions[part] = reason
        self._refresh_items()
        self._next()

    # -- showing --------------------------------------------------------------------------

    def _next(self) -> None:
        row = self.part_list.currentRow()
        for offset in range(1, len(PARTS) + 1):
            candidate = (row + offset) % len(PARTS)
            part = PARTS[candidate]
            if part not in self.images and part not in self.exceptions and part not in self.earlier:
                self.part_list.setCurrentRow(candidate)
                return
        self._say(self.tr("Semua bagian lengkap: Ctrl+Enter untuk menyimpan."), "")
        self.save_button.setFocus()

    def _refresh_items(self) -> None:
        for row, part in enumerate(PARTS):
            item = self.part_list.item(row)
            label = part_label(part, self.lang)
            earlier = self.earlier.get(part)
            if part in self.images or earlier == "":
                item.setText(f"✔ {label}")
            elif part in self.exceptions or earlier:
                code = self.exceptions.get(part) or earlier or "other"
                reason = EXCEPTION_LABELS.get(code, EXCEPTION_LABELS["other"])[self.lang == "en"]
                item.setText(f"⊘ {label} — {reason}")
            else:
                item.setText(f"○ {label}")
            item.setToolTip(item.text())
        done = len(PARTS) - len(self.missing)
        self.summary.setText(
            self.tr("{done} dari {total} bagian selesai").format(done=done, total=len(PARTS))
        )

    def _moved(self) -> None:
        """Another part chosen: its preview, and what is known of it (no earlier message)."""
        self._show_current()
        part = self.current
        earlier = self.earlier.get(part)
        if part in self.images:
            self._say(self.tr("Sudah diambil. R: ambil ulang."), "")
        elif part in self.exceptions:
            reason = EXCEPTION_LABELS.get(self.exceptions[part], EXCEPTION_LABELS["other"])
            self._say(
                self.tr("Tidak diambil: {reason}. Spasi: ambil juga.").format(
                    reason=reason[self.lang == "en"]
                ),
                "",
            )
        elif earlier is not None:
            self._say(self.tr("Sudah tersimpan sebelumnya."), "")
        else:
            self._say(self.tr("Spasi: ambil gambar."), "")

    def _show_current(self) -> None:
        part = self.current
        device = self.devices.get(kind_of(part))
        self.device_label.setText(
            self.tr("Alat: {name}").format(name=device.name)
            if device is not None
            else self.tr("Alat: tidak ada")
        )
        data = self._taken.get(part) or self.images.get(part)
        pixmap = QPixmap()
        if data is not None and pixmap.loadFromData(data):
            self.preview.setPixmap(
                pixmap.scaled(
                    *_PREVIEW,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        else:
            self.preview.setPixmap(QPixmap())
            self.preview.setText(part_label(part, self.lang))

    def reject(self) -> None:
        """Esc: back to the form, nothing saved — with parts already taken, only at the
        second Esc (one slip must not lose a resident's recording)."""
        taken = len(self.images) + len(self.exceptions) + len(self._taken)
        if taken and not self._discard_armed:
            self._discard_armed = True
            self._say(
                self.tr(
                    "Esc sekali lagi membuang {n} bagian yang sudah diambil; "
                    "Ctrl+Enter menyimpannya."
                ).format(n=taken),
                "error",
            )
            return
        super().reject()

    def _say(self, text: str, severity: str) -> None:
        self.message.setText(text)
        colour = ERROR_COLOUR if severity == "error" else ""
        self.message.setStyleSheet(f"color: {colour};" if colour else "")
