"""The signature pad: the resident signs with the mouse or a pen tablet, the station keeps a PNG.

:class:`SignatureCanvas` draws the strokes into an 800×300 greyscale image (twice the
``signature`` part's 400×150 minimum, ``domain.biometrics.PART_SPECS``), the pen's width
following its pressure where the tablet reports one (``QTabletEvent``), a steady line with the
mouse. :class:`SignatureDialog` holds it, keyboard first for the operator: **Enter** accepts,
**Delete** / **Backspace** clears, **Esc** cancels. :class:`SignaturePad` is the capture device
(``gui.devices``): ``capture("signature")`` opens the dialog and returns the PNG, or raises
``DeviceError`` saying nothing was taken.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QPointF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QTabletEvent,
)
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QVBoxLayout, QWidget

from .devices import DeviceError
from .fields import ERROR_COLOUR

__all__ = ["PAD_SIZE", "SignatureCanvas", "SignatureDialog", "SignaturePad"]

#: The pad's drawing area and the PNG's size, in pixels (the part wants at least 400×150).
PAD_SIZE = (800, 300)
_MOUSE_WIDTH = 3.0
_PEN_WIDTH = (1.0, 6.0)  # at no pressure, at full pressure


class SignatureCanvas(QWidget):
    """Where the resident signs: strokes kept in an image the size of the widget."""

    inked = Signal()  # the first ink since the pad was empty

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signature_canvas")
        self.setFixedSize(*PAD_SIZE)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.image = QImage(*PAD_SIZE, QImage.Format.Format_Grayscale8)
        self._last: QPointF | None = None
        self._ink = False
        self.clear()

    @property
    def empty(self) -> bool:
        return not self._ink

    def clear(self) -> None:
        self.image.fill(QColor("white"))
        self._last = None
        self._ink = False
        self.update()

    def png(self) -> bytes:
        """The signature as PNG (8-bit greyscale, :data:`PAD_SIZE`)."""
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        saved = self.image.save(buffer, "PNG")  # type: ignore[call-overload]  # str at run time
        buffer.close()
        if not saved:
            raise DeviceError(
                QCoreApplication.translate(
                    "SignaturePad", "Tanda tangan tidak dapat disimpan sebagai gambar; ulangi."
                )
            )
        return bytes(data.data())

    # -- drawing --------------------------------------------------------------------------

    def _stroke_to(self, point: QPointF, width: float) -> None:
        painter = QPainter(self.image)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            pen = QPen(QColor("black"), width)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            if self._last is None:
                painter.drawPoint(point)  # a dot: a touch of the pen is ink too
            else:
                painter.drawLine(self._last, point)
        finally:
            painter.end()
        self._last = point
        first = not self._ink
        self._ink = True
        self.update()
        if first:
            self.inked.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._last = None
            self._stroke_to(event.position(), _MOUSE_WIDTH)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._stroke_to(event.position(), _MOUSE_WIDTH)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._last = None
        event.accept()

    def tabletEvent(self, event: QTabletEvent) -> None:
        """A pen tablet: the width follows the pressure (accepted, so Qt makes no mouse
        event of it)."""
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self._last = None
        if kind in (QTabletEvent.Type.TabletPress, QTabletEvent.Type.TabletMove) and (
            event.pressure() > 0
        ):
            low, high = _PEN_WIDTH
            self._stroke_to(event.position(), low + (high - low) * event.pressure())
        elif kind == QTabletEvent.Type.TabletRelease:
            self._last = None
        event.accept()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.drawImage(0, 0, self.image)
            painter.setPen(QPen(QColor("#bbbbbb"), 1, Qt.PenStyle.DashLine))
            baseline = round(PAD_SIZE[1] * 0.75)
            painter.drawLine(20, baseline, PAD_SIZE[0] - 20, baseline)  # not in the PNG
            painter.setPen(QPen(QColor("#888888"), 1))
            painter.drawRect(0, 0, PAD_SIZE[0] - 1, PAD_SIZE[1] - 1)
        finally:
            painter.end()


class SignatureDialog(QDialog):
    """The pad in a small modal dialog: Enter accepts (not an empty pad), Delete or
    Backspace clears, Esc cancels."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signature_dialog")
        self.setWindowTitle(self.tr("Tanda tangan"))
        layout = QVBoxLayout(self)
        prompt = QLabel(self.tr("Silakan tanda tangan di dalam kotak (tetikus atau pena)."))
        layout.addWidget(prompt)
        self.canvas = SignatureCanvas()
        layout.addWidget(self.canvas)
        keys = QLabel(self.tr("Enter: terima · Delete/Backspace: hapus · Esc: batal"))
        keys.setObjectName("signature_keys")
        layout.addWidget(keys)
        self.message = QLabel()
        self.message.setObjectName("signature_message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.canvas.installEventFilter(self)
        self.canvas.inked.connect(self.message.clear)  # "still empty" is answered
        self.canvas.setFocus()

    def eventFilter(self, watched: object, event: object) -> bool:
        if watched is self.canvas and isinstance(event, QKeyEvent):
            if event.type() == QKeyEvent.Type.KeyPress and self.handle_key(event):
                return True
        return super().eventFilter(watched, event)  # type: ignore[arg-type]

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.handle_key(event):
            super().keyPressEvent(event)

    def handle_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.take()
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.canvas.clear()
            self.message.clear()
        elif key == Qt.Key.Key_Escape:
            self.reject()
        else:
            return False
        return True

    def take(self) -> None:
        """Enter: the signature, unless the pad is still empty."""
        if self.canvas.empty:
            self.message.setText(
                self.tr(
                    "Kotak tanda tangan masih kosong: tanda tangani dulu, atau Esc untuk batal."
                )
            )
            self.message.setStyleSheet(f"color: {ERROR_COLOUR};")
            return
        self.accept()


@dataclass
class SignaturePad:
    """The capture device for ``signature``: the pad's dialog over the active window."""

    name: str = ""
    demo: bool = False

    def __post_init__(self) -> None:
        if not self.name:
            self.name = QCoreApplication.translate("SignaturePad", "Bantalan tanda tangan")

    def capture(self, part: str) -> bytes:
        if part != "signature":
            raise DeviceError(
                QCoreApplication.translate(
                    "SignaturePad", "Bantalan tanda tangan hanya mengambil tanda tangan."
                )
            )
        parent = QApplication.activeModalWidget() or QApplication.activeWindow()
        dialog = SignatureDialog(parent)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                raise DeviceError(
                    QCoreApplication.translate(
                        "SignaturePad",
                        "Tanda tangan dibatalkan; tidak ada yang diambil. "
                        "Tekan Spasi untuk mencoba lagi.",
                    )
                )
            return dialog.canvas.png()
        finally:
            dialog.deleteLater()
