"""What every bench script here shares: a timed task completion and the statistics it prints."""
from __future__ import annotations

import math
import statistics
import tempfile
import time
import uuid
from contextlib import contextmanager

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

from workflows import runtime, schema, seed
from workflows.actors import Actor
from workflows.db import make_session_factory
from workflows.models import User


def user_named(session, username):
    """A demo user by username."""
    return session.scalars(select(User).where(User.username == username)).one()


def timed_complete(factory, task_id, username, data) -> float:
    """Complete a task in a fresh session, as a web request does; time complete_task + commit only."""
    with factory() as session:
        user = user_named(session, username)
        start = time.perf_counter()
        runtime.complete_task(session, task_id, dict(data), Actor(user))
        session.commit()
        return time.perf_counter() - start


def p95(values):
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def row(values) -> dict:
    """n, median, p95 and mean of timings in seconds, as milliseconds."""
    return {'n': len(values), 'median_ms': statistics.median(values) * 1000,
            'p95_ms': p95(values) * 1000, 'mean_ms': statistics.fmean(values) * 1000}


def seeded_factory(engine):
    """Migrate `engine`'s database, load what every bench starts from (reference data, the demo users
    and accounts, the processes of bpmn_models/) and return a session factory on it."""
    schema.upgrade(engine)
    factory = make_session_factory(engine)
    with factory() as session:
        seed.seed_reference(session)
        seed.seed_demo(session, generate_password_hash(seed.DEMO_PASSWORD))
        seed.deploy_models(session)
        session.commit()
    return factory


@contextmanager
def scratch_database(server_url: str | None = None):
    """The URL of a throwaway database: a SQLite file in a temporary directory, or with `server_url` a
    database created on that server (PostgreSQL) and dropped at the end."""
    if not server_url:
        with tempfile.TemporaryDirectory(prefix='gjj-bench-') as tmp:
            yield f'sqlite:///{tmp}/bench.db'
        return
    admin = create_engine(server_url, isolation_level='AUTOCOMMIT')
    name = f'gjj_bench_{uuid.uuid4().hex[:8]}'
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE {name}'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)'))
        admin.dispose()
