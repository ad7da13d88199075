"""The centre's schema migrations (alembic, central/schema.py): from today's schema upwards.

Real SQLite files under tmp_path, and PostgreSQL (each test in its own schema) when
``EKTP_TEST_PG_URL`` is set (the ``db_url`` fixture). "Today's schema" (the last before
migrations, commit 5e28403) is frozen twice, so that neither can drift:
tests/central/data/centre_schema_0001.sqlite.sql is the DDL that code made on SQLite,
``today()`` (migration_support) the same tables as MetaData (for PostgreSQL), and the two
are checked against each other; likewise the release before the dashboard. The first
release is the one test_revisions.py upgrades too.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from migration_support import (
    ROWS,
    before_dashboard,
    first_release,
    rows_of,
    sqlite_ddl,
    today,
    waits_for_the_lock,
)

from ektp_station.central import CentralDB, schema
from ektp_station.central.schema import (
    BASELINE,
    MIGRATIONS_DIR,
    alembic_config,
    current_revision,
    head_revision,
    target_metadata,
)
from ektp_station.cli import main
from ektp_station.errors import CentreSchemaTooNew

from helpers import wait_until

DATA = Path(__file__).parent / "data"
TODAY_SQL = DATA / "centre_schema_0001.sqlite.sql"
BEFORE_DASHBOARD_SQL = DATA / "centre_schema_before_dashboard.sqlite.sql"


def differences(db: CentralDB) -> list[Any]:
    """alembic's autogenerate comparison of the database with every table of the code:
    each table, column, type, default, index and unique constraint; [] when they agree."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, target_metadata()))


def make_today(db_url: str) -> None:
    """A database exactly as the code before migrations made it, with rows in every table:
    on SQLite from the frozen DDL, on PostgreSQL from the frozen MetaData."""
    engine = sa.create_engine(db_url)
    try:
        if engine.dialect.name == "sqlite":
            with sqlite3.connect(sa.make_url(db_url).database or "") as raw:
                raw.executescript(TODAY_SQL.read_text(encoding="utf-8"))
            md = today()
        else:
            md = today()
            md.create_all(engine)
        with engine.begin() as conn:
            for name, rows in ROWS.items():
                conn.execute(md.tables[name].insert(), rows)
    finally:
        engine.dispose()


@pytest.fixture
def db(db_url: str) -> Any:
    central = CentralDB(db_url)
    yield central
    central.dispose()


# -- the baseline is today's schema ---------------------------------------------------------


