"""Settings, declared once with their types and defaults, stored as JSON in the config dir.

The station's token is kept apart in ``token`` with owner-only permissions and is never shown
in full (see :func:`mask_token`).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import re
import socket
import ssl
import sys
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigError
from .paths import AppPaths
from .private import private_dir, private_files

__all__ = [
    "SETTING_NAMES",
    "Settings",
    "central_url_allowed",
    "default_station_id",
    "insecure_url",
    "mask_token",
    "valid_ca_file",
    "valid_central_url",
    "valid_station_id",
]

log = logging.getLogger(__name__)

DEFAULT_CITY = "32.76"  # Kota Depok
LANGUAGES = ("id", "en")

#: The command-line names of the settings (``config set NAME VALUE``), mapped to their fields:
#: the one list of what can be set.
SETTING_NAMES: dict[str, str] = {
    "central-url": "central_url",
    "station-id": "station_id",
    "token": "token",
    "centre-key": "centre_key",
    "city-code": "city_code",
    "language": "language",
    "batch-size": "batch_size",
    "timeout": "timeout_seconds",
    "ca-file": "ca_file",
    "allow-insecure": "allow_insecure",
    "backup-dir": "backup_dir",
    "backup-every": "backup_every_minutes",
    "backup-keep": "backup_keep",
    "min-free-mb": "min_free_mb",
    "retention-days": "retention_days",
    "idle-lock-minutes": "idle_lock_minutes",
    "scan-folder": "scan_folder",
}
_CLI_NAME = {f: name for name, f in SETTING_NAMES.items()}
_STATION_ID = re.compile(r"[A-Z0-9][A-Z0-9._-]{0,39}")
_CITY_CODE = re.compile(r"[0-9]{2}\.[0-9]{2}")


def valid_central_url(url: str) -> bool:
    """An http(s) address with a host; empty means "no centre" and is valid too."""
    if not url:
        return True
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port out of range)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in url


def is_loopback_host(host: str) -> bool:
    """``localhost``, 127.0.0.0/8 or ::1: this machine, where nothing travels on a network."""
    host = host.lower().rstrip(".")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def insecure_url(url: str) -> bool:
    """Plain ``http://`` to a host that is not this machine: the token would travel in clear."""
    if not url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme == "http" and not is_loopback_host(parts.hostname or "")


def central_url_allowed(url: str, allow_insecure: bool) -> bool:
    """The one rule of the link: HTTPS to any centre not on loopback, unless a supervisor
    allowed plain HTTP (``allow-insecure``). ``config set``, the settings dialog, ``sync
    --central-url`` and the engine's start all ask this."""
    return allow_insecure or not insecure_url(url)


def valid_ca_file(path: str) -> bool:
    """Empty (the system's authorities) or a readable PEM file of certificate authorities."""
    if not path:
        return True
    if not os.path.isfile(path) or not os.access(path, os.R_OK):
        return False
    try:
        ssl.create_default_context(cafile=path)
    except (OSError, ValueError):  # ssl.SSLError is an OSError: not PEM certificates
        return False
    return True


def _writable_dir(path: str) -> bool:
    return os.path.isdir(path) and os.access(path, os.W_OK | os.X_OK)


