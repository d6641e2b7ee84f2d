"""Log in and out."""
from __future__ import annotations

import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from workflows import audit
from workflows.actors import Actor
from workflows.models import AuditEvent, User, utcnow

from ..db import get_session
from ..passwords import check_password, hash_password
from ..security import CurrentUser

bp = Blueprint('auth', __name__, url_prefix='/auth', template_folder='templates')


class LoginForm(FlaskForm):
    username = StringField(lazy_gettext('Username'), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(lazy_gettext('Password'), validators=[DataRequired(), Length(max=128)])


MAX_FAILURES = 5              # per username and address
MAX_ADDRESS_FAILURES = 20     # per address, whatever the usernames
LOCKOUT_MINUTES = 15

# Checked when the username is unknown or inactive, so that such a login costs one hash check like a
# wrong password does (same method and cost as real hashes): timing does not tell which usernames exist.
DUMMY_HASH = hash_password(secrets.token_hex(16))


def _recent_failures(session, address, username=None):
    """Failed logins from one address in the lockout window (from the audit trail), for one username or all.

    Keyed by address, so that someone guessing elsewhere cannot lock a clerk out of their desk.
    """
    since = utcnow() - timedelta(minutes=LOCKOUT_MINUTES)
    query = select(func.count(AuditEvent.id)).where(
        AuditEvent.action == 'login_failed', AuditEvent.at >= since, AuditEvent.client_addr == address)
    if username is not None:
        query = query.where(AuditEvent.data['username'].as_string() == username[:64])
    return session.scalar(query)


def _throttled(session, username, address):
    return (_recent_failures(session, address, username) >= MAX_FAILURES
            or _recent_failures(session, address) >= MAX_ADDRESS_FAILURES)


def _safe_next(target):
    """`target` if it is a path on this site ("/…"), else None.

    Refuses other hosts ("//host", "/\\host", which browsers read as "//host"), schemes, and any control
    character (a CR/LF would otherwise reach the Location header).
    """
    if not target or not target.startswith('/') or target.startswith('//') or '\\' in target:
        return None
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@bp.route('/login', methods=['GET', 'POST'])
def login():
    """Show the login form; on valid credentials start a session."""
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template('auth/login.html', form=form), (422 if form.is_submitted() else 200)
    session = get_session()
    username = form.username.data.strip()
    if _throttled(session, username, request.remote_addr):
        flash(gettext('Too many failed attempts. Try again in %(n)s minutes.', n=LOCKOUT_MINUTES), 'danger')
        return render_template('auth/login.html', form=form), 429
    user = session.scalars(select(User).where(User.username == username)).first()
    known = user is not None and user.active
    password_ok = check_password(user.password_hash if known else DUMMY_HASH, form.password.data)
    if not (known and password_ok):
        audit.record(session, Actor.system(), 'login_failed', data={'username': username[:64]},
                     client_addr=request.remote_addr)
        session.commit()
        flash(gettext('Wrong username or password.'), 'danger')
        return render_template('auth/login.html', form=form), 401
    login_user(CurrentUser(user))
    audit.record(session, Actor(user, client_addr=request.remote_addr), 'login')
    session.commit()
    return redirect(_safe_next(request.args.get('next')) or url_for('index'))


@bp.post('/logout')
@login_required
def logout():
    """End the session, on the server too: every saved copy of this user's session cookie stops working.

    This ends the user's other sessions as well (another browser or desk): see `CurrentUser`.
    """
    session = get_session()
    current_user.model.end_sessions()
    session.commit()
    logout_user()
    return redirect(url_for('auth.login'))