@pytest.mark.parametrize(
    ("frozen", "ddl"), [(today, TODAY_SQL), (before_dashboard, BEFORE_DASHBOARD_SQL)]
)
def test_the_frozen_metadata_is_the_frozen_ddl(
    tmp_path: Path, frozen: Callable[[], sa.MetaData], ddl: Path
) -> None:
    """The test's two copies of a release's schema agree (so the PostgreSQL tests, built
    from the MetaData, start from the same schema as the SQLite ones)."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'frozen.sqlite3'}")
    frozen().create_all(engine)
    engine.dispose()
    assert sqlite_ddl(tmp_path / "frozen.sqlite3") == sqlite_ddl(ddl)


def test_revision_0001_creates_exactly_todays_schema(tmp_path: Path) -> None:
    path = tmp_path / "central.sqlite3"
    db = CentralDB(f"sqlite:///{path}")
    try:
        with db.engine.begin() as conn:
            command.upgrade(alembic_config(conn), BASELINE)
        assert current_revision(db.engine) == BASELINE
    finally:
        db.dispose()
    assert sqlite_ddl(path) == sqlite_ddl(TODAY_SQL)


def test_database_of_today_is_upgraded_to_head_with_its_rows(db: CentralDB, db_url: str) -> None:
    make_today(db_url)
    before = rows_of(db.engine)
    assert before.keys() == ROWS.keys() and all(before.values())
    assert current_revision(db.engine) is None  # made before migrations: no alembic_version

    done = db.create_schema()

    assert (done.before, done.after, done.legacy) == (None, head_revision(), True)
    assert current_revision(db.engine) == head_revision()
    assert rows_of(db.engine, only=before) == before
    assert differences(db) == []
    assert db.stats()["registrations"] == 1


def test_an_empty_database_upgraded_to_head_is_the_code_s_schema(db: CentralDB) -> None:
    """The guard against a schema change without a migration: a table, column, index or
    type added to (or changed in) the tables of ``ektp_station.central`` without a revision
    in central/migrations/versions that makes it fails here, with alembic's list of the
    differences (what the next revision must do; docs/central.md, "Schema migrations")."""
    done = db.create_schema()
    assert (done.before, done.after, done.legacy) == (None, head_revision(), False)
    found = differences(db)
    assert found == [], "the tables differ from the migrations' schema: write a revision:\n" + (
        "\n".join(map(repr, found))
    )


# -- databases from before migrations --------------------------------------------------------


@pytest.mark.parametrize("release", [first_release, before_dashboard])
def test_database_of_an_older_release_is_adopted_and_upgraded(
    db: CentralDB, db_url: str, release: Callable[[], sa.MetaData]
) -> None:
    """The in-place upgrade of before migrations, then alembic from 0001: the first
    release's layout (no revisions, no NIK probe counters, no uploads, enrolments or
    dashboard), and the one before the dashboard (no dashboard tables, no
    registrations.kelurahan_code)."""
    engine = sa.create_engine(db_url)
    md = release()
    try:
        md.create_all(engine)
        with engine.begin() as conn:
            for name, table in md.tables.items():
                rows = [{k: v for k, v in r.items() if k in table.c} for r in ROWS[name]]
                conn.execute(table.insert(), rows)
    finally:
        engine.dispose()
    before = rows_of(db.engine)

    done = db.create_schema()

    assert (done.before, done.after, done.legacy) == (None, head_revision(), True)
    assert rows_of(db.engine, only=before) == before  # the old columns, unchanged
    assert differences(db) == []
    if release is first_release:  # the defaults of the added columns
        with db.engine.connect() as conn:
            added = conn.execute(
                sa.text("SELECT revision, corrected_at, kelurahan_code FROM registrations")
            ).one()
            counters = conn.execute(
                sa.text("SELECT nik_recorded_answers, nik_probe_window_count FROM stations")
            ).one()
        assert tuple(added) == (1, None, None) and tuple(counters) == (0, 0)


def test_upgrading_twice_changes_nothing(db: CentralDB, db_url: str) -> None:
    make_today(db_url)
    assert db.create_schema().changed
    rows = rows_of(db.engine)
    again = db.create_schema()
    assert (again.before, again.after, again.changed, again.legacy) == (
        head_revision(),
        head_revision(),
        False,
        False,
    )
    assert rows_of(db.engine) == rows
    assert differences(db) == []


def test_drop_schema_drops_the_version_table_too(db: CentralDB) -> None:
    db.create_schema()
    db.drop_schema()
    with db.engine.connect() as conn:
        assert sa.inspect(conn).get_table_names() == []
    assert db.create_schema().before is None  # from nothing again


def test_a_database_newer_than_the_program_is_refused_unchanged(db: CentralDB) -> None:
    db.create_schema()
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(CentreSchemaTooNew) as caught:
        db.create_schema()
    assert caught.value.revision == "9999" and "9999" in caught.value.message("id")
    assert current_revision(db.engine) == "9999"


def test_downgrade_says_it_is_not_done(db: CentralDB) -> None:
    db.create_schema()
    with pytest.raises(NotImplementedError, match="never downgraded"):
        with db.engine.begin() as conn:
            command.downgrade(alembic_config(conn), "base")
    assert current_revision(db.engine) == head_revision()  # rolled back


# -- several processes at once ----------------------------------------------------------------


@pytest.mark.parametrize("start", ["empty", "today"])
def test_two_upgrades_at_once_upgrade_once(
    db_url: str, start: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two centres start on one database at the same moment (two engines, as two server
    processes have): the first holds the schema lock through its whole check and upgrade
    until the second is seen waiting for it; the second then finds the work done. Without
    the lock both would be inside at once (and their DDL would collide)."""
    if start == "today":
        make_today(db_url)
    inside: list[str] = []
    overlapped: list[str] = []
    results: dict[str, Any] = {}
    upgrade = schema._upgrade_locked

    def watched(conn: sa.Connection) -> Any:
        me = threading.current_thread().name
        overlapped.extend(inside)
        inside.append(me)
        try:
            if me == "first":
                wait_until(lambda: "second" in inside or waits_for_the_lock(db_url, second))
            return upgrade(conn)
        finally:
            inside.remove(me)

    def run() -> None:
        db = CentralDB(db_url)
        try:
            results[threading.current_thread().name] = db.create_schema()
        except Exception as exc:
            results[threading.current_thread().name] = exc
        finally:
            db.dispose()

    monkeypatch.setattr(schema, "_upgrade_locked", watched)
    first = threading.Thread(target=run, name="first", daemon=True)
    second = threading.Thread(target=run, name="second", daemon=True)
    first.start()
    wait_until(lambda: "first" in inside)
    second.start()
    for thread in (first, second):
        thread.join(60)
    assert overlapped == []
    head = head_revision()
    assert (results["first"].before, results["first"].after) == (None, head), results
    assert (results["second"].before, results["second"].changed) == (head, False), results
    db = CentralDB(db_url)
    try:
        assert differences(db) == []
    finally:
        db.dispose()


