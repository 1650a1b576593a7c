"""Alembic environment: runs migrations on the URL given by service.db.upgrade_schema (or DATABASE_URL)."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy.engine import make_url

from service import models  # noqa: F401  (registers every table on Base.metadata)
from service.db import Base, make_engine
from service.models.dialect_indexes import indexes_built_on

config = context.config
url = config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL", "")


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True, render_as_batch=True,
                      include_object=indexes_built_on(make_url(url).get_backend_name()))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                              include_object=indexes_built_on(connection.dialect.name))
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()  # also when a migration fails: its pooled connection is closed now, not when collected


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
