"""Screenshots of the running station for the README, taken from the real demo.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots.py docs/screenshots

A throwaway demo (reference centre on loopback behind the fault proxy) is filled with fictional
residents and driven as an operator would: some entries delivered, a few rejected by the
centre, a few in conflict with another station, the rest waiting while the link is down.
Then it saves ``form.png`` (the form mid-entry with a validation message), ``queue.png``,
``dashboard.png`` (the supervisor's view), ``receipt.png`` (the receipt as painted on the
PDF page), ``receipt-preview.png`` ("Buka bukti": Qt's print preview, in Indonesian) and
``biometric-step.png`` (the biometric step with the demo devices), ``signature-pad.png``
(the signature pad, signed), ``upload-slow.png`` (three residents' parts going up the demo's
slow link, the status line counting them down), ``queue-results.png`` (the centre's
decisions: ready to print, must come back) and ``dashboard-results.png`` (the supervisor's
list of who must come back), then, the link down again, ``usb-export.png`` (the supervisor's
"Ekspor ke USB" on the dashboard, its progress paused half-way) and ``usb-export-done.png``
(what it carried, where). No real person's data: names and NIKs are made up by the rules.
The USB shots are best under a real X server with a window manager (``xvfb-run`` with
``openbox``): their dialogs are windows of their own, with title bars.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QRectF, QTimer
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QWidget

from ektp_station.devtools.residents import resident
from ektp_station.gui.app import application
from ektp_station.gui.demo import DEMO_SUPERVISOR, Demo
from ektp_station.gui.main_window import MainWindow
from ektp_station.gui.receipt import Receipt, paint_receipt
from ektp_station.paths import AppPaths
from ektp_station.settings import Settings
from ektp_station.station import Actor, Station
from ektp_station.store import State

SIZE = (1366, 728)  # a maximised window on the counters' 1366×768 screens
RECEIPT_DPI = 150
A6_MM = (105.0, 148.0)
MARGIN_MM = 8.0


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Run the event loop until ``condition`` holds (checked every 20 ms)."""
    deadline = time.monotonic() + timeout
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(lambda: loop.quit() if condition() else None)
    poll.start()
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the demo did not get there in time")
        loop.exec()
    poll.stop()


def settle(ms: int = 200) -> None:
    """Let pending paints and layout happen."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def save(widget: QWidget, path: Path) -> None:
    if not widget.grab().save(str(path)):
        raise OSError(f"cannot write {path}")
    print(f"{path} ({path.stat().st_size // 1024} KB)")


def record_elsewhere(demo: Demo, records: list[dict[str, Any]], folder: Path) -> None:
    """Another station records these residents first, so ours meet a conflict."""
    assert demo.central is not None
    token = demo.central.add_station("DEMO-03")
    settings = Settings(station_id="DEMO-03", central_url=demo.central.url, token=token)
    with Station.open(AppPaths.resolve(folder), settings=settings) as other:
        other.act_as(Actor.operator("OPERATOR LAIN"))
        for record in records:
            other.capture(record, confirmed=True)
        if not other.drain(give_up_after=30):
            raise TimeoutError("the other station did not deliver in time")


def fill_queue(demo: Demo, window: MainWindow, root: Path) -> None:
    """About thirty entries: synced, rejected by the centre, in conflict, and waiting. Most
    go straight into the queue under two operators' names; the last is saved by the form."""
    assert demo.queue is not None and demo.switch is not None
    queue, station = demo.queue, window.station
    operators = ("OPERATOR DEMO", "RINA MARLINA")
    record_elsewhere(demo, [resident(33)], root / "other")  # 32: the demo's own conflict
    window.start_sync()
    wait_until(lambda: station.engine is not None and station.engine.state.link.value == "online")
    for n in range(18):
        queue.enqueue(resident(n), operator=operators[n % 2], station_id=station.station_id)
    # imported from a paper list without the form's checks: another resident under 17 and
    # unmarried, whom the centre refuses, and another one a third station recorded first
    # (the demo itself starts with one of each: residents 40 and 32)
    for n in (52, 33):
        queue.enqueue(resident(n), operator=operators[n % 2], station_id=station.station_id)
    for n in range(18, 22):
        queue.enqueue(resident(n), operator=operators[n % 2], station_id=station.station_id)
    station.wake()
    wait_until(lambda: queue.count(State.PENDING) == 0 and queue.count(State.SENDING) == 0)
    demo.switch.set_mode("putus")  # the link drops: capture goes on
    wait_until(lambda: window.status_bar.link_label.text().startswith("Jaringan putus"))
    for n in range(22, 28):
        queue.enqueue(resident(n), operator=operators[n % 2], station_id=station.station_id)
    form = window.form  # the last one through the form: the views refresh, a receipt is made
    form.confirm_warnings = lambda _warnings: True
    form.load_record(resident(28))
    if form.save() is None:
        raise RuntimeError(f"the form did not save: {form.result_label.text()}")
    assert demo.receipts is not None
    wait_until(lambda: demo.receipts is not None and demo.receipts.last is not None)


