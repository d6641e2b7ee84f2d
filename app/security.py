"""Login (Flask-Login) and response headers."""
from __future__ import annotations

import secrets

from flask import abort, current_app, request
from flask_babel import lazy_gettext
from flask_login import LoginManager, UserMixin, current_user
from werkzeug.routing import IntegerConverter

from workflows.actors import Actor
from workflows.models import User, utcnow

from .db import get_session

login_manager = LoginManager()
login_manager.login_view = 'auth.login'
login_manager.login_message = lazy_gettext('Please log in to continue.')
login_manager.login_message_category = 'warning'
login_manager.session_protection = 'strong'

CSP = ("default-src 'self'; img-src 'self' data:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; "
       "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'")


class CurrentUser(UserMixin):
    """Flask-Login's view of a stored user; `model` is the SQLAlchemy row.

    Flask's session is a signed cookie kept by the client, so logging out alone cannot stop a copy of
    that cookie from working. The login identity is therefore "<id>:<session_nonce>", and `load_user`
    accepts it only while the nonce still matches the row. Logout (and, later, a password change) calls
    `User.end_sessions()`, which draws a new nonce: this ends *every* session of that user, on every
    browser and desk, not only the one that logged out.
    """

    def __init__(self, model: User):
        self.model = model

    def get_id(self):
        return f'{self.model.id}:{self.model.session_nonce}'

    @property
    def is_active(self):
        return self.model.active

    def __getattr__(self, name):
        return getattr(self.model, name)


@login_manager.user_loader
def load_user(user_id):
    """The user of a login identity "<id>:<nonce>", if still active and the nonce not rotated since."""
    row_id, _, nonce = str(user_id).partition(':')
    if not (row_id.isascii() and row_id.isdigit() and nonce) or int(row_id) > 2**31 - 1:
        return None
    user = get_session().get(User, int(row_id))
    if user is None or not user.active:
        return None
    return CurrentUser(user) if secrets.compare_digest(user.session_nonce.encode(), nonce.encode()) else None


def current_actor() -> Actor:
    """The logged-in user acting now, from this request's address."""
    return Actor(current_user.model, utcnow(), request.remote_addr)


class RowIdConverter(IntegerConverter):
    """Route ids that fit the database's integer columns; anything larger is simply not found."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=2**31 - 1)


def refuse_nul_bytes():
    """NUL is never valid text here (and PostgreSQL refuses it): answer 400 before any work."""
    for values in (request.args, request.form):
        if any('\x00' in v for v in values.values()) or any('\x00' in k for k in values.keys()):
            abort(400, description='nul')


def body_limit(config_key: str):
    """Let one view accept request bodies up to `config[config_key]` (plus form framing) instead of
    MAX_CONTENT_LENGTH: uploads need more than forms, and only where they are taken."""
    def mark(view):
        view.body_limit_key = config_key
        return view
    return mark


def apply_body_limit():
    """Runs before anything reads the body (CSRF included): raise the limit for views marked by body_limit."""
    view = current_app.view_functions.get(request.endpoint)
    key = getattr(view, 'body_limit_key', None)
    if key:
        request.max_content_length = current_app.config[key] + 64 * 1024


# Endpoints whose responses carry nothing personal and may be cached.
CACHEABLE_ENDPOINTS = frozenset({'static', 'favicon'})


def set_headers(response):
    if request.endpoint not in CACHEABLE_ENDPOINTS and current_user.is_authenticated:
        # Pages for a logged-in user show personal data: no copy in the browser's or a proxy's cache.
        response.headers['Cache-Control'] = 'no-store'
    response.headers.setdefault('Content-Security-Policy', CSP)
    response.headers.setdefault('X-Content-Type-Options', 'nosniff')
    response.headers.setdefault('X-Frame-Options', 'DENY')
    response.headers.setdefault('Referrer-Policy', 'same-origin')
    return response


def init_app(app):
    login_manager.init_app(app)
    app.before_request(refuse_nul_bytes)
    app.after_request(set_headers)
