"""The queue's encryption key: made with the queue, kept apart from it, shown once to recover.

Each queue has its own random 256-bit key (SQLCipher's raw key: no passphrase, no KDF at each
connection). It never lies in the data folder:

* in the OS credential store through :mod:`keyring` when there is one (Windows Credential
  Manager on the counter PCs, Secret Service on a Linux desktop), under the service
  ``ektp-station`` and the name ``queue-<queue id>``;
* else in a key file ``queue-<queue id>.key`` (0600, folder 0700) in the per-user settings
  place, outside the data folder (``EKTP_KEY_DIR`` overrides it: a second station on the PC,
  the tests).

Reading looks in both places, so a key stays found when a credential store appears later.

The **recovery key** is the same key written for people: 56 characters in groups of four
(the key's 52 in base32 and four of a checksum that catches a typo before anything is tried).
A supervisor writes it down once, at set-up; on another PC it opens a backup
(``queue restore --recovery-key``), or this PC's queue when its key is lost
(``queue recover-key``). Anyone holding it and a backup can read that backup: keep it like
the PC's key (in the kelurahan's safe, not taped to the monitor).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs
from keyring.backend import KeyringBackend

from ..errors import ConfigError, KeyMissing, RecoveryKeyInvalid
from ..private import private_dir, private_files

__all__ = [
    "ENV_KEYRING",
    "ENV_KEY_DIR",
    "KEY_BYTES",
    "KeyStore",
    "format_recovery_key",
    "new_key",
    "parse_recovery_key",
]

log = logging.getLogger(__name__)

KEY_BYTES = 32
SERVICE = "ektp-station"
ENV_KEY_DIR = "EKTP_KEY_DIR"
#: ``0`` keeps the OS credential store out (key files only): the tests, and a PC whose
#: desktop keyring asks for a password at every start.
ENV_KEYRING = "EKTP_KEYRING"
_KEY_FILE = re.compile(r"queue-([0-9a-f-]{36})\.key")
#: The ids of the queues whose keys this PC keeps (not secret): a credential store cannot be
#: listed, and another queue's key must be found to tell a swapped file from a damaged one.
_INDEX = "queues.txt"


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


# -- the recovery key ----------------------------------------------------------------------


def _checksum(key: bytes) -> str:
    return base64.b32encode(hashlib.sha256(b"ektp-station recovery\0" + key).digest())[:4].decode()


def format_recovery_key(key: bytes) -> str:
    """``ABCD-EFGH-…`` (14 groups of four: the key in base32, then a checksum)."""
    text = base64.b32encode(key).decode().rstrip("=") + _checksum(key)
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_recovery_key(text: str) -> bytes:
    """The key from what a person typed (case, spaces and dashes free; 0/1 read as O/I).
    RecoveryKeyInvalid when it is not 56 such characters or its checksum is wrong."""
    clean = re.sub(r"[\s\-]", "", text).upper().replace("0", "O").replace("1", "I")
    if len(clean) != 56 or not re.fullmatch(r"[A-Z2-7]+", clean):
        raise RecoveryKeyInvalid("recovery key: wrong length or characters")
    try:
        key = base64.b32decode(clean[:52] + "====")
    except ValueError:
        raise RecoveryKeyInvalid("recovery key: not base32") from None
    if len(key) != KEY_BYTES or _checksum(key) != clean[52:]:
        raise RecoveryKeyInvalid("recovery key: checksum")
    return key


# -- where keys are kept -------------------------------------------------------------------


def default_key_dir(data_dir: Path) -> Path:
    """``EKTP_KEY_DIR``, else ``keys`` in the per-user settings place (``~/.config`` on Linux,
    the roaming ``%APPDATA%`` on Windows, where the data folder is the local one) — never
    inside ``data_dir``: the key must not travel with a copy of the data folder."""
    chosen = os.environ.get(ENV_KEY_DIR)
    if chosen:
        folder = Path(chosen).expanduser().resolve()
        if _inside(folder, data_dir):
            raise ConfigError(
                f"{ENV_KEY_DIR} ada di dalam folder data: kunci tidak boleh berada di samping "
                "data yang dikuncinya. Pilih folder lain.",
                f"{ENV_KEY_DIR} is inside the data folder: the key must not lie beside the "
                "data it locks. Choose another folder.",
            )
        return folder
    folder = Path(platformdirs.user_config_dir(SERVICE, appauthor=False, roaming=True)) / "keys"
    for candidate in (
        folder,
        Path.home() / f".{SERVICE}-keys",
        data_dir.parent / f".{SERVICE}-keys",
    ):
        if not _inside(candidate, data_dir):
            return candidate
    raise ConfigError(  # a data folder that holds the whole home and its parent: say so
        f"Folder data berisi semua tempat kunci biasa; atur {ENV_KEY_DIR} ke folder di luarnya.",
        f"The data folder holds every usual place for the key; set {ENV_KEY_DIR} to a folder "
        "outside it.",
    )


def _inside(folder: Path, data_dir: Path) -> bool:
    return folder.resolve().is_relative_to(data_dir.resolve())


def _keyring_backend() -> KeyringBackend | None:
    """The OS credential store, or None when there is none (or it is switched off)."""
    if os.environ.get(ENV_KEYRING, "1") == "0":
        return None
    import keyring
    from keyring.backends import chainer, fail

    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # noqa: BLE001 - a broken keyring setup must not stop the station
        log.warning("credential store unusable: %s", type(exc).__name__)
        return None
    if isinstance(backend, fail.Keyring):
        return None
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None
    return backend


@dataclass
class KeyStore:
    """Where one station's queue keys live: the OS credential store if any, and a folder."""

    folder: Path
    use_keyring: bool = True
    _backend: KeyringBackend | None = field(default=None, init=False, repr=False)
    _looked: bool = field(default=False, init=False, repr=False)

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> KeyStore:
        return cls(default_key_dir(data_dir))

    def _keyring(self) -> KeyringBackend | None:
        if not self.use_keyring:
            return None
        if not self._looked:
            self._backend = _keyring_backend()
            self._looked = True
        return self._backend

    def places(self) -> list[str]:
        """Where a key is looked for, for a message (never the key)."""
        found = []
        backend = self._keyring()
        if backend is not None:
            found.append(getattr(backend, "name", type(backend).__name__))
        found.append(str(self.folder))
        return found

    def _file(self, queue_id: str) -> Path:
        if not re.fullmatch(r"[0-9a-f-]{36}", queue_id):
            raise ValueError("queue id")
        return self.folder / f"queue-{queue_id}.key"

    def get(self, queue_id: str) -> bytes | None:
        backend = self._keyring()
        if backend is not None:
            try:
                text = backend.get_password(SERVICE, f"queue-{queue_id}")
            except Exception as exc:  # noqa: BLE001 - a locked or broken store: the file may have it
                log.warning("credential store not readable: %s", type(exc).__name__)
                text = None
            if text:
                key = _from_hex(text)
                if key is not None:
                    return key
        path = self._file(queue_id)
        try:
            text = path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError):
            return None
        private_files([path])  # owner-only, also when someone loosened it
        if os.name == "posix" and self.folder.is_dir():
            private_dir(self.folder)
        return _from_hex(text)

    def put(self, queue_id: str, key: bytes) -> str:
        """Keep ``key`` for ``queue_id``; returns where (a place for :meth:`places`). Written
        and read back before it returns: a queue is never encrypted with a key not kept."""
        self._remember(queue_id)
        backend = self._keyring()
        if backend is not None:
            try:
                backend.set_password(SERVICE, f"queue-{queue_id}", key.hex())
                if self.get(queue_id) == key:
                    return str(getattr(backend, "name", type(backend).__name__))
            except Exception as exc:  # noqa: BLE001 - any backend's failure: the key file then
                log.warning("credential store not writable: %s", type(exc).__name__)
        path = self._file(queue_id)
        private_dir(self.folder)
        partial = path.with_name(path.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, (key.hex() + "\n").encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        private_files([partial])
        os.replace(partial, path)
        _fsync_dir(self.folder)
        if _from_hex(path.read_text(encoding="ascii")) != key:
            raise OSError("key file did not read back")
        return str(path)

    def _remember(self, queue_id: str) -> None:
        if queue_id in self._known():
            return
        private_dir(self.folder)
        index = self.folder / _INDEX
        with index.open("a", encoding="ascii") as out:
            out.write(queue_id + "\n")
        private_files([index])

    def _known(self) -> list[str]:
        ids: list[str] = []
        try:
            ids += [
                line.strip()
                for line in (self.folder / _INDEX).read_text(encoding="ascii").splitlines()
            ]
        except (OSError, UnicodeDecodeError):
            pass
        try:
            ids += [m.group(1) for p in self.folder.iterdir() if (m := _KEY_FILE.fullmatch(p.name))]
        except OSError:
            pass
        return sorted({i for i in ids if re.fullmatch(r"[0-9a-f-]{36}", i)})

    def candidates(self) -> list[tuple[str, bytes]]:
        """Every (queue id, key) this PC keeps (the credential store's too, through the
        index of ids): to tell another queue's file from a damaged one, and to open a backup
        of an earlier queue of this PC."""
        found: list[tuple[str, bytes]] = []
        for queue_id in self._known():
            key = self.get(queue_id)
            if key is not None:
                found.append((queue_id, key))
        return found

    def missing(self, queue_id: str | None, detail: str) -> KeyMissing:
        return KeyMissing(self.places(), detail=f"{detail} (queue {queue_id or 'unknown'})")


def _from_hex(text: str) -> bytes | None:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        return None
    return key if len(key) == KEY_BYTES else None


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
