"""Find the files under the top-level ``resources/`` folder.

The same code finds them from a source checkout (``<repo>/resources``), an installed wheel
(``ektp_station/resources`` inside the package, see ``pyproject.toml``) and a frozen
PyInstaller bundle (``<bundle>/resources``).
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

__all__ = ["resource_path", "resources_dir"]


@cache
def resources_dir() -> Path:
    """The folder holding the project's resources; raises if none can be found."""
    here = Path(__file__).resolve().parent
    candidates = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.append(Path(frozen_root) / "resources")
    candidates += [here / "resources", here.parent.parent / "resources"]
    for candidate in candidates:
        if (candidate / "data" / "depok.csv").is_file():
            return candidate
    raise FileNotFoundError(
        "resources/ not found (looked in: " + ", ".join(str(c) for c in candidates) + ")"
    )


def resource_path(*parts: str) -> Path:
    """Path of one resource file, e.g. ``resource_path("data", "depok.csv")``."""
    return resources_dir().joinpath(*parts)
