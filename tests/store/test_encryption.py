"""The queue encrypted at rest: its key kept apart, nothing readable without it, a recovery key
that opens it elsewhere (docs/encryption.md)."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend

from ektp_station.errors import (
    KeyMissing,
    QueueDamaged,
    QueueReplaced,
    RecoveryKeyInvalid,
    RecoveryKeyShown,
)
from ektp_station.store import DB_FILENAME, Queue
from ektp_station.store import keys as keys_module
from ektp_station.store.db import DriverError, connect_file
from ektp_station.store.encryption import recover_key, recovery_key, recovery_key_noted
from ektp_station.store.keys import (
    KeyStore,
    default_key_dir,
    format_recovery_key,
    new_key,
    parse_recovery_key,
)
from ektp_station.store.operators import Operators

from factories import make_record
from helpers import raw_queue


def _every_byte(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


@pytest.fixture
def filled(data_dir: Path) -> Iterator[Queue]:
    queue = Queue.open(data_dir)
    try:
        for i in range(1, 6):
            queue.enqueue(make_record(i), operator="SITI", station_id="ST-1")
        yield queue
    finally:
        queue.close()


def test_nothing_personal_is_in_the_files_and_the_key_is_not_beside_them(
    filled: Queue, data_dir: Path, _key_folder: Path
) -> None:
    stored = filled.get(1).record  # what the store really holds, normalised
    with raw_queue(data_dir) as raw:  # with the key it reads: a positive control
        assert str(stored["nik"]) in raw.execute("SELECT record FROM entries").fetchone()[0]
    data = _every_byte(data_dir)  # queue, WAL, SHM, queue.id
    for seq in range(1, 6):
        record = filled.get(seq).record
        for field in ("nik", "full_name", "address", "kk_number"):
            assert str(record[field]).encode() not in data, field
    assert filled.key.key not in data and filled.key.key.hex().encode() not in data
    kept = list(_key_folder.glob("*.key"))
    assert [p.name for p in kept] == [f"queue-{filled.queue_id}.key"]
    assert (_key_folder / "queues.txt").read_text() == f"{filled.queue_id}\n"  # ids only
    assert not kept[0].resolve().is_relative_to(data_dir.resolve())
    assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(_key_folder.stat().st_mode) == 0o700


def test_without_the_key_nothing_opens_and_roles_cannot_be_edited(
    data_dir: Path, _key_folder: Path
) -> None:
    queue = Queue.open(data_dir)
    Operators(queue.engine).create("SITI", "975313")  # the first account: a supervisor
    Operators(queue.engine).create("BUDI", "2468", role="operator")
    queue.close()
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        with sqlite3.connect(data_dir / DB_FILENAME) as raw:
            raw.execute("UPDATE operators SET role = 'supervisor' WHERE name = 'BUDI'")
    wrong = connect_file(data_dir / DB_FILENAME, new_key())  # another key: nothing either
    with pytest.raises(DriverError, match="not a database"):
        wrong.execute("UPDATE operators SET role = 'supervisor' WHERE name = 'BUDI'")
    wrong.close()
    reopened = Queue.open(data_dir)
    try:
        roles = {o.name: o.role for o in Operators(reopened.engine).accounts()}
        assert roles == {"SITI": "supervisor", "BUDI": "operator"}
    finally:
        reopened.close()


def test_a_missing_key_says_where_it_looked_and_changes_nothing(
    filled: Queue, data_dir: Path, _key_folder: Path
) -> None:
    filled.close()
    before = (data_dir / DB_FILENAME).read_bytes()
    key_file = next(_key_folder.glob("*.key"))
    saved = key_file.read_bytes()
    key_file.unlink()
    with pytest.raises(KeyMissing) as caught:
        Queue.open(data_dir)
    assert str(_key_folder) in caught.value.message("id")
    assert "kunci pemulihan" in caught.value.message("id")
    assert "recovery key" in caught.value.message("en")
    assert (data_dir / DB_FILENAME).read_bytes() == before
    key_file.write_bytes(saved)
    assert Queue.open(data_dir).count() == 5


def test_the_recovery_key_puts_a_lost_key_back(
    filled: Queue, data_dir: Path, _key_folder: Path
) -> None:
    text = recovery_key(filled.engine, filled.key)
    assert recovery_key(filled.engine, filled.key) == text  # not noted yet: shown again
    recovery_key_noted(filled.engine)
    recovery_key_noted(filled.engine)  # twice (two windows at once): no harm
    with pytest.raises(RecoveryKeyShown):
        recovery_key(filled.engine, filled.key)  # once noted, never again
    filled.close()
    for p in _key_folder.glob("*.key"):
        p.unlink()
    keys = KeyStore(_key_folder, use_keyring=False)
    id_file = data_dir / "queue.id"
    with pytest.raises(RecoveryKeyInvalid):
        recover_key(data_dir / DB_FILENAME, id_file, keys, new_key())  # another queue's key
    assert recover_key(data_dir / DB_FILENAME, id_file, keys, parse_recovery_key(text))
    assert Queue.open(data_dir).count() == 5


def test_recovery_keys_read_as_people_type_them() -> None:
    key = new_key()
    text = format_recovery_key(key)
    groups = text.split("-")
    assert len(groups) == 14 and all(len(g) == 4 for g in groups)
    assert parse_recovery_key(text) == key
    assert parse_recovery_key(" " + text.lower().replace("-", " ") + "\n") == key
    assert parse_recovery_key(text.replace("O", "0").replace("I", "1")) == key
    typo = ("B" if text[0] != "B" else "C") + text[1:]
    for wrong in (typo, text[:-5], text + "A", "", "not a key at all"):
        with pytest.raises(RecoveryKeyInvalid):
            parse_recovery_key(wrong)


def test_another_queue_of_this_pc_swapped_in_is_told_apart_from_damage(
    tmp_path: Path,
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for folder in (first, second):
        queue = Queue.open(folder)
        queue.enqueue(make_record(1), operator="SITI", station_id="ST-1")
        queue.close()
    (first / DB_FILENAME).write_bytes((second / DB_FILENAME).read_bytes())
    with pytest.raises(QueueReplaced):
        Queue.open(first)
    page = bytearray((second / DB_FILENAME).read_bytes())
    page[100:200] = b"\x00" * 100  # page 1 no longer authenticates
    (second / DB_FILENAME).write_bytes(bytes(page))
    with pytest.raises(QueueDamaged):
        Queue.open(second)


def test_the_key_folder_is_never_inside_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EKTP_KEY_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    data_dir = tmp_path / "home" / ".local" / "share" / "ektp-station"
    assert default_key_dir(data_dir) == tmp_path / "home" / ".config" / "ektp-station" / "keys"
    inside = tmp_path / "home" / ".config"  # a data folder that holds the settings place
    folder = default_key_dir(inside)
    assert not folder.resolve().is_relative_to(inside.resolve())


class _MemoryKeyring(KeyringBackend):
    """A credential store in memory: stands in for Windows Credential Manager or Secret
    Service, which this machine has not got (the key file path is the one tested for real)."""

    priority = 10  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


def test_a_credential_store_keeps_the_key_when_there_is_one(
    data_dir: Path, _key_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _MemoryKeyring()
    monkeypatch.setattr(keys_module, "_keyring_backend", lambda: store)
    monkeypatch.setenv("EKTP_KEYRING", "1")
    queue = Queue.open(data_dir)
    queue.enqueue(make_record(1), operator="SITI", station_id="ST-1")
    queue.close()
    assert list(_key_folder.glob("*.key")) == []  # no key file: the store has it
    assert store.secrets == {("ektp-station", f"queue-{queue.queue_id}"): queue.key.key.hex()}
    assert Queue.open(data_dir).count() == 1
    other = Queue.open(data_dir.parent / "another")  # a second queue of this PC, in the store
    other.close()
    saved = (data_dir / DB_FILENAME).read_bytes()
    (data_dir / DB_FILENAME).write_bytes((data_dir.parent / "another" / DB_FILENAME).read_bytes())
    with pytest.raises(QueueReplaced):  # found through the index of ids: not "damaged"
        Queue.open(data_dir)
    (data_dir / DB_FILENAME).write_bytes(saved)
    store.secrets.clear()
    with pytest.raises(KeyMissing):
        Queue.open(data_dir)


def _plain_queue(path: Path, queue_id: str) -> None:
    """A plain SQLite file as an attacker (or a version before encryption) would put there."""
    from ektp_station.store.db import create_queue_engine, writing
    from ektp_station.store.schema import meta, upgrade

    engine = create_queue_engine(path, None)  # the real schema, in a plain file
    upgrade(engine)
    with writing(engine) as conn:
        conn.execute(meta.insert().values(key="queue_id", value=queue_id))
        conn.execute(meta.insert().values(key="nik_salt", value="00ff"))
    engine.dispose()


@pytest.mark.parametrize("whose", ["this queue's id", "another id"])
def test_a_plain_file_put_in_place_of_the_encrypted_queue_is_refused_untouched(
    filled: Queue, data_dir: Path, _key_folder: Path, whose: str
) -> None:
    queue_id = filled.queue_id
    assert queue_id is not None
    filled.close()
    path = data_dir / DB_FILENAME
    path.unlink()
    _plain_queue(path, queue_id if whose == "this queue's id" else "0" * 8 + queue_id[8:])
    before, keys_before = path.read_bytes(), sorted(p.name for p in _key_folder.iterdir())
    with pytest.raises(QueueReplaced):
        Queue.open(data_dir)
    assert path.read_bytes() == before  # not encrypted with this queue's key, not changed
    assert sorted(p.name for p in _key_folder.iterdir()) == keys_before


def test_an_encryption_cut_short_is_finished_at_the_next_open(data_dir: Path) -> None:
    import uuid

    queue_id = str(uuid.uuid4())
    _plain_queue(data_dir / DB_FILENAME, queue_id)
    (data_dir / "queue.id").write_text(queue_id + "\n")
    keys = KeyStore.for_data_dir(data_dir)
    keys.put(queue_id, new_key())  # the key was kept, then the power went
    (data_dir / (DB_FILENAME + ".encrypting")).write_bytes(b"half a copy")
    queue = Queue.open(data_dir)
    try:
        assert queue.queue_id == queue_id and queue.key.key == keys.get(queue_id)
    finally:
        queue.close()
    assert not (data_dir / (DB_FILENAME + ".encrypting")).exists()
    assert not (data_dir / DB_FILENAME).read_bytes().startswith(b"SQLite format 3")


def test_a_loosened_key_file_is_tightened_and_a_key_folder_in_the_data_is_refused(
    filled: Queue, data_dir: Path, _key_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ektp_station.errors import ConfigError

    filled.close()
    key_file = next(_key_folder.glob("*.key"))
    key_file.chmod(0o644)
    _key_folder.chmod(0o755)
    Queue.open(data_dir).close()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(_key_folder.stat().st_mode) == 0o700
    monkeypatch.setenv("EKTP_KEY_DIR", str(data_dir / "keys"))
    with pytest.raises(ConfigError, match="inside the data folder"):
        Queue.open(data_dir)
    assert not (data_dir / "keys").exists()


def test_a_replaced_key_says_to_try_the_recovery_key(
    filled: Queue, data_dir: Path, _key_folder: Path
) -> None:
    from ektp_station.errors import KeyMismatch

    filled.close()
    next(_key_folder.glob("*.key")).write_text(new_key().hex() + "\n")
    with pytest.raises(KeyMismatch) as caught:
        Queue.open(data_dir)
    assert "kunci pemulihan" in caught.value.message("id")
    assert "recovery key" in caught.value.message("en")
