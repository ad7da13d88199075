"""The "Tentang" (About) dialog: version, where the data and the logs live, and the licences
of the bundled data and libraries. ``show_about(parent, ctx)`` opens it (F1 in the window).

The licences are listed here rather than read from package metadata, because a frozen bundle
carries no ``*.dist-info``; ``tests/gui/test_about.py`` checks that every runtime dependency
of ``pyproject.toml`` appears in :data:`LIBRARIES`.
"""

from __future__ import annotations

import html
import platform
import sys
from pathlib import Path
from typing import NamedTuple, Protocol

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..paths import AppPaths
from ..resources import resource_path

__all__ = [
    "DATA_SOURCES",
    "LIBRARIES",
    "AboutDialog",
    "HasPaths",
    "License",
    "app_icon",
    "show_about",
]


class HasPaths(Protocol):
    """What the dialog needs of its context: ``cli.Context`` and ``StationContext`` both fit."""

    @property
    def paths(self) -> AppPaths: ...


class License(NamedTuple):
    name: str
    license: str
    note: str = ""


#: The data shipped in resources/data (details: resources/data/SOURCES.md).
DATA_SOURCES: tuple[License, ...] = (
    License(
        "Wilayah (depok.csv, kecamatan_nasional.csv)",
        "MIT, © cahyadsn",
        "dari cahyadsn/wilayah (db/wilayah.sql); kode Kemendagri menurut Kepmendagri "
        "300.2.2-2138/2025 dan perubahannya 300.2.2-2430/2025 (bukan kode BPS)",
    ),
    License(
        "Daftar nilai SIAK (value_lists.csv)",
        "daftar nilai resmi SIAK",
        "pekerjaan, agama, golongan darah, status perkawinan, dan lain-lain, "
        "sebagaimana diberi label oleh SIAK",
    ),
)

#: Qt and the Python libraries inside the program (runtime dependencies and theirs).
LIBRARIES: tuple[License, ...] = (
    License(
        "Qt 6 / Qt for Python (PySide6-Essentials, shiboken6)",
        "LGPL-3.0",
        "dipakai sebagai pustaka terpisah (folder _internal/PySide6) yang dapat diganti; "
        "sumber: https://code.qt.io",
    ),
    License("Python", "PSF-2.0"),
    License("SQLite", "public domain"),
    License("OpenSSL", "Apache-2.0"),
    License("ICU", "Unicode-3.0"),
    License("SQLAlchemy", "MIT"),
    License("Alembic", "MIT"),
    License("Mako", "MIT"),
    License("Jinja2", "BSD-3-Clause"),
    License("MarkupSafe", "BSD-3-Clause"),
    License("httpx", "BSD-3-Clause"),
    License("httpcore", "BSD-3-Clause"),
    License("h11", "MIT"),
    License("anyio", "MIT"),
    License("idna", "BSD-3-Clause"),
    License("certifi", "MPL-2.0"),
    License("tenacity", "Apache-2.0"),
    License("platformdirs", "MIT"),
    License("pydantic", "MIT"),
    License("pydantic-core", "MIT"),
    License("annotated-types", "MIT"),
    License("typing-extensions", "PSF-2.0"),
    License("typing-inspection", "MIT"),
    License("FastAPI", "MIT"),
    License("Starlette", "BSD-3-Clause"),
    License("uvicorn", "BSD-3-Clause"),
    License("click", "BSD-3-Clause"),
    License("qrcode", "BSD-3-Clause"),
    License("SQLCipher (Zetetic, community edition)", "BSD-3-Clause"),
    License("sqlcipher3", "Zlib"),
    License("cryptography", "Apache-2.0 OR BSD-3-Clause"),
    License("cffi", "MIT-0"),
    License("pycparser", "BSD-3-Clause"),
    License("keyring", "MIT"),
    License("SecretStorage", "BSD-3-Clause"),
    License("jeepney", "MIT"),
    License("jaraco.classes, jaraco.context, jaraco.functools", "MIT"),
    License("more-itertools", "MIT"),
    License("backports.tarfile", "MIT"),
    License("importlib-metadata", "Apache-2.0"),
    License("lazy-importer", "Apache-2.0"),
    License("zipp", "MIT"),
    License("pywin32-ctypes (Windows)", "BSD-3-Clause"),
)

