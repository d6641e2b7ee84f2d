"""The user's own desk beyond tasks: notifications, absences and backups (AB岗), reassigning (转办)."""
from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_required
from sqlalchemy import select

from workflows import notify, substitution
from workflows.errors import FormInvalid
from workflows.models import Role, User, UserContact, UserRole, utcnow
from workflows.permissions import may_act_on_business

from .. import nav
from ..db import get_session
from ..paging import paginate
from ..security import current_actor

bp = Blueprint('notifications', __name__, url_prefix='/me', template_folder='templates')

EMAIL = re.compile(r'^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$')


def describe(notification) -> str:
    """A notification in the current language (the page and the e-mail share it)."""
    text = gettext(notify.MESSAGES[notification.kind])
    return text % notification.params


@bp.get('/notifications')
@login_required
def index():
    """My notifications, newest first, with my e-mail setting."""
    session = get_session()
    page = paginate(session, notify.for_user(current_user.model))
    contact = session.get(UserContact, current_user.id)
    return render_template('notifications/index.html', page=page, describe=describe,
                           email=contact.email if contact else '', email_error=None)


@bp.post('/notifications/<id:notification_id>/read')
@login_required
def read(notification_id):
    """Mark one of my notifications read (another user's is not found)."""
    session = get_session()
    if not notify.mark_read(session, current_user.model, notification_id, utcnow()):
        abort(404)
    session.commit()
    return redirect(url_for('notifications.index', page=request.args.get('page', 1, type=int)))


@bp.post('/notifications/read-all')
@login_required
def read_all():
    """Mark all my notifications read."""
    session = get_session()
    count = notify.mark_all_read(session, current_user.model, utcnow())
    session.commit()
    flash(gettext('%(n)s notifications marked read.', n=count), 'info')
    return redirect(url_for('notifications.index'))


@bp.post('/email')
@login_required
def set_email():
    """Set or clear the address my notifications are also e-mailed to."""
    session = get_session()
    address = request.form.get('email', '').strip()
    if address and (len(address) > 254 or not EMAIL.match(address)):
        page = paginate(session, notify.for_user(current_user.model))
        return render_template('notifications/index.html', page=page, describe=describe, email=address,
                               email_error=gettext('Enter an e-mail address such as name@example.org.')), 422
    contact = session.get(UserContact, current_user.id)
    if address:
        if contact is None:
            session.add(UserContact(user_id=current_user.id, email=address))
        else:
            contact.email = address
    elif contact is not None:
        session.delete(contact)
    session.commit()
    flash(gettext('E-mail setting saved.') if address else gettext('E-mail notifications turned off.'), 'success')
    return redirect(url_for('notifications.index'))


# -- absences and backups (AB岗) -------------------------------------------------------------------

def _colleagues(session, user):
    """Active business users other than `user` (candidates for a backup; the engine checks the rest)."""
    business = select(UserRole.user_id).join(Role, Role.code == UserRole.role_code).where(Role.is_business)
    return session.scalars(select(User).where(User.active, User.id != user.id, User.id.in_(business))
                           .order_by(User.team_id, User.full_name)).all()


def _team_members(session, user):
    if substitution.CHIEF_ROLE not in user.role_codes or user.team_id is None:
        return []
    return session.scalars(select(User).where(User.team_id == user.team_id, User.active, User.id != user.id)
                           .order_by(User.full_name)).all()


def _render_absences(values=None, errors=None, status=200):
    session, user = get_session(), current_user.model
    on = substitution.today()
    return render_template('notifications/absences.html', rows=substitution.absences_of_interest(session, user, on),
                           colleagues=_colleagues(session, user), members=_team_members(session, user),
                           values=values or {}, errors=errors or {}, on_day=on,
                           may_cancel=substitution.may_cancel_backup), status


@bp.get('/absences')
@login_required
def absences():
    """My absences and backups, those I cover, and (chiefs) those of my team."""
    if not may_act_on_business(current_user.model):
        abort(403)
    return _render_absences()


def _read_day(name, errors):
    try:
        return date.fromisoformat(request.form.get(name, ''))
    except ValueError:
        errors[name] = [(gettext('Enter a date (YYYY-MM-DD).'), {})]
        return None


def _read_id(name):
    value = request.form.get(name, '')
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


@bp.post('/absences')
@login_required
def name_backup():
    """Name a backup for myself, or (chiefs) for a member of my team."""
    session, user = get_session(), current_user.model
    if not may_act_on_business(user):
        abort(403)
    absent_id = _read_id('absent') or user.id
    absent = session.get(User, absent_id)
    if absent is None:
        abort(404)
    errors = {}
    starts_on, ends_on = _read_day('starts_on', errors), _read_day('ends_on', errors)
    if errors:
        return _render_absences(request.form, errors, 422)
    try:
        substitution.name_backup(session, absent, _read_id('backup'), starts_on, ends_on,
                                 request.form.get('reason', ''), current_actor())
    except FormInvalid as exc:
        session.rollback()
        return _render_absences(request.form, exc.errors, 422)
    session.commit()
    flash(gettext('Backup named.'), 'success')
    return redirect(url_for('notifications.absences'))


@bp.post('/absences/<id:substitution_id>/cancel')
@login_required
def cancel_backup(substitution_id):
    """End an absence early."""
    session = get_session()
    substitution.cancel_backup(session, substitution_id, current_actor())
    session.commit()
    flash(gettext('Absence ended.'), 'info')
    return redirect(url_for('notifications.absences'))


def _unread(user) -> int:
    return notify.unread_count(get_session(), user)


def init_app(app):
    """Register the blueprint and its navigation entries (see app/nav.py)."""
    app.register_blueprint(bp)
    nav.register(app, nav.NavItem('notifications.index', lazy_gettext('Notifications'), 'bell', 'work',
                                  visible=lambda user: True, badge=_unread, order=10))
    nav.register(app, nav.NavItem('notifications.absences', lazy_gettext('Absences and backups'), 'people',
                                  'work', visible=may_act_on_business, order=20))
    nav.register(app, nav.NavItem('inbox.team', lazy_gettext('My section\'s tasks'), 'diagram-3', 'work',
                                  visible=lambda user: substitution.CHIEF_ROLE in user.role_codes
                                  and user.team_id is not None, order=30))
