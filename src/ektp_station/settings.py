"""Settings, declared once with their types and defaults, stored as JSON in the config dir.

The station's token is kept apart in ``token`` with owner-only permissions and is never shown
in full (see :func:`mask_token`).
"""

from __future__ import annotations

import json
import os
import re
import socket
import sys
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .paths import AppPaths

__all__ = ["Settings", "default_station_id", "mask_token"]

DEFAULT_CITY = "32.76"  # Kota Depok


def default_station_id() -> str:
    host = re.sub(r"[^A-Za-z0-9-]+", "-", socket.gethostname()).strip("-").upper()
    return f"ST-{host or 'LOCAL'}"[:40]


@dataclass(frozen=True)
class Settings:
    station_id: str = ""
    central_url: str = ""
    city_code: str = DEFAULT_CITY
    language: str = "id"
    batch_size: int = 200
    timeout_seconds: float = 10.0
    token: str = ""  # stored in its own file, not in config.json

    @property
    def effective_station_id(self) -> str:
        return self.station_id or default_station_id()

    @classmethod
    def load(cls, paths: AppPaths) -> Settings:
        data: dict[str, Any] = {}
        if paths.config_file.exists():
            try:
                data = json.loads(paths.config_file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ConfigError(
                    f"Berkas pengaturan {paths.config_file} rusak ({exc.__class__.__name__}). "
                    "Perbaiki atau hapus berkas itu, lalu atur ulang dengan 'config set'.",
                    f"The settings file {paths.config_file} is unreadable "
                    f"({exc.__class__.__name__}). Fix or delete it, then use 'config set'.",
                ) from exc
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in data.items():
            f = known.get(key)
            if f is None or key == "token":
                continue
            try:
                values[key] = _coerce(key, value)
            except (TypeError, ValueError):
                continue
        if paths.token_file.exists():
            values["token"] = paths.token_file.read_text(encoding="utf-8").strip()
        return cls(**values)

    def save(self, paths: AppPaths) -> None:
        paths.config_dir.mkdir(parents=True, exist_ok=True)
        data = {k: v for k, v in asdict(self).items() if k != "token"}
        tmp = paths.config_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, paths.config_file)
        if self.token:
            _write_private(paths.token_file, self.token + "\n")
        elif paths.token_file.exists():
            paths.token_file.unlink()

    def with_value(self, key: str, value: str) -> Settings:
        f = {f.name: f for f in fields(self)}.get(key)
        if f is None:
            raise ConfigError(f"Pengaturan '{key}' tidak dikenal.", f"Unknown setting '{key}'.")
        try:
            typed = _coerce(key, value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(
                f"Nilai untuk '{key}' tidak sah.", f"Invalid value for '{key}'."
            ) from exc
        return replace(self, **{key: typed})


def _coerce(key: str, value: object) -> Any:
    """``value`` converted to the type of the setting's default."""
    kind = type(getattr(_DEFAULTS, key))
    if kind is bool:
        return str(value).lower() in ("1", "true", "yes", "ya")
    return kind(value)


_DEFAULTS = Settings()


def _write_private(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    if sys.platform != "win32":
        os.chmod(tmp, 0o600)
    os.replace(tmp, path)


TOKEN_SHOWN = 4  # leading characters of a token shown anywhere (CLI, settings dialog)


def mask_token(token: str) -> str:
    if not token:
        return ""
    return token[:TOKEN_SHOWN] + "…" + f"({len(token)} karakter)"