#: The station's own licence (pyproject.toml).
OWN_LICENSE = "MIT"


def app_icon() -> QIcon:
    """The station's icon (``resources/icons/ektp-station.png``); an empty icon if missing."""
    path = resource_path("icons", "ektp-station.png")
    return QIcon(str(path)) if path.is_file() else QIcon()


def _sources_file() -> Path | None:
    try:
        path = resource_path("data", "SOURCES.md")
    except FileNotFoundError:
        return None
    return path if path.is_file() else None


class AboutDialog(QDialog):
    """Version, folders and licences; "Salin info" copies a plain-text summary for support."""

    def __init__(self, parent: QWidget | None, ctx: HasPaths) -> None:
        super().__init__(parent)
        self.setObjectName("about_dialog")
        self.setWindowTitle(self.tr("Tentang ektp-station"))
        self.setWindowIcon(app_icon())
        self.paths = ctx.paths
        layout = QVBoxLayout(self)

        title = QLabel(f"<b>ektp-station {html.escape(__version__)}</b>")
        title.setObjectName("about_title")
        layout.addWidget(title)
        intro = QLabel(
            self.tr("Stasiun perekaman e-KTP yang tetap bekerja saat jaringan putus-nyambung.")
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        form = QFormLayout()
        layout.addLayout(form)
        self.fields: dict[str, QLabel] = {}
        rows = [
            ("version", self.tr("Versi"), __version__),
            ("data_dir", self.tr("Folder data"), str(self.paths.data_dir)),
            ("log_dir", self.tr("Folder log"), str(self.paths.log_dir)),
        ]
        if self.paths.config_dir != self.paths.data_dir:
            rows.append(("config_dir", self.tr("Folder pengaturan"), str(self.paths.config_dir)))
        rows += [
            ("qt", "Qt / PySide6", f"{qVersion()} / {PySide6.__version__}"),
            ("python", "Python", f"{platform.python_version()} ({_platform_name()})"),
        ]
        for key, caption, value in rows:
            label = QLabel(value)
            label.setObjectName(f"about_{key}")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(caption + ":", label)
            self.fields[key] = label

        self.licences = QTextBrowser()
        self.licences.setObjectName("about_licences")
        self.licences.setOpenExternalLinks(False)
        self.licences.setHtml(self._licence_html())
        self.licences.setMinimumSize(520, 260)
        layout.addWidget(self.licences, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton(self.tr("Salin info"))
        self.copy_button.setObjectName("about_copy")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_info)
        buttons.rejected.connect(self.reject)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        layout.addWidget(buttons)

    def _licence_html(self) -> str:
        def table(items: tuple[License, ...]) -> str:
            rows = "".join(
                f"<tr><td><b>{html.escape(item.name)}</b></td>"
                f"<td>{html.escape(item.license)}</td>"
                f"<td>{html.escape(item.note)}</td></tr>"
                for item in items
            )
            return f"<table cellspacing='0' cellpadding='3'>{rows}</table>"

        sources = _sources_file()
        parts = [
            f"<p>ektp-station: {html.escape(OWN_LICENSE)}.</p>",
            f"<h4>{html.escape(self.tr('Data'))}</h4>",
            table(DATA_SOURCES),
        ]
        if sources is not None:
            parts.append(
                "<p>"
                + html.escape(self.tr("Rincian sumber data: {path}").format(path=sources))
                + "</p>"
            )
        parts += [f"<h4>{html.escape(self.tr('Pustaka'))}</h4>", table(LIBRARIES)]
        return "".join(parts)

    def info_text(self) -> str:
        """A plain-text summary (no personal data): what support asks for first."""
        lines = [f"ektp-station {__version__}"]
        lines += [f"{key}: {label.text()}" for key, label in self.fields.items()]
        return "\n".join(lines) + "\n"

    def copy_info(self) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(self.info_text())


def _platform_name() -> str:
    frozen = " (bundle)" if getattr(sys, "frozen", False) else ""
    return f"{platform.system()} {platform.release()}{frozen}"


def show_about(parent: QWidget | None, ctx: HasPaths) -> AboutDialog:
    """Open the dialog without blocking (window-modal over ``parent``); deleted when closed."""
    dialog = AboutDialog(parent, ctx)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
