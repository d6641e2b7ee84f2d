"""Flask app and client on the seeded test database (SQLite, and PostgreSQL when configured)."""
import re

import pytest
from sqlalchemy import select

from app import create_app
from workflows.models import Base
from workflows.seed import DEMO_PASSWORD


@pytest.fixture
def app(db_engine, tmp_path):
    app = create_app({'TESTING': True, 'WTF_CSRF_ENABLED': False, 'SECRET_KEY': 'test',
                      'DATABASE_URL': db_engine.url.render_as_string(hide_password=False)})
    app.instance_path = str(tmp_path)
    yield app
    app.extensions['gjj_engine'].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(app):
    """Return a logged-in test client for a demo user."""
    def make(username):
        c = app.test_client()
        r = c.post('/auth/login', data={'username': username, 'password': DEMO_PASSWORD})
        assert r.status_code == 302, r.text
        return c
    return make


@pytest.fixture
def snapshot(db_engine):
    """Every row of every table, to prove a refused request changed nothing."""
    def take():
        with db_engine.connect() as conn:
            return {t.name: conn.execute(select(t).order_by(*t.primary_key.columns)).all()
                    for t in Base.metadata.sorted_tables}
    return take


def task_ids(html):
    return [int(x) for x in re.findall(r'data-task-id="(\d+)"', html)]
