"""The real station's devices (not the demo's): the scan-folder setting's images for the
scanners (and the photo where there is no camera), installed plug-ins by entry point, the
signature pad; the window opened by ``run_station`` gets the biometric step with them."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ektp_station.devtools.images import fingerprint_png
from ektp_station.domain.biometrics import check_part
from ektp_station.errors import ConfigError
from ektp_station.gui.app import attach_station_devices, build_window
from ektp_station.gui.capture import PLUGIN_GROUP, choose_devices, installed_plugins
from ektp_station.gui.devices import DeviceError, FileDevice
from ektp_station.gui.signature import SignaturePad
from ektp_station.settings import Settings
from ektp_station.station import Station

PLUGIN = """
from ektp_station.devtools.images import iris_png


class VendorIris:
    name = "Pemindai iris vendor (uji)"
    demo = False

    def capture(self, part):
        return iris_png(("vendor", part))


def make():
    return VendorIris()


def broken():
    raise RuntimeError("the vendor SDK is not installed")
"""


@pytest.fixture
def plugin_on_path(tmp_path: Path) -> Iterator[None]:
    """An installed distribution (its dist-info on sys.path) declaring capture plug-ins."""
    root = tmp_path / "site"
    info = root / "vendor_iris-1.0.dist-info"
    info.mkdir(parents=True)
    (root / "vendor_iris.py").write_text(PLUGIN, encoding="utf-8")
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: vendor-iris\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        f"[{PLUGIN_GROUP}]\niris = vendor_iris:make\nfinger = vendor_iris:broken\n"
        "nose = vendor_iris:make\n",
        encoding="utf-8",
    )
    sys.path.insert(0, str(root))
    try:
        yield
    finally:
        sys.path.remove(str(root))
        sys.modules.pop("vendor_iris", None)


def test_plugins_are_found_by_entry_point_and_a_broken_one_is_left_out(
    plugin_on_path: None, caplog: pytest.LogCaptureFixture
) -> None:
    found = installed_plugins()
    assert set(found) == {"iris"}  # finger failed to load, "nose" is no kind
    iris = found["iris"]
    assert iris.name == "Pemindai iris vendor (uji)" and not iris.demo
    assert check_part("iris_r", iris.capture("iris_r")) == []
    assert "not loaded: RuntimeError" in caplog.text and "unknown kind" in caplog.text


def test_the_scan_folder_takes_the_scanners_and_the_photo_without_a_camera(
    tmp_path: Path,
) -> None:
    devices = choose_devices(demo=False, cameras=[], folder=tmp_path)
    assert {kind: type(d) for kind, d in devices.items()} == {
        "photo": FileDevice,
        "finger": FileDevice,
        "iris": FileDevice,
        "signature": SignaturePad,
    }
    with pytest.raises(DeviceError) as missing:
        devices["finger"].capture("finger_r1")
    assert "finger_r1.png" in missing.value.message
    (tmp_path / "finger_r1.png").write_bytes(fingerprint_png("scan"))
    assert check_part("finger_r1", devices["finger"].capture("finger_r1")) == []
    # no folder, no camera: only the pad (the step says there is no device for the rest)
    assert set(choose_devices(demo=False, cameras=[])) == {"signature"}


def test_the_stations_window_gets_the_biometric_step(
    qtbot: QtBot, make_station, tmp_path: Path
) -> None:
    station: Station = make_station(settings=Settings(station_id="ST-A", scan_folder=str(tmp_path)))
    window = build_window(station)
    qtbot.addWidget(window)
    assert window.form.collect_parts is None  # build_window alone: biodata only
    attach_station_devices(window, station)
    assert window.form.collect_parts is not None
    assert window.queue_tab.devices is not None
    assert isinstance(window.queue_tab.devices["finger"], FileDevice)
    window.show()
    qtbot.waitExposed(window)
    window.tabs.setCurrentWidget(window.queue_tab)
    assert window.queue_tab.complete_button.isVisible()


def test_the_scan_folder_setting_must_exist(tmp_path: Path) -> None:
    assert Settings().with_value("scan-folder", str(tmp_path)).scan_folder == str(tmp_path)
    assert Settings().with_value("scan-folder", "").scan_folder == ""
    with pytest.raises(ConfigError) as refused:
        Settings().with_value("scan-folder", str(tmp_path / "not-there"))
    assert "scan-folder" in str(refused.value)
