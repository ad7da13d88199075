"""The keyboard budget of the issue "the operator's window": one resident takes its data
characters plus at most 16 other keys, birth date and sex never typed; the next member of the
same family at most 40 data characters plus 10 other keys. The real window, driven by key
events and counted."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from ektp_station.station import Station
from ektp_station.store import Queue

from factories import make_nik, make_record
from helpers import show_window


class Keys:
    """Types into whatever has the focus, counting data characters and other keys."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.data = 0
        self.other = 0

    @staticmethod
    def focused() -> QWidget:
        widget = QApplication.focusWidget()
        assert widget is not None
        return widget

    def type(self, text: str) -> None:
        self.qtbot.keyClicks(self.focused(), text)
        self.data += len(text)

    def key(self, key: Qt.Key) -> None:
        self.qtbot.keyClick(self.focused(), key)
        self.other += 1

    def field(self, text: str) -> None:
        self.type(text)
        self.key(Qt.Key.Key_Tab)


def test_one_resident_then_the_next_of_the_family(
    qtbot: QtBot, station: Station, queue: Queue
) -> None:
    window = show_window(qtbot, station, active=True)
    window.land()
    first = make_record(7)
    keys = Keys(qtbot)
    for text in (
        first["nik"],
        first["kk_number"],
        "budi santoso",
        "depok",
        # birth date and sex: from the NIK, skipped by Tab
        "o",
        "islam",
        "kawin",
        "karyawan swasta",
        # citizenship: WNI already; kecamatan: from the NIK
        "jl. merdeka no. 10",
        "3",
        "7",
        "harja",
    ):
        keys.field(text)
    keys.key(Qt.Key.Key_Return)  # in the phone field (optional): save
    assert queue.count() == 1, [(p.field, p.code) for p in window.form.problems()] + [
        window.form.text_of(f) for f in window.form.inputs
    ]
    assert queue.list_entries()[0].record == first
    data_chars = sum(len(t) for t in ("budi santoso", "depok", "o", "islam", "kawin"))
    assert keys.data == 32 + data_chars + len("karyawan swastajl. merdeka no. 1037harja")
    assert keys.other <= 16, keys.other

    member = Keys(qtbot)
    nik = make_nik(date(2008, 3, 4), "PEREMPUAN", 8)
    member.key(Qt.Key.Key_F4)  # the family of the entry saved last
    for text in (nik, "ani", "depok", "o", "is", "b", "pelaj"):
        member.field(text)
    member.key(Qt.Key.Key_Return)  # phone: the family's fields were all skipped
    assert queue.count() == 2, window.form.result_label.text()
    second = max(queue.list_entries(), key=lambda e: e.seq).record
    for field in ("kk_number", "address", "rt", "rw", "kelurahan_code", "citizenship"):
        assert second[field] == first[field], field
    assert (second["birth_date"], second["sex"]) == ("2008-03-04", "PEREMPUAN")
    assert (second["religion"], second["marital_status"]) == ("ISLAM", "BELUM KAWIN")
    assert second["occupation"] == "PELAJAR/MAHASISWA"
    assert member.data <= 40 and member.other <= 10, (member.data, member.other)
