"""Which capture device takes each kind of part at this station (docs/biometrics.md, "How the
devices are chosen").

- ``photo``: the camera (``gui.camera``) where one is present; otherwise a device that says
  where its pictures come from — the demo's synthetic photo, marked as such;
- ``signature``: the signature pad (``gui.signature``), mouse or pen tablet: every PC has one;
- ``finger``, ``iris``: a vendor SDK's plug-in when one is installed (``plugins``); else the
  images the scanners' own programs saved in the ``scan-folder`` setting's folder; in the
  demo, the synthetic images.

``plugins`` (kind -> device) come first: an installed device always wins. A plug-in is a
Python package that declares an entry point in the group ``ektp_station.capture_devices``
named after its kind (``finger``, ``iris``, ``photo``, ``signature``), pointing at a callable
that returns the device (:func:`installed_plugins`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from importlib.metadata import entry_points
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from .camera import CameraDevice, available_cameras
from .devices import KINDS, CaptureDevice, DemoDevice, FileDevice
from .signature import SignaturePad

__all__ = ["PLUGIN_GROUP", "choose_devices", "installed_plugins"]

log = logging.getLogger(__name__)

PLUGIN_GROUP = "ektp_station.capture_devices"


def installed_plugins() -> dict[str, CaptureDevice]:
    """The capture devices installed as plug-ins (entry points in ``PLUGIN_GROUP``), by kind.
    A plug-in that fails to load is logged and left out (the station works without it)."""
    found: dict[str, CaptureDevice] = {}
    for point in entry_points(group=PLUGIN_GROUP):
        if point.name not in KINDS:
            log.warning("capture plug-in %r: unknown kind (one of %s)", point.name, KINDS)
            continue
        try:
            found[point.name] = point.load()()
        except Exception as exc:  # noqa: BLE001  # a vendor's code: never stop the window
            log.error("capture plug-in %r not loaded: %s", point.value, type(exc).__name__)
    return found


def choose_devices(
    *,
    demo: bool,
    plugins: Mapping[str, CaptureDevice] | None = None,
    cameras: Sequence[str] | None = None,
    folder: Path | str | None = None,
    seed: object = "demo",
) -> dict[str, CaptureDevice]:
    """The devices per kind; ``cameras`` defaults to :func:`available_cameras` (tests pass
    their own); ``folder``: the scanners' programs' folder (the ``scan-folder`` setting).
    Outside the demo, a kind without a device is left out (the step then says there is no
    device, and the part can be marked not taken or finished later)."""
    chosen: dict[str, CaptureDevice] = dict(plugins or {})
    scans = FileDevice(Path(folder)) if folder else None
    found = list(available_cameras() if cameras is None else cameras)
    synthetic = DemoDevice(seed)
    if "photo" not in chosen:
        if found:
            chosen["photo"] = CameraDevice(found[0])
        elif demo:
            chosen["photo"] = DemoDevice(
                seed,
                name=QCoreApplication.translate(
                    "CaptureDevices", "Foto demo (sintetis): tidak ada kamera terpasang"
                ),
            )
        elif scans is not None:
            chosen["photo"] = scans
    chosen.setdefault("signature", SignaturePad())
    if scans is not None:
        chosen.setdefault("finger", scans)
        chosen.setdefault("iris", scans)
    if demo:
        chosen.setdefault("finger", synthetic)
        chosen.setdefault("iris", synthetic)
    return chosen