def type_into_form(window: MainWindow) -> None:
    """A resident half entered: the birth date typed does not match the one in the NIK, so
    its message shows; address and occupation still empty."""
    form = window.form
    record = resident(29)
    record.update(birth_date="", address="", occupation="", rt="", rw="", phone=None)
    form.load_record(record)
    birth = form.inputs["birth_date"]
    assert isinstance(birth, QLineEdit)
    birth.clear()
    birth.setFocus()
    QTest.keyClicks(birth, "05-12-1993")  # the NIK says 1992


def shoot_biometric_step(window: MainWindow, path: Path) -> None:
    """The biometric step part-way: photo, signature and four fingers taken, the right little
    finger marked injured, the left thumb's image on screen before it is accepted."""
    from ektp_station.gui.biometrics import BiometricStep
    from ektp_station.gui.devices import demo_devices

    step = BiometricStep(demo_devices("shots"), resident="SITI AMINAH", parent=window)
    step.show()
    settle()
    for _ in range(6):
        step.take()
        step.accept_current()
    step.mark("injured")
    step.take()
    settle(300)
    assert step.current == "finger_l1", step.current
    save(step, path)
    step.done(0)


def shoot_signature_pad(window: MainWindow, path: Path) -> None:
    """The signature pad with a resident's signature drawn in, as a pen would (two strokes,
    the pressure rising and falling), before Enter."""
    import math

    from PySide6.QtCore import QPointF

    from ektp_station.gui.signature import SignatureDialog

    dialog = SignatureDialog(window)
    dialog.show()
    settle()
    canvas = dialog.canvas
    # looped handwriting (a prolate cycloid, its loops shrinking), then an underline flourish
    strokes = [
        [
            (
                90 + 14 * u - 30 * math.sin(u),
                160 - (55 - 3 * u) * math.cos(u) * (u / 3 if u < 3 else 1),
            )
            for u in (j / 12 for j in range(0, 12 * 30))
        ],
        [(120 + 9 * i, 250 - 30 * math.sin(i / 55 * math.pi) + 0.004 * i * i) for i in range(56)],
    ]
    for points in strokes:
        canvas._last = None
        for n, (x, y) in enumerate(points):
            canvas._stroke_to(QPointF(x, y), 1.5 + 3.0 * math.sin(math.pi * n / len(points)))
    settle(300)
    save(dialog, path)
    dialog.done(0)


