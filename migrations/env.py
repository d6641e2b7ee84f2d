"""Alembic environment: migrate the database whose URL workflows.schema passes in."""
from alembic import context
from sqlalchemy import engine_from_config, pool

from workflows.models import Base

config = context.config
target_metadata = Base.metadata


def run_offline():
    context.configure(url=config.get_main_option('sqlalchemy.url'), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online():
    connection = config.attributes.get('connection')
    if connection is not None:
        _run(connection)
        return
    engine = engine_from_config(config.get_section(config.config_ini_section, {}), prefix='sqlalchemy.',
                                poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)


def _run(connection):
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
