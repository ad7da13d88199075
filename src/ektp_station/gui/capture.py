"""Which capture device takes each kind of part at this station (docs/biometrics.md, "How the
devices are chosen").

- ``photo``: the camera (``gui.camera``) where one is present; otherwise a device that says
  where its pictures come from — the demo's synthetic photo, marked as such;
- ``signature``: the signature pad (``gui.signature``), mouse or pen tablet: every PC has one;
- ``finger``, ``iris``: a vendor SDK's plug-in when one is given (``plugins``); in the demo,
  the synthetic images.

``plugins`` (kind -> device) come first: a configured device always wins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QCoreApplication

from .camera import CameraDevice, available_cameras
from .devices import CaptureDevice, DemoDevice
from .signature import SignaturePad

__all__ = ["choose_devices"]


def choose_devices(
    *,
    demo: bool,
    plugins: Mapping[str, CaptureDevice] | None = None,
    cameras: Sequence[str] | None = None,
    seed: object = "demo",
) -> dict[str, CaptureDevice]:
    """The devices per kind; ``cameras`` defaults to :func:`available_cameras` (tests pass
    their own). Outside the demo, a kind without a device is left out (the step then asks
    for the reason a part was not taken)."""
    chosen: dict[str, CaptureDevice] = dict(plugins or {})
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
    chosen.setdefault("signature", SignaturePad())
    if demo:
        chosen.setdefault("finger", synthetic)
        chosen.setdefault("iris", synthetic)
    return chosen
