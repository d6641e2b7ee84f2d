"""One database session per request: the engine layer flushes, the request commits or rolls back."""
from __future__ import annotations

from flask import current_app, g

from workflows.db import make_engine, make_session_factory


def init_app(app):
    """Create the engine and session factory for this app and close sessions after each request."""
    engine = make_engine(app.config['DATABASE_URL'])
    app.extensions['gjj_engine'] = engine
    app.extensions['gjj_sessions'] = make_session_factory(engine)
    app.teardown_appcontext(_close_session)


def get_session():
    """The request's session, opened on first use."""
    if 'db' not in g:
        g.db = current_app.extensions['gjj_sessions']()
    return g.db


def _close_session(exc):
    session = g.pop('db', None)
    if session is not None:
        if exc is not None:
            session.rollback()
        session.close()
