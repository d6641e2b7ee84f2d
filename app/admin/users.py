"""Users, roles, teams and 管办分离 role grants."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from workflows import admin_users
from workflows.errors import N_, FormInvalid
from workflows.models import AuditEvent, Role, Team

from ..db import get_session
from ..paging import paginate
from ..passwords import hash_password, password_problems
from ..security import current_actor
from .common import form_int, form_text, invalid
from .views import bp


def _roles(session):
    return session.scalars(select(Role).order_by(Role.is_business.desc(), Role.code)).all()


def _teams(session, active_only=False):
    query = select(Team).order_by(Team.active.desc(), Team.code)
    if active_only:
        query = query.where(Team.active.is_(True))
    return session.scalars(query).all()


def _checked_password(field='password', username=''):
    password = request.form.get(field) or ''
    problems = password_problems(password, username)
    if password != (request.form.get(field + '_again') or ''):
        problems.append((N_('The two passwords differ.'), {}))
    if problems:
        raise FormInvalid(N_('Please correct the marked fields.'), {field: problems})
    return password


def _flash_pending(pending):
    for grant in pending:
        flash(gettext('%(role)s for %(user)s waits for a second administrator to confirm it (管办分离).',
                      role=grant.role_code, user=grant.user.username), 'warning')


# -- users ----------------------------------------------------------------------------------------

@bp.get('/users')
def users():
    """All users, searchable by name, username or ID number, and filtered by team, role and state."""
    session = get_session()
    state = request.args.get('state', '')
    active = {'active': True, 'disabled': False}.get(state)
    role = request.args.get('role') or None
    page = paginate(session, admin_users.search_users(request.args.get('q', ''), form_int('team'), role, active))
    return render_template('admin/users.html', page=page, roles=_roles(session), teams=_teams(session),
                           state=state)


@bp.route('/users/new', methods=['GET', 'POST'])
def user_new():
    session = get_session()
    errors, status = {}, 200
    if request.method == 'POST':
        try:
            username = form_text('username', 64)
            password = _checked_password(username=username)
            user, pending = admin_users.create_user(
                session, current_actor(), username, form_text('full_name', 64), form_text('id_number', 18),
                hash_password(password), form_int('team_id'), request.form.getlist('roles'))
            session.commit()
            flash(gettext('User %(name)s created.', name=user.username), 'success')
            _flash_pending(pending)
            return redirect(url_for('admin.user', user_id=user.id))
        except FormInvalid as exc:
            errors, status = invalid(exc), 422
    return render_template('admin/user_new.html', roles=_roles(session), teams=_teams(session, True),
                           errors=errors, values=request.form), status


def _render_user(user, errors=None, status=200):
    session = get_session()
    events = session.scalars(select(AuditEvent).where(AuditEvent.data['user'].as_string() == user.username)
                             .order_by(AuditEvent.id.desc()).limit(50)).all()
    return render_template('admin/user.html', user=user, roles=_roles(session), teams=_teams(session),
                           grants=admin_users.grants_of(session, user), events=events,
                           errors=errors or {}, values=request.form), status


@bp.get('/users/<id:user_id>')
def user(user_id):
    return _render_user(admin_users.get_user(get_session(), user_id))


@bp.post('/users/<id:user_id>')
def user_update(user_id):
    session = get_session()
    user = admin_users.get_user(session, user_id)
    try:
        changed = admin_users.update_user(session, current_actor(), user, form_text('full_name', 64),
                                          form_text('id_number', 18), form_int('team_id'))
    except FormInvalid as exc:
        return _render_user(user, invalid(exc), 422)
    session.commit()
    flash(gettext('Saved.') if changed else gettext('Nothing changed.'), 'success' if changed else 'info')
    return redirect(url_for('admin.user', user_id=user.id))


@bp.post('/users/<id:user_id>/roles')
def user_roles(user_id):
    session = get_session()
    user = admin_users.get_user(session, user_id)
    try:
        pending = admin_users.set_roles(session, current_actor(), user, request.form.getlist('roles'))
    except FormInvalid as exc:
        return _render_user(user, invalid(exc), 422)
    session.commit()
    flash(gettext('Roles saved.'), 'success')
    _flash_pending(pending)
    return redirect(url_for('admin.user', user_id=user.id))


@bp.post('/users/<id:user_id>/active')
def user_active(user_id):
    session = get_session()
    user = admin_users.get_user(session, user_id)
    active = request.form.get('active') == '1'
    try:
        admin_users.set_active(session, current_actor(), user, active, form_text('reason', 500))
    except FormInvalid as exc:
        return _render_user(user, invalid(exc), 422)
    session.commit()
    flash(gettext('The user is enabled.') if active else
          gettext('The user is disabled and their sessions have ended.'), 'success')
    return redirect(url_for('admin.user', user_id=user.id))


@bp.post('/users/<id:user_id>/password')
def user_password(user_id):
    session = get_session()
    user = admin_users.get_user(session, user_id)
    try:
        password = _checked_password(username=user.username)
    except FormInvalid as exc:
        return _render_user(user, invalid(exc), 422)
    admin_users.reset_password(session, current_actor(), user, hash_password(password))
    session.commit()
    flash(gettext('The password is reset; the user must log in again.'), 'success')
    return redirect(url_for('admin.user', user_id=user.id))


# -- role grants ----------------------------------------------------------------------------------

@bp.get('/grants')
def grants():
    session = get_session()
    from workflows.models import RoleGrant
    decided = session.scalars(select(RoleGrant).where(RoleGrant.state != 'pending')
                              .order_by(RoleGrant.decided_at.desc()).limit(50)).all()
    return render_template('admin/grants.html', pending=admin_users.pending_grants(session), decided=decided)


@bp.post('/grants/<id:grant_id>')
def grant_decide(grant_id):
    session = get_session()
    decision = request.form.get('decision')
    if decision not in ('confirm', 'reject'):
        raise FormInvalid(N_('Please correct the marked fields.'),
                          {'decision': [(N_('Choose confirm or reject.'), {})]})
    grant = admin_users.decide_grant(session, current_actor(), grant_id, decision == 'confirm')
    session.commit()
    flash(gettext('Confirmed: %(user)s now holds %(role)s.', user=grant.user.username, role=grant.role_code)
          if decision == 'confirm' else gettext('Rejected.'), 'success')
    return redirect(url_for('admin.grants'))


# -- teams ----------------------------------------------------------------------------------------

def _render_teams(errors=None, status=200, edit_errors=None):
    session = get_session()
    return render_template('admin/teams.html', teams=_teams(session), sizes=admin_users.team_sizes(session),
                           errors=errors or {}, edit_errors=edit_errors or {}, values=request.form), status


@bp.get('/teams')
def teams():
    return _render_teams()


@bp.post('/teams')
def team_create():
    session = get_session()
    try:
        team = admin_users.create_team(session, current_actor(), form_text('code', 32), form_text('name', 64),
                                       form_text('name_en', 64))
    except FormInvalid as exc:
        return _render_teams(invalid(exc), 422)
    session.commit()
    flash(gettext('Team %(name)s created.', name=team.name), 'success')
    return redirect(url_for('admin.teams'))


@bp.post('/teams/<id:team_id>')
def team_update(team_id):
    session = get_session()
    team = admin_users.get_team(session, team_id)
    try:
        admin_users.rename_team(session, current_actor(), team, form_text('name', 64), form_text('name_en', 64))
    except FormInvalid as exc:
        return _render_teams(edit_errors={team_id: invalid(exc)}, status=422)
    session.commit()
    flash(gettext('Saved.'), 'success')
    return redirect(url_for('admin.teams'))


@bp.post('/teams/<id:team_id>/active')
def team_active(team_id):
    session = get_session()
    team = admin_users.get_team(session, team_id)
    admin_users.set_team_active(session, current_actor(), team, request.form.get('active') == '1')
    session.commit()
    flash(gettext('Saved.'), 'success')
    return redirect(url_for('admin.teams'))
