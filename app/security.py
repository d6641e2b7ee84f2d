"""Login (Flask-Login) and response headers."""
from __future__ import annotations

from flask import abort, request
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
    """Flask-Login's view of a stored user; `model` is the SQLAlchemy row."""

    def __init__(self, model: User):
        self.model = model

    def get_id(self):
        return str(self.model.id)

    @property
    def is_active(self):
        return self.model.active

    def __getattr__(self, name):
        return getattr(self.model, name)


@login_manager.user_loader
def load_user(user_id):
    user = get_session().get(User, int(user_id)) if user_id.isdigit() else None
    return CurrentUser(user) if user is not None and user.active else None


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


def set_headers(response):
    response.headers.setdefault('Content-Security-Policy', CSP)
    response.headers.setdefault('X-Content-Type-Options', 'nosniff')
    response.headers.setdefault('X-Frame-Options', 'DENY')
    response.headers.setdefault('Referrer-Policy', 'same-origin')
    return response


def init_app(app):
    login_manager.init_app(app)
    app.before_request(refuse_nul_bytes)
    app.after_request(set_headers)