def valid_station_id(station_id: str) -> bool:
    """Empty (the host name is used) or capitals, digits, ``.``, ``_``, ``-`` (≤ 40)."""
    return not station_id or _STATION_ID.fullmatch(station_id) is not None


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
    #: The centre's certificate authority (a PEM file); empty: the system's authorities.
    ca_file: str = ""
    #: A supervisor allowed plain ``http://`` to a centre that is not on loopback.
    allow_insecure: bool = False
    #: Where the rotating backups of the queue go (a second disk, a USB stick); empty: the
    #: ``backups`` folder in the data folder.
    backup_dir: str = ""
    #: Minutes between scheduled backups while the station runs (0: only at a clean exit).
    backup_every_minutes: int = 30
    #: Backups (generations) kept in the backup folder; older ones are removed.
    backup_keep: int = 10
    #: Below this much free disk space (MB) the window and ``queue status`` warn.
    min_free_mb: int = 500
    #: Days after the centre confirmed an entry (or it was withdrawn) before its personal data
    #: and receipt are purged (0: at once).
    retention_days: int = 30
    #: Minutes without a key press or a click before the window locks and asks for the PIN
    #: again (0: never).
    idle_lock_minutes: int = 10
    #: The folder where the fingerprint and iris scanners' own programs save their images
    #: (``<part>.png``; the camera's too where there is no camera here); empty: none
    #: (docs/biometrics.md, "How the devices are chosen").
    scan_folder: str = ""
    #: The centre's public key line (``central centre-key``): USB bundles are encrypted to
    #: it and its receipts checked against it (docs/bundles.md); no secret.
    centre_key: str = ""
    token: str = ""  # stored in its own file, not in config.json
    #: Keys of the settings file whose values were unreadable and ignored at load (the
    #: defaults are used instead); never saved.
    ignored: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @property
    def effective_station_id(self) -> str:
        return self.station_id or default_station_id()

    @classmethod
    def load(cls, paths: AppPaths) -> Settings:
        data: dict[str, Any] = {}
        private_files([paths.config_file, paths.token_file])  # an older version's: tightened
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
        if not isinstance(data, dict):
            data = {}
        known = {f.name for f in fields(cls)} - {"token", "ignored"}
        values: dict[str, Any] = {}
        ignored: list[str] = []
        for key, value in data.items():
            if key not in known:
                continue
            try:
                values[key] = _checked(key, _coerce(key, value))
            except (TypeError, ValueError):
                ignored.append(key)
                # info, not warning: the person is told by ``ignored_notice`` (one translated
                # line); a warning would also reach the console, in English, before it
                log.info(
                    "setting %r in %s is invalid and was ignored (default used)",
                    key,
                    paths.config_file.name,
                )
        if paths.token_file.exists():
            try:
                values["token"] = paths.token_file.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(
                    f"Berkas token {paths.token_file} tidak dapat dibaca "
                    f"({exc.__class__.__name__}). Atur ulang token stasiun.",
                    f"The token file {paths.token_file} is unreadable "
                    f"({exc.__class__.__name__}). Set the station token again.",
                ) from exc
        return cls(**values, ignored=tuple(ignored))

    @property
    def link_allowed(self) -> bool:
        """The centre's address may be used as it is (see :func:`central_url_allowed`)."""
        return central_url_allowed(self.central_url, self.allow_insecure)

    def check_link(self) -> None:
        """ConfigError unless the centre's address may be used: called before any connection
        (the engine's start, ``sync``), so a config.json edited by hand to an insecure
        address never sends the token."""
        if not self.link_allowed:
            raise ConfigError(*_INSECURE)

    def ignored_notice(self, lang: str = "id") -> str:
        """One line naming the settings that were ignored at load ("" when none)."""
        if not self.ignored:
            return ""
        names = ", ".join(_CLI_NAME.get(k, k) for k in self.ignored)
        if lang == "en":
            return f"Invalid settings ignored, defaults used: {names}. Set them again."
        return f"Pengaturan tidak sah diabaikan, dipakai nilai bawaan: {names}. Atur ulang."

    def save(self, paths: AppPaths) -> None:
        private_dir(paths.config_dir)
        data = {k: v for k, v in asdict(self).items() if k not in ("token", "ignored")}
        tmp = paths.config_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        private_files([tmp])
        os.replace(tmp, paths.config_file)
        if self.token:
            _write_private(paths.token_file, self.token + "\n")
        elif paths.token_file.exists():
            paths.token_file.unlink()

    def with_value(self, key: str, value: str) -> Settings:
        """A copy with one setting changed (``key``: a field name or its command-line name),
        checked; ConfigError says what is wrong."""
        key = SETTING_NAMES.get(key, key)
        if key not in {f.name for f in fields(self)} - {"ignored"}:
            raise ConfigError(f"Pengaturan '{key}' tidak dikenal.", f"Unknown setting '{key}'.")
        if key == "central_url":
            value = value.strip().rstrip("/")
        if key == "station_id":
            value = value.strip().upper()
        if key in ("ca_file", "backup_dir", "scan_folder"):
            value = str(Path(value.strip()).expanduser().resolve()) if value.strip() else ""
        if key == "backup_dir" and value and os.path.ismount(value):
            # unplugged, the mount point is an empty folder on the main disk: backups would
            # land there without a word; a folder on the stick vanishes with it instead
            raise ConfigError(
                "Folder cadangan jangan titik kait flashdisk/disk itu sendiri; pakai folder di "
                f"dalamnya, mis. {os.path.join(value, 'ektp-cadangan')} (buat dulu).",
                "The backup folder must not be the mount point of the stick or disk itself; "
                f"use a folder on it, e.g. {os.path.join(value, 'ektp-backups')} (make it "
                "first).",
            )
        if key == "backup_dir" and value and not _writable_dir(value):
            # checked when it is set (a stick may be unplugged later: then a backup fails
            # with its own message, the setting stays)
            hint_id, hint_en = _HINTS["backup_dir"]
            raise ConfigError(
                f"Nilai untuk 'backup-dir' tidak sah. {hint_id}",
                f"Invalid value for 'backup-dir'. {hint_en}",
            )
        if key == "scan_folder" and value and not os.path.isdir(value):
            hint_id, hint_en = _HINTS["scan_folder"]
            raise ConfigError(
                f"Nilai untuk 'scan-folder' tidak sah. {hint_id}",
                f"Invalid value for 'scan-folder'. {hint_en}",
            )
        try:
            typed = _checked(key, _coerce(key, value))
        except (TypeError, ValueError) as exc:
            hint_id, hint_en = _HINTS.get(key, ("", ""))
            name = _CLI_NAME.get(key, key)
            raise ConfigError(
                f"Nilai untuk '{name}' tidak sah. {hint_id}".strip(),
                f"Invalid value for '{name}'. {hint_en}".strip(),
            ) from exc
        changed = replace(self, **{key: typed})
        if key in ("central_url", "allow_insecure") and not changed.link_allowed:
            raise ConfigError(*(_INSECURE if key == "central_url" else _STILL_INSECURE))
        return changed