def test_central_migrate_in_three_processes_at_once(db_url: str, tmp_path: Path) -> None:
    """Three ``central migrate`` processes on one new database: each ends at the head,
    exactly one of them did the upgrade."""
    procs = [
        subprocess.Popen(
            [
                *(sys.executable, "-m", "ektp_station", "--data-dir", str(tmp_path / f"d{k}")),
                *("central", "migrate", "--db", db_url),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(3)
    ]
    outcomes = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0], outcomes
    assert [out for out, _err in outcomes] == [f"{head_revision()}\n"] * 3
    assert sum("Skema diperbarui: kosong" in err for _out, err in outcomes) == 1, outcomes


# -- the command ------------------------------------------------------------------------------


def test_central_migrate_prints_the_revision(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    make_today(url)
    argv = ["--data-dir", str(tmp_path / "d"), "central", "migrate", "--db", url]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert out == f"{head_revision()}\n" and "diambil alih tanpa kehilangan data" in err
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert out == f"{head_revision()}\n" and "sudah revisi terbaru" in err

    db = CentralDB(url)
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    db.dispose()
    assert main(argv) == 3
    out, err = capsys.readouterr()
    assert out == "" and "revisi 9999, lebih baru" in err


# -- how a maintainer adds the next revision --------------------------------------------------


def test_a_new_revision_follows_the_head(tmp_path: Path) -> None:
    """``command.revision`` with the package's template (script.py.mako) on a copy of the
    migrations: the new file names the head as its down_revision and becomes the head, and
    an upgrade runs it."""
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, folder, ignore=shutil.ignore_patterns("__pycache__"))
    config = alembic_config()
    config.set_main_option("script_location", str(folder))
    script = command.revision(config, "supervisors", rev_id="0099")
    assert isinstance(script, Script)
    text = Path(script.path).read_text(encoding="utf-8")
    assert Path(script.path).name == "0099_supervisors.py"
    assert f"down_revision: str | None = {head_revision()!r}" in text
    assert ScriptDirectory.from_config(config).get_current_head() == "0099"
    compile(text, script.path, "exec")

    db = CentralDB(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    try:
        with db.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
        assert current_revision(db.engine) == "0099"
    finally:
        db.dispose()


def test_a_revision_added_while_the_process_runs_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The revisions are read afresh at every upgrade: a process that upgraded once and then
    finds a new revision on disk (the package updated under it) runs it, and says so,
    instead of stopping on an older idea of the head."""
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, folder, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(schema, "MIGRATIONS_DIR", folder)
    db = CentralDB(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    try:
        old = db.create_schema().after
        script = command.revision(alembic_config(), "later", rev_id="0099")
        assert isinstance(script, Script)
        done = db.create_schema()
        assert (done.before, done.after) == (old, "0099") == (old, head_revision())
    finally:
        db.dispose()


def test_the_script_directory_ships_with_the_package() -> None:
    """alembic reads these files from disk (the wheel takes the package folder whole; the
    PyInstaller spec copies the folder: packaging/ektp-station.spec)."""
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert (MIGRATIONS_DIR / "script.py.mako").is_file()
    assert not (MIGRATIONS_DIR / "__init__.py").exists()  # never imported as a module
    assert schema.MIGRATIONS_DIR.parent == Path(schema.__file__).parent
    spec = (Path(__file__).parents[2] / "packaging" / "ektp-station.spec").read_text("utf-8")
    assert '"ektp_station/central/migrations"' in spec


def test_older_rows_get_their_kelurahan_from_the_record(db: CentralDB, db_url: str) -> None:
    """Revision 0002: a database from before the dashboard has registrations without
    ``kelurahan_code``; the upgrade fills it from the stored record where it names one."""
    import json

    engine = sa.create_engine(db_url)
    md = before_dashboard()
    table = md.tables["registrations"]
    base = {k: v for k, v in ROWS["registrations"][0].items() if k in table.c}
    rows = [
        {**base, "record": json.dumps({"kelurahan_code": "32.76.02.1007", "nik": "x"})},
        {
            **base,
            "entry_id": "00000000-0000-4000-8000-000000000002",
            "nik": "3276014101900002",
            "reference": "DPK-0002",
            "record": json.dumps({"full_name": "WARGA FIKTIF"}),
        },
    ]
    try:
        md.create_all(engine)
        with engine.begin() as conn:
            conn.execute(md.tables["stations"].insert(), ROWS["stations"])
            conn.execute(table.insert(), rows)
    finally:
        engine.dispose()
    db.create_schema()
    with db.engine.connect() as conn:
        got = dict(
            conn.execute(sa.text("SELECT reference, kelurahan_code FROM registrations")).all()
        )
    assert got == {"DPK-0001": "32.76.02.1007", "DPK-0002": None}
    assert current_revision(db.engine) == head_revision()


def test_a_database_that_cannot_be_used_is_one_clear_line(tmp_path: Path, capsys: Any) -> None:
    """A path instead of a URL, an unknown driver, a file that is not a database: told in
    one line with what to check (exit 2 / 3), never an "unexpected error" (exit 4)."""
    garbage = tmp_path / "not-a-db.sqlite3"
    garbage.write_bytes(b"this is not SQLite" * 100)
    cases = [
        (["central", "migrate", "--db", str(tmp_path / "plain-path.sqlite3")], 2),
        (["central", "stats", "--db", "foo://bar"], 2),
        (["central", "migrate", "--db", f"sqlite:///{garbage}"], 3),
        (["central", "add-station", "X1", "--db", f"sqlite:///{garbage}"], 3),
    ]
    for argv, status in cases:
        assert main(["--data-dir", str(tmp_path / "d"), *argv]) == status, argv
        err = capsys.readouterr().err
        assert "basis data" in err.lower() and "tak terduga" not in err, err
