"""Engine and session factory. SQLite by default; PostgreSQL when the URL says so."""
from __future__ import annotations

from sqlalchemy import create_engine, event
from sqlalchemy.orm import sessionmaker


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute('PRAGMA journal_mode=WAL')     # readers do not block the writer
    cursor.execute('PRAGMA busy_timeout=15000')   # a writer waits for the lock instead of failing
    cursor.execute('PRAGMA synchronous=NORMAL')   # WAL's recommended level: no fsync per commit, no corruption
    cursor.execute('PRAGMA foreign_keys=ON')
    cursor.close()


def normalize_url(url: str) -> str:
    """Accept the usual postgres:// and postgresql:// forms; we ship the psycopg 3 driver."""
    for prefix in ('postgres://', 'postgresql://'):
        if url.startswith(prefix):
            return 'postgresql+psycopg://' + url[len(prefix):]
    return url


def make_engine(url: str, **kwargs):
    """A SQLAlchemy engine with the settings gjj-flow relies on."""
    url = normalize_url(url)
    if url.startswith('sqlite'):
        engine = create_engine(url, connect_args={'timeout': 15}, **kwargs)
        event.listen(engine, 'connect', _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_session_factory(engine):
    """Sessions that keep loaded objects usable after commit (views render after committing)."""
    return sessionmaker(bind=engine, expire_on_commit=False)
