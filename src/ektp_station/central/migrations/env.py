"""Alembic's environment for the centre's database (run by alembic, never imported).

This folder is alembic's script directory, not a Python package (no ``__init__.py``, so that
nothing imports this file outside alembic). :mod:`ektp_station.central.schema` configures
alembic in code (no ``alembic.ini``) and hands over the connection it holds, inside the
transaction that also holds its lock; a maintainer's ``alembic`` call without one gets an
engine for ``sqlalchemy.url`` instead. SQLite runs in batch mode (``render_as_batch``): its
``ALTER TABLE`` cannot change or drop a column, so alembic copies the table instead.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from ektp_station.central.connect import make_engine
from ektp_station.central.schema import target_metadata


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata(),  # what autogenerate compares the database with
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    if context.is_offline_mode():
        raise NotImplementedError("the centre's migrations run online only (no --sql)")
    given = context.config.attributes.get("connection")
    if given is not None:
        _run(given)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection given and no sqlalchemy.url set")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


_main()
