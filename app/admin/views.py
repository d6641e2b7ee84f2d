"""Administration of the center: users, roles, teams, the calendar, settings and case operations.

Every route here is for administrators only (refused with 403 for everyone else, before any work),
every change goes through an engine function that audits it, and every form carries the CSRF token.
The pages live in the modules below; they all hang on this blueprint.
"""
from __future__ import annotations

from flask import Blueprint, abort, redirect, url_for
from flask_babel import lazy_gettext
from flask_login import current_user
from sqlalchemy import func, select

from workflows.models import InstanceStatus, ProcessInstance, RoleGrant

from .. import nav
from ..db import get_session
from ..security import login_manager
from ..templating import action_label

bp = Blueprint('admin', __name__, url_prefix='/admin', template_folder='templates')

ADMIN_ROLE = 'admin'


def is_admin(user) -> bool:
    return ADMIN_ROLE in user.role_codes


@bp.before_request
def admins_only():
    """The one check of this blueprint: logged in (else the login page), and an administrator (else 403)."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not is_admin(current_user.model):
        abort(403)
    return None


@bp.get('/')
def index():
    return redirect(url_for('admin.users'))


ADMIN_ACTIONS = {
    'user_create': lazy_gettext('User created'), 'user_update': lazy_gettext('User details changed'),
    'user_roles': lazy_gettext('Roles changed'), 'user_disable': lazy_gettext('User disabled'),
    'user_enable': lazy_gettext('User enabled'), 'password_reset': lazy_gettext('Password reset'),
    'role_grant_request': lazy_gettext('Role grant requested'),
    'role_grant_confirm': lazy_gettext('Role grant confirmed'), 'role_grant_reject': lazy_gettext('Role grant rejected'),
    'login': lazy_gettext('Logged in'), 'login_failed': lazy_gettext('Login failed'),
}


def admin_action(action: str) -> str:
    """An audit action in words: the administration's own, else the shared labels."""
    return str(ADMIN_ACTIONS[action]) if action in ADMIN_ACTIONS else action_label(action)


def _pending_grants(user) -> int:
    return get_session().scalar(select(func.count(RoleGrant.id)).where(RoleGrant.state == 'pending')) or 0


def _stopped_cases(user) -> int:
    return get_session().scalar(select(func.count(ProcessInstance.id))
                                .where(ProcessInstance.status == InstanceStatus.error)) or 0


def init_app(app):
    """Register the blueprint and its navigation entries (see app/nav.py)."""
    from . import calendar, cases, settings, users  # noqa: F401 -- their routes hang on `bp`
    app.register_blueprint(bp)
    app.jinja_env.globals['admin_action'] = admin_action
    for order, (endpoint, label, icon, badge) in enumerate((
            ('admin.users', lazy_gettext('Users'), 'people', None),
            ('admin.grants', lazy_gettext('Role grants'), 'person-check', _pending_grants),
            ('admin.teams', lazy_gettext('Teams'), 'diagram-3', None),
            ('admin.cases', lazy_gettext('Case operations'), 'tools', _stopped_cases),
            ('admin.calendar', lazy_gettext('Calendar'), 'calendar3', None),
            ('admin.settings', lazy_gettext('Settings'), 'sliders', None))):
        nav.register(app, nav.NavItem(endpoint, label, icon, 'admin', is_admin, badge, order=20 + order))