_HINTS = {
    "central_url": (
        "Alamat pusat harus diawali http:// atau https:// lalu nama server.",
        "The centre's address must start with http:// or https:// and a server name.",
    ),
    "station_id": (
        "ID stasiun: huruf, angka, titik, garis bawah atau tanda hubung saja (≤ 40).",
        "Station id: letters, digits, dot, underscore or hyphen only (≤ 40).",
    ),
    "token": ("Token tidak boleh berisi spasi.", "The token must not contain spaces."),
    "centre_key": (
        "Kunci pusat satu baris 'ektp-centre-1:…' seperti yang dicetak 'central centre-key' "
        "di pusat.",
        "The centre key is one line 'ektp-centre-1:…' as 'central centre-key' prints it at "
        "the centre.",
    ),
    "city_code": ("Kode kota/kabupaten seperti 32.76.", "A city code such as 32.76."),
    "language": ("Bahasa: id atau en.", "Language: id or en."),
    "batch_size": ("Ukuran batch: 1–500.", "Batch size: 1–500."),
    "timeout_seconds": ("Batas waktu: 0,1–300 detik.", "Timeout: 0.1–300 seconds."),
    "ca_file": (
        "Berkas CA pusat harus ada, dapat dibaca, dan berisi sertifikat PEM.",
        "The centre's CA file must exist, be readable and hold PEM certificates.",
    ),
    "allow_insecure": ("Nilai: true atau false.", "Value: true or false."),
    "backup_dir": (
        "Folder cadangan harus sudah ada dan dapat ditulisi (mis. flashdisk yang terpasang).",
        "The backup folder must exist and be writable (e.g. a USB stick that is plugged in).",
    ),
    "scan_folder": (
        "Folder hasil pindai harus sudah ada (tempat program alat sidik jari/iris menyimpan "
        "gambarnya).",
        "The scan folder must exist (where the fingerprint/iris scanners' programs save their "
        "images).",
    ),
    "backup_every_minutes": (
        "Menit antar-cadangan: 0 (hanya saat aplikasi ditutup) sampai 1440.",
        "Minutes between backups: 0 (only when the application closes) to 1440.",
    ),
    "backup_keep": ("Jumlah cadangan disimpan: 1–1000.", "Backups kept: 1–1000."),
    "min_free_mb": ("Batas ruang disk dalam MB: 0–1000000.", "Free space limit in MB: 0–1000000."),
    "idle_lock_minutes": (
        "Menit tanpa ketikan sebelum jendela terkunci: 0 (tidak pernah) sampai 240.",
        "Minutes without input before the window locks: 0 (never) to 240.",
    ),
    "retention_days": (
        "Hari penyimpanan data pribadi setelah terkirim: 0–3650.",
        "Days personal data is kept after delivery: 0–3650.",
    ),
}
#: Why an address is refused by :func:`central_url_allowed` (Bahasa Indonesia, English).
_INSECURE = (
    "Alamat pusat harus memakai https:// (http:// hanya untuk komputer ini sendiri): "
    "dengan http:// token stasiun terkirim tanpa sandi. Hanya supervisor yang dapat "
    "mengizinkannya (allow-insecure).",
    "The centre's address must use https:// (http:// only for this computer itself): over "
    "http:// the station token travels in clear. Only a supervisor can allow it "
    "(allow-insecure).",
)
_STILL_INSECURE = (
    "Alamat pusat masih memakai http:// ke server lain: ganti dulu ke https://.",
    "The centre's address still uses http:// to another server: change it to https:// first.",
)
_BOOLS = {"1": True, "true": True, "yes": True, "ya": True}
_BOOLS |= {"0": False, "false": False, "no": False, "tidak": False}


