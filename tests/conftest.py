"""Shared fixtures: a migrated, seeded database on SQLite and (when TEST_DATABASE_URL is set) PostgreSQL."""
from __future__ import annotations

import os
import shutil
import uuid

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from werkzeug.security import generate_password_hash

from workflows import schema, seed
from workflows.db import make_engine, make_session_factory
from workflows.models import Base, User

PG_URL = os.environ.get('TEST_DATABASE_URL')
BACKENDS = ['sqlite'] + (['postgresql'] if PG_URL else [])
DEMO_HASH = generate_password_hash(seed.DEMO_PASSWORD, method='pbkdf2:sha256:1000')  # fast: tests only


def _populate(engine):
    factory = make_session_factory(engine)
    with factory() as session:
        seed.seed_reference(session)
        seed.seed_demo(session, DEMO_HASH)
        seed.deploy_models(session)
        session.commit()


@pytest.fixture(scope='session')
def sqlite_template(tmp_path_factory):
    """A migrated and seeded SQLite file, copied for every test (much faster than re-seeding)."""
    path = tmp_path_factory.mktemp('template') / 'template.db'
    engine = make_engine(f'sqlite:///{path}')
    schema.upgrade(engine)
    _populate(engine)
    engine.dispose()
    return path


@pytest.fixture(scope='session')
def pg_database():
    """A throwaway PostgreSQL database, migrated once for the session."""
    if not PG_URL:
        pytest.skip('TEST_DATABASE_URL is not set')
    admin = create_engine(PG_URL, isolation_level='AUTOCOMMIT')
    name = f'gjj_test_{uuid.uuid4().hex[:10]}'
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE {name}'))
    url = make_url(PG_URL).set(database=name)
    engine = make_engine(url.render_as_string(hide_password=False))
    schema.upgrade(engine)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)'))
    admin.dispose()


def _reset_pg(engine):
    tables = ', '.join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f'TRUNCATE {tables} RESTART IDENTITY CASCADE'))
    _populate(engine)


@pytest.fixture(params=BACKENDS)
def db_engine(request, tmp_path):
    """An engine on a freshly seeded database of each configured backend."""
    if request.param == 'sqlite':
        path = tmp_path / 'gjj.db'
        shutil.copy(request.getfixturevalue('sqlite_template'), path)
        engine = make_engine(f'sqlite:///{path}')
        yield engine
        engine.dispose()
    else:
        engine = request.getfixturevalue('pg_database')
        _reset_pg(engine)
        yield engine


@pytest.fixture
def session_factory(db_engine):
    return make_session_factory(db_engine)


@pytest.fixture
def session(session_factory):
    with session_factory() as session:
        yield session
        session.rollback()


@pytest.fixture
def user_named(session):
    """Look up a demo user by username."""
    def lookup(username):
        return session.scalars(select(User).where(User.username == username)).one()
    return lookup
