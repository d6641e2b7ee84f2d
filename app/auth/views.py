"""Log in and out."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from workflows import audit
from workflows.actors import Actor
from workflows.models import AuditEvent, User, utcnow

from ..db import get_session
from ..passwords import check_password
from ..security import CurrentUser

bp = Blueprint('auth', __name__, url_prefix='/auth', template_folder='templates')


class LoginForm(FlaskForm):
    username = StringField(lazy_gettext('Username'), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(lazy_gettext('Password'), validators=[DataRequired(), Length(max=128)])


MAX_FAILURES = 5
LOCKOUT_MINUTES = 15


def _recent_failures(session, username, address):
    """Failed logins for a username from one address in the lockout window (from the audit trail).

    Keyed by address too, so that someone guessing elsewhere cannot lock a clerk out of their desk.
    """
    since = utcnow() - timedelta(minutes=LOCKOUT_MINUTES)
    return session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == 'login_failed', AuditEvent.at >= since, AuditEvent.client_addr == address,
        AuditEvent.data['username'].as_string() == username[:64]))


def _safe_next(target):
    parts = urlsplit(target or '')
    return target if target and not parts.scheme and not parts.netloc and target.startswith('/') else None


@bp.route('/login', methods=['GET', 'POST'])
def login():
    """Show the login form; on valid credentials start a session."""
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template('auth/login.html', form=form), (422 if form.is_submitted() else 200)
    session = get_session()
    username = form.username.data.strip()
    if _recent_failures(session, username, request.remote_addr) >= MAX_FAILURES:
        flash(gettext('Too many failed attempts. Try again in %(n)s minutes.', n=LOCKOUT_MINUTES), 'danger')
        return render_template('auth/login.html', form=form), 429
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None or not user.active or not check_password(user.password_hash, form.password.data):
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
    """End the session."""
    logout_user()
    return redirect(url_for('auth.login'))
