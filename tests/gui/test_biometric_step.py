"""The biometric step, by keyboard in the real widgets: Space takes, Enter accepts and moves
on, R retakes, M/L/U/T mark a part not taken; a bad image is refused with its message; the
photo cannot be skipped; Ctrl+Enter saves the resident with the parts through the core, Esc
goes back to the form with nothing saved."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ektp_station.devtools.images import fingerprint_png
from ektp_station.domain.biometrics import PARTS
from ektp_station.gui.biometrics import BiometricStep
from ektp_station.gui.devices import DemoDevice, DeviceError, demo_devices
from ektp_station.gui.entry_form import EntryForm
from ektp_station.gui.recording import attach_biometrics
from ektp_station.station import Station

from factories import make_record


@dataclass
class LowResolutionScanner:
    """A fingerprint scanner set to 300 dpi, once; then right."""

    name: str = "uji"
    demo: bool = False
    taken: list[str] = field(default_factory=list)

    def capture(self, part: str) -> bytes:
        self.taken.append(part)
        return fingerprint_png(part, dpi=300 if len(self.taken) == 1 else 500)


def key(qtbot: QtBot, step: BiometricStep, which: Qt.Key, times: int = 1) -> None:
    for _ in range(times):
        qtbot.keyClick(step.part_list, which)


def show(qtbot: QtBot, step: BiometricStep) -> BiometricStep:
    qtbot.addWidget(step)
    step.show()
    qtbot.waitExposed(step)
    return step


def test_every_part_by_keyboard(qtbot: QtBot) -> None:
    step = show(qtbot, BiometricStep(demo_devices("uji"), resident="BUDI"))
    assert step.findChild(type(step.summary), "demo_mark") is not None  # demo images say so
    key(qtbot, step, Qt.Key.Key_Enter)  # nothing taken yet: stays, says Space
    assert step.current == "photo" and "Spasi" in step.message.text()
    key(qtbot, step, Qt.Key.Key_Space)
    assert not step.preview.pixmap().isNull()  # the image, previewed
    key(qtbot, step, Qt.Key.Key_R)  # taken again
    key(qtbot, step, Qt.Key.Key_Enter)
    assert set(step.images) == {"photo"} and step.current == "signature"
    assert step.message.text() == "Spasi: ambil gambar."  # the photo's words are gone
    for _part in PARTS[1:7]:
        key(qtbot, step, Qt.Key.Key_Space)
        key(qtbot, step, Qt.Key.Key_Enter)
    assert step.current == "finger_l1"
    key(qtbot, step, Qt.Key.Key_M)  # the left thumb is missing
    key(qtbot, step, Qt.Key.Key_L)  # the left index finger bandaged
    for _part in PARTS[9:]:
        key(qtbot, step, Qt.Key.Key_Space)
        key(qtbot, step, Qt.Key.Key_Enter)
    assert step.exceptions == {"finger_l1": "missing", "finger_l2": "injured"}
    assert step.missing == [] and "14 dari 14" in step.summary.text()
    texts = [step.part_list.item(i).text() for i in range(step.part_list.count())]
    assert texts[0] == "✔ Foto wajah" and texts[7].startswith("⊘ Sidik ibu jari kiri — Tidak ada")


def test_a_bad_image_is_refused_and_the_photo_cannot_be_skipped(qtbot: QtBot) -> None:
    scanner = LowResolutionScanner()
    devices = {**demo_devices("uji"), "finger": scanner}
    step = show(qtbot, BiometricStep(devices))
    key(qtbot, step, Qt.Key.Key_M)
    assert "wajib" in step.message.text() and step.exceptions == {}
    step.part_list.setCurrentRow(PARTS.index("signature"))
    key(qtbot, step, Qt.Key.Key_M)  # "amputated" is no reason for a signature: T is
    assert step.exceptions == {} and "T (Tidak mampu" in step.message.text()
    step.part_list.setCurrentRow(PARTS.index("finger_r2"))
    key(qtbot, step, Qt.Key.Key_T)  # "cannot sign" is no reason for a finger
    assert step.exceptions == {} and "M (Tidak ada" in step.message.text()
    step.part_list.setCurrentRow(PARTS.index("finger_r1"))
    key(qtbot, step, Qt.Key.Key_Space)
    assert "500 dpi (sekarang 300)" in step.message.text()
    key(qtbot, step, Qt.Key.Key_Enter)  # refused: not accepted
    assert "finger_r1" not in step.images and step.current == "finger_r1"
    key(qtbot, step, Qt.Key.Key_R)
    key(qtbot, step, Qt.Key.Key_Enter)
    assert "finger_r1" in step.images


def test_a_device_that_fails_says_what_to_do(qtbot: QtBot) -> None:
    class Unplugged(DemoDevice):
        def capture(self, part: str) -> bytes:
            raise DeviceError("Alat sidik jari tidak terhubung; pasang kabelnya.")

    step = show(qtbot, BiometricStep({**demo_devices(), "finger": Unplugged()}))
    step.part_list.setCurrentRow(PARTS.index("finger_r3"))
    key(qtbot, step, Qt.Key.Key_Space)
    assert step.message.text() == "Alat sidik jari tidak terhubung; pasang kabelnya."


_KEPT: list[object] = []


def run_step_with(qtbot: QtBot, keys: list[Qt.Key | tuple[Qt.Key, Qt.KeyboardModifier]]) -> None:
    """Type ``keys`` into the step once it is open (it runs modally inside the save)."""

    def drive() -> None:
        step = QApplication.activeModalWidget()
        if not isinstance(step, BiometricStep):
            QTimer.singleShot(20, drive)
            return
        for k in keys:
            if isinstance(k, tuple):
                qtbot.keyClick(step.part_list, k[0], k[1])
            else:
                qtbot.keyClick(step.part_list, k)

    _KEPT.append(drive)  # a timer's Python slot must outlive this call
    QTimer.singleShot(0, drive)


def test_the_form_saves_the_parts_through_the_core(qtbot: QtBot, station: Station) -> None:
    form = EntryForm(station)
    qtbot.addWidget(form)
    attach_biometrics(form, demo_devices("form"))
    form.confirm_warnings = lambda _w: True
    form.load_record(make_record(31))
    run_step_with(qtbot, [Qt.Key.Key_Escape])
    assert form.save() is None  # back to the form: nothing saved, the biodata kept
    assert station.queue.count() == 0 and "biometrik" in form.result_label.text()
    assert form.inputs["nik"].text() == make_record(31)["nik"]
    ctrl = Qt.KeyboardModifier.ControlModifier
    run_step_with(
        qtbot,
        [
            Qt.Key.Key_Space,
            Qt.Key.Key_Enter,
            Qt.Key.Key_Space,
            Qt.Key.Key_Enter,
            (Qt.Key.Key_Return, ctrl),
        ],
    )
    entry = form.save()
    assert entry is not None
    rows = {row.part: row for row in station.queue.parts(entry.seq)}
    assert set(rows) == {"photo", "signature"} and all(r.captured for r in rows.values())
    assert form.last_missing == list(PARTS[2:])
    assert "biometrik belum lengkap (12 bagian)" in form.result_label.text()
    assert station.status().attachments_pending == 2


def test_finish_later_from_the_queue_tab(qtbot: QtBot, station: Station) -> None:
    from ektp_station.store import State

    from helpers import show_window

    first = {p: demo_devices("later")["photo"].capture(p) for p in ("photo", "signature")}
    captured = station.capture(make_record(41), confirmed=True, images=first)
    window = show_window(qtbot, station, active=True)
    tab = window.queue_tab
    assert not tab.complete_button.isVisible()  # no devices: nothing to finish with
    attach_biometrics(window.form, demo_devices("later"), tab)
    window.open_tab(1)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    assert tab.select_seq(captured.entry.seq) and tab.complete_button.isEnabled()
    note = tab.model.data(tab.model.index(0, 6))
    assert note == "Biometrik belum lengkap (12 bagian): Lengkapi biometrik (F3)"
    qtbot.keyClick(tab.table, Qt.Key.Key_F3)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), BiometricStep))
    step = QApplication.activeModalWidget()
    assert isinstance(step, BiometricStep)
    step.activateWindow()  # as the window manager does for a new dialog
    qtbot.waitUntil(step.isActiveWindow)
    assert step.current == "finger_r1"  # the photo and signature are there already
    for _part in PARTS[2:13]:
        key(qtbot, step, Qt.Key.Key_Space)
        key(qtbot, step, Qt.Key.Key_Enter)
    key(qtbot, step, Qt.Key.Key_U)  # the left iris unreadable
    assert step.missing == []
    qtbot.keyClick(step.part_list, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "biometrik lengkap" in tab.message_label.text())
    rows = {row.part: row for row in station.queue.parts(captured.entry.seq)}
    assert len(rows) == 14 and rows["iris_l"].reason == "unreadable"
    assert station.entry(captured.entry.seq).state is State.PENDING
    tab.refresh()
    qtbot.waitUntil(lambda: tab.model.data(tab.model.index(0, 6)) == "")  # nothing lacking
    assert tab.select_seq(captured.entry.seq) and not tab.complete_button.isEnabled()
    window.close()


def test_one_esc_does_not_lose_the_parts_taken(qtbot: QtBot) -> None:
    step = show(qtbot, BiometricStep(demo_devices("esc"), resident="BUDI"))
    key(qtbot, step, Qt.Key.Key_Space)
    key(qtbot, step, Qt.Key.Key_Enter)  # the photo taken
    key(qtbot, step, Qt.Key.Key_Escape)
    assert step.isVisible() and step.result() == 0
    assert "Esc sekali lagi membuang 1 bagian" in step.message.text()
    key(qtbot, step, Qt.Key.Key_Space)  # going on disarms it
    key(qtbot, step, Qt.Key.Key_Escape)
    assert step.isVisible() and "2 bagian" in step.message.text()
    key(qtbot, step, Qt.Key.Key_Escape)  # the second in a row: gone, nothing kept
    qtbot.waitUntil(lambda: not step.isVisible())
