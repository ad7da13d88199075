"""Where the station keeps its data, settings and logs.

By default the per-user places of platformdirs (e.g. ``~/.local/share/ektp-station`` on Linux,
``%LOCALAPPDATA%\\ektp-station`` on Windows). With ``--data-dir DIR`` (or ``EKTP_DATA_DIR``),
everything lives under DIR: ``DIR/queue.sqlite3``, ``DIR/config.json``, ``DIR/logs/`` — handy for
a second station on one PC, a USB stick, the demo and the tests.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

__all__ = [
    "APP_NAME",
    "ATTACHMENTS_DIR",
    "RECEIPTS_DIR",
    "AppPaths",
    "legacy_receipt_name",
    "receipt_file_name",
]

APP_NAME = "ektp-station"
ENV_DATA_DIR = "EKTP_DATA_DIR"


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path
    config_dir: Path
    log_dir: Path

    @classmethod
    def resolve(cls, data_dir: str | os.PathLike[str] | None = None) -> AppPaths:
        chosen = data_dir or os.environ.get(ENV_DATA_DIR) or None
        if chosen:
            root = Path(chosen).expanduser().resolve()
            return cls(data_dir=root, config_dir=root, log_dir=root / "logs")
        return cls(
            data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            log_dir=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        )

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.json"

    @property
    def token_file(self) -> Path:
        return self.config_dir / "token"

    @property
    def receipts_dir(self) -> Path:
        """The receipts' sealed PDFs (``bukti-000123.pdf.enc``), purged with their entries."""
        return self.data_dir / RECEIPTS_DIR

    @property
    def attachments_dir(self) -> Path:
        """The biometric parts, one encrypted file per image (``store.attachments``)."""
        return self.data_dir / ATTACHMENTS_DIR


RECEIPTS_DIR = "receipts"
ATTACHMENTS_DIR = "attachments"


def receipt_file_name(seq: int) -> str:
    """The sealed PDF receipt of entry number ``seq`` (``station.receipts``)."""
    return f"bukti-{seq:06d}.pdf.enc"


def legacy_receipt_name(seq: int) -> str:
    """The receipt in clear that versions before encryption wrote."""
    return f"bukti-{seq:06d}.pdf"