def shoot_parts(demo: Demo, window: MainWindow, folder: Path) -> None:
    """Three residents recorded with their parts while the link is slow: the upload
    progressing; then, the link good again, the centre's decisions — one ready to print, one
    a duplicate (the first one's fingerprint images again), one with too few fingerprints."""
    from ektp_station.devtools.images import demo_parts
    from ektp_station.domain.biometrics import FINGERS
    from ektp_station.gui.queue_tab import MUST_RETURN_FILTER

    assert demo.switch is not None
    station = window.station
    demo.switch.set_mode("lambat")
    wait_until(lambda: window.status_bar.link_label.text().startswith("Terhubung"), 60)
    first = demo_parts(("shots", 60))
    injured = dict.fromkeys(FINGERS[:7], "injured")
    seqs = [
        station.capture(resident(60), images=first, confirmed=True).entry.seq,
        station.capture(resident(61), images=first, confirmed=True).entry.seq,
        station.capture(
            resident(62),
            images={k: v for k, v in demo_parts(("shots", 62)).items() if k not in injured},
            exceptions=injured,
            confirmed=True,
        ).entry.seq,
    ]
    bar = window.status_bar.parts_label
    wait_until(lambda: bar.isVisible() and "lagi" in bar.text(), 120)
    window.tabs.setCurrentWidget(window.queue_tab)
    window.queue_tab.refresh()
    settle(400)
    save(window, folder / "upload-slow.png")
    demo.switch.set_mode("nyambung")
    decided = ("print_ready", "duplicate", "adjudication")
    wait_until(lambda: all(station.entry(s).enrolment in decided for s in seqs), 180)
    window.queue_tab.refresh()
    settle(400)
    save(window, folder / "queue-results.png")
    tab = window.queue_tab
    tab.state_combo.setCurrentIndex(tab.state_combo.findData(MUST_RETURN_FILTER))
    tab.apply_filter()
    window.tabs.setCurrentWidget(window.dashboard)
    window.dashboard.refresh()
    wait_until(lambda: "Perlu rekam ulang: 2" in window.dashboard.enrolment_label.text(), 30)
    settle(400)
    save(window, folder / "dashboard-results.png")
    tab.state_combo.setCurrentIndex(0)
    tab.apply_filter()


def save_screen(window: MainWindow, path: Path, dialog: QWidget) -> None:
    """The window as on the screen with ``dialog`` over it: an X server's screen (with a
    window manager the dialog has its title bar); offscreen, the two grabs put together."""
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.platformName() == "offscreen":
        shot = window.grab()
        painter = QPainter(shot)
        painter.drawPixmap(dialog.geometry().topLeft() - window.geometry().topLeft(), dialog.grab())
        painter.end()
    else:
        shot = window.screen().grabWindow(0).copy(window.geometry())
    if not shot.save(str(path)):
        raise OSError(f"cannot write {path}")
    print(f"{path} ({path.stat().st_size // 1024} KB)")


def shoot_usb_export(demo: Demo, window: MainWindow, folder: Path) -> None:
    """The link down, two residents with their parts and four without: the supervisor's
    "Ekspor ke USB" on the dashboard, held half-way through the parts for the picture, then
    its result."""
    import shutil
    import threading
    from unittest import mock

    from PySide6.QtWidgets import QFileDialog

    from ektp_station.devtools.images import demo_parts
    from ektp_station.gui import bundles

    assert demo.switch is not None and demo.queue is not None
    station, panel = window.station, window.dashboard.bundles
    demo.switch.set_mode("putus")
    wait_until(lambda: window.status_bar.link_label.text().startswith("Jaringan putus"), 60)
    for n in (70, 71):
        station.capture(resident(n), images=demo_parts(("shots", n)), confirmed=True)
    for n in range(72, 76):
        demo.queue.enqueue(resident(n), operator="RINA MARLINA", station_id=station.station_id)
    window.tabs.setCurrentWidget(window.dashboard)
    window.dashboard.refresh()
    waiting = f": {station.bundle_waiting()} entri"
    wait_until(lambda: panel.waiting_label.text().endswith(waiting))
    held, release = threading.Event(), threading.Event()
    reporter = bundles._reporter

    def paused(emit: Any, cancel: threading.Event) -> Any:
        report = reporter(emit, cancel)

        def pausing(progress: bundles.BundleProgress) -> None:
            report(progress)
            if not held.is_set() and progress.bytes_done * 5 >= progress.bytes_total * 3:
                emit(progress)
                held.set()
                release.wait(60)

        return pausing

    stick = Path(tempfile.mkdtemp(prefix="usb-")) / "KINGSTON"  # a stick's mount point
    stick.mkdir()
    target = str(stick / bundles.bundle_file_name(station.station_id, panel.now()))
    with (
        mock.patch.object(bundles, "_reporter", paused),
        mock.patch.object(QFileDialog, "getSaveFileName", return_value=(target, "")),
    ):
        panel.export_button.setFocus()
        panel.export_button.click()
        wait_until(lambda: held.is_set() and panel.progress_dialog is not None, 60)
        assert panel.progress_dialog is not None
        settle(500)
        save_screen(window, folder / "usb-export.png", panel.progress_dialog)
        release.set()
        wait_until(lambda: panel.message_box is not None and not panel.busy, 60)
    settle(500)
    assert panel.message_box is not None
    save_screen(window, folder / "usb-export-done.png", panel.message_box)
    panel.message_box.accept()
    shutil.rmtree(stick.parent, ignore_errors=True)