def _checked(key: str, value: Any) -> Any:
    """``value`` if it is a valid value of setting ``key``; ValueError otherwise (the one
    place each setting's rule is written: the CLI, the dialog and ``load`` use it)."""
    ok = True
    if key == "central_url":
        ok = valid_central_url(value)
    elif key == "station_id":
        ok = valid_station_id(value)
    elif key == "token":
        ok = value == "" or (value.isprintable() and not any(c.isspace() for c in value))
    elif key == "centre_key":
        ok = value == "" or _is_centre_key(value)
    elif key == "city_code":
        ok = value == "" or _CITY_CODE.fullmatch(value) is not None
    elif key == "language":
        ok = value in LANGUAGES
    elif key == "batch_size":
        ok = 1 <= value <= 500
    elif key == "timeout_seconds":
        ok = 0.1 <= value <= 300.0
    elif key == "ca_file":
        ok = valid_ca_file(value)
    elif key == "scan_folder":
        ok = value == "" or (os.path.isabs(value) and "\0" not in value)
    elif key == "backup_dir":
        ok = value == "" or (os.path.isabs(value) and "\0" not in value)
    elif key == "backup_every_minutes":
        ok = 0 <= value <= 1440
    elif key == "backup_keep":
        ok = 1 <= value <= 1000
    elif key == "min_free_mb":
        ok = 0 <= value <= 1_000_000
    elif key == "retention_days":
        ok = 0 <= value <= 3650
    elif key == "idle_lock_minutes":
        ok = 0 <= value <= 240
    if not ok:
        raise ValueError(f"invalid value for setting {key}")
    return value


def _is_centre_key(value: str) -> bool:
    from .bundles.keys import CentreKey

    try:
        CentreKey.parse(value)
    except ValueError:
        return False
    return value == value.strip()


def _coerce(key: str, value: object) -> Any:
    """``value`` converted to the type of the setting's default."""
    kind = type(getattr(_DEFAULTS, key))
    if kind is bool:
        if isinstance(value, bool):
            return value
        if not isinstance(value, str) or value.strip().lower() not in _BOOLS:
            raise ValueError("not true or false")
        return _BOOLS[value.strip().lower()]
    if kind is int and isinstance(value, float | bool):
        raise TypeError("not an integer")
    if kind is str and not isinstance(value, str):
        raise TypeError("not a string")
    typed = kind(value)
    if isinstance(typed, float) and typed != typed:  # NaN
        raise ValueError("not a number")
    return typed


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