def render_receipt(receipt: Receipt, path: Path) -> None:
    """The receipt as on its A6 PDF page, at RECEIPT_DPI."""
    per_mm = RECEIPT_DPI / 25.4
    image = QImage(round(A6_MM[0] * per_mm), round(A6_MM[1] * per_mm), QImage.Format.Format_RGB32)
    image.setDotsPerMeterX(round(RECEIPT_DPI / 0.0254))
    image.setDotsPerMeterY(round(RECEIPT_DPI / 0.0254))
    image.fill(QColor("white"))
    margin = MARGIN_MM * per_mm
    page = QRectF(margin, margin, image.width() - 2 * margin, image.height() - 2 * margin)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)  # not the QR: no seams
        paint_receipt(painter, page, receipt)
    finally:
        painter.end()
    if not image.save(str(path)):
        raise OSError(f"cannot write {path}")
    print(f"{path} ({path.stat().st_size // 1024} KB)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="where the PNG files go")
    args = parser.parse_args(argv)
    folder: Path = args.folder
    os.environ["TZ"] = "Asia/Jakarta"  # times as a counter in Depok shows them (WIB)
    time.tzset()
    folder.mkdir(parents=True, exist_ok=True)
    application()
    with tempfile.TemporaryDirectory(prefix="ektp-shots-") as tmp, Demo(Path(tmp) / "demo") as demo:
        demo.sign_in(*DEMO_SUPERVISOR)  # the dashboard shows conflicts too
        assert demo.station is not None
        demo.station.add_operator("RINA MARLINA", "2468")
        window = demo.build_window()
        window.resize(*SIZE)
        window.show()
        try:
            fill_queue(demo, window, Path(tmp))
            assert demo.receipts is not None and demo.receipts.last is not None
            receipt = demo.receipts.last

            window.tabs.setCurrentIndex(0)
            type_into_form(window)
            settle()
            save(window, folder / "form.png")

            window.tabs.setCurrentWidget(window.queue_tab)
            settle()
            save(window, folder / "queue.png")

            window.tabs.setCurrentWidget(window.dashboard)
            window.dashboard.refresh()
            settle()
            save(window, folder / "dashboard.png")

            render_receipt(receipt, folder / "receipt.png")
            shoot_biometric_step(window, folder / "biometric-step.png")
            shoot_signature_pad(window, folder / "signature-pad.png")

            window.tabs.setCurrentIndex(0)
            preview = demo.receipts.open_last(window)
            assert preview is not None
            settle(400)
            save(preview, folder / "receipt-preview.png")
            preview.close()

            shoot_parts(demo, window, folder)
            shoot_usb_export(demo, window, folder)
        finally:
            window.stop_sync()
            window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
