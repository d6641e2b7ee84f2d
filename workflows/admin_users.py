"""Users, roles and teams, as administrators manage them. Every change is audited.

管办分离: administrators configure the system and never act on business. Any role change that would
leave a user holding the administrator role together with a business role is therefore not applied
at once: it becomes a pending `RoleGrant` that a *second* administrator (neither the requester nor
the user concerned) confirms or rejects. The grant stays on record with both names.

Users are never deleted (their names stand in the history of cases and the audit trail): they are
disabled. A disabled user cannot log in and every session they had ends (`User.end_sessions`).
Passwords arrive hashed: hashing and the password rules are the web layer's (app/passwords.py).
"""
from __future__ import annotations

import re

from sqlalchemy import func, or_, select

from . import audit
from .errors import N_, Conflict, FormInvalid, NotAllowed, NotFound
from .models import Role, RoleGrant, Team, User

ADMIN = 'admin'
_USERNAME = re.compile(r'[a-z0-9][a-z0-9_.-]{1,63}', re.ASCII)
_ID_NUMBER = re.compile(r'[0-9]{17}[0-9X]', re.ASCII)
_TEAM_CODE = re.compile(r'[a-z0-9][a-z0-9_-]{0,31}', re.ASCII)

PENDING, CONFIRMED, REJECTED = 'pending', 'confirmed', 'rejected'


def _invalid(errors: dict):
    return FormInvalid(N_('Please correct the marked fields.'),
                       {field: [(message, params)] for field, (message, params) in errors.items()})


def get_user(session, user_id) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_('User not found.'))
    return user


def get_team(session, team_id) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(N_('Team not found.'))
    return team


def search_users(query: str = '', team_id: int | None = None, role: str | None = None, active: bool | None = None):
    """A select of users matching a text (username, name or ID number), team, role and state."""
    stmt = select(User).order_by(User.active.desc(), User.username)
    text = (query or '').strip()[:64]
    if text:
        like = f'%{text.replace("%", "").replace("_", "")}%'
        stmt = stmt.where(or_(User.username.ilike(like), User.full_name.ilike(like), User.id_number.ilike(like)))
    if team_id:
        stmt = stmt.where(User.team_id == team_id)
    if role:
        stmt = stmt.where(User.roles.any(Role.code == role))
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    return stmt


# -- user fields ----------------------------------------------------------------------------------

def _check_fields(session, full_name, id_number, team_id, errors, current_team_id=None):
    full_name = (full_name or '').strip()
    if not full_name:
        errors['full_name'] = (N_('Enter the full name.'), {})
    elif len(full_name) > 64:
        errors['full_name'] = (N_('At most %(n)s characters.'), {'n': 64})
    id_number = (id_number or '').strip().upper() or None
    if id_number and not _ID_NUMBER.fullmatch(id_number):
        errors['id_number'] = (N_('An ID number has 18 characters: 17 digits and a digit or X.'), {})
    team = None
    if team_id:
        team = session.get(Team, team_id)
        if team is None or not (team.active or team.id == current_team_id):   # members may stay in an inactive team
            errors['team_id'] = (N_('Choose an active team.'), {})
    return full_name, id_number, team


def create_user(session, actor, username, full_name, id_number, password_hash, team_id=None, roles=()):
    """A new active user; roles as in `set_roles` (an admin + business mix waits for a second admin)."""
    errors = {}
    username = (username or '').strip().lower()
    if not _USERNAME.fullmatch(username):
        errors['username'] = (N_('2 to 64 characters: lower-case letters, digits, ".", "_" or "-", '
                                 'starting with a letter or digit.'), {})
    elif session.scalar(select(func.count(User.id)).where(func.lower(User.username) == username)):
        errors['username'] = (N_('This username is taken.'), {})
    full_name, id_number, team = _check_fields(session, full_name, id_number, team_id, errors)
    _known_roles(session, roles, errors)
    if errors:
        raise _invalid(errors)
    user = User(username=username, full_name=full_name, id_number=id_number, password_hash=password_hash,
                team=team, roles=[])
    session.add(user)
    session.flush()
    audit.record(session, actor, 'user_create',
                 data={'user': username, 'full_name': full_name, 'team': team.code if team else None})
    pending = set_roles(session, actor, user, roles)
    return user, pending


def update_user(session, actor, user, full_name, id_number, team_id):
    errors = {}
    full_name, id_number, team = _check_fields(session, full_name, id_number, team_id, errors, user.team_id)
    if errors:
        raise _invalid(errors)
    before = {'full_name': user.full_name, 'id_number': user.id_number, 'team': user.team.code if user.team else None}
    after = {'full_name': full_name, 'id_number': id_number, 'team': team.code if team else None}
    if before == after:
        return False
    user.full_name, user.id_number, user.team = full_name, id_number, team
    audit.record(session, actor, 'user_update', data={'user': user.username, 'before': before, 'after': after})
    session.flush()
    return True


# -- roles ----------------------------------------------------------------------------------------

def _known_roles(session, codes, errors):
    known = set(session.scalars(select(Role.code)))
    unknown = sorted(set(codes) - known)
    if unknown:
        errors['roles'] = (N_('Unknown role: %(codes)s'), {'codes': '、'.join(unknown)})


def _business_codes(session) -> set[str]:
    return set(session.scalars(select(Role.code).where(Role.is_business.is_(True))))


def held_for_confirmation(current: set[str], wanted: set[str], business: set[str]) -> set[str]:
    """The additions in `wanted` that would make an administrator hold a business role (管办分离).

    A business role given to someone who is or becomes an administrator waits; so does the
    administrator role given to someone who keeps a business role. Anything else applies at once.
    """
    added = wanted - current
    held = {code for code in added if code in business} if ADMIN in wanted else set()
    if ADMIN in added and wanted & current & business:
        held.add(ADMIN)
    return held


def set_roles(session, actor, user, codes) -> list[RoleGrant]:
    """Give `user` exactly the roles `codes`, except additions that need a second administrator.

    Removals apply at once. Additions that would make an administrator hold a business role become
    pending grants (returned); an administrator cannot remove their own administrator role.
    """
    codes = set(codes)
    errors = {}
    _known_roles(session, codes, errors)
    if errors:
        raise _invalid(errors)
    current = set(user.role_codes)
    if user.id == actor.user_id and ADMIN in current and ADMIN not in codes:
        raise NotAllowed(N_('You cannot take the administrator role from yourself; ask another administrator.'))
    added, removed = codes - current, current - codes
    held_back = held_for_confirmation(current, codes, _business_codes(session))
    applied = added - held_back
    roles = {r.code: r for r in session.scalars(select(Role))}
    if applied or removed:
        user.roles = [roles[c] for c in sorted((current - removed) | applied)]
        audit.record(session, actor, 'user_roles', data={'user': user.username, 'added': sorted(applied),
                                                         'removed': sorted(removed)})
    pending = []
    for code in sorted(held_back):
        existing = session.scalars(select(RoleGrant).where(RoleGrant.user_id == user.id, RoleGrant.role_code == code,
                                                           RoleGrant.state == PENDING)).first()
        if existing is not None:
            pending.append(existing)
            continue
        grant = RoleGrant(user_id=user.id, role_code=code, state=PENDING, requested_by=actor.user_id,
                          requested_at=actor.at)
        session.add(grant)
        session.flush()
        audit.record(session, actor, 'role_grant_request', data={'grant': grant.id, 'user': user.username,
                                                                 'role': code})
        pending.append(grant)
    session.flush()
    return pending


def pending_grants(session):
    return session.scalars(select(RoleGrant).where(RoleGrant.state == PENDING).order_by(RoleGrant.id)).all()


def grants_of(session, user):
    return session.scalars(select(RoleGrant).where(RoleGrant.user_id == user.id)
                           .order_by(RoleGrant.id.desc())).all()


def decide_grant(session, actor, grant_id, confirm: bool) -> RoleGrant:
    """A second administrator confirms (the role is added) or rejects a pending grant."""
    grant = session.get(RoleGrant, grant_id)
    if grant is None:
        raise NotFound(N_('This role grant does not exist.'))
    if grant.state != PENDING:
        raise Conflict(N_('This role grant was already decided.'))
    if actor.user_id in (grant.requested_by, grant.user_id):
        raise NotAllowed(N_('A second administrator must decide this grant: neither the one who asked for it '
                            'nor the user concerned.'))
    if confirm and not grant.user.active:
        raise Conflict(N_('The user is disabled; the grant can only be rejected.'))
    grant.state = CONFIRMED if confirm else REJECTED
    grant.decided_by, grant.decided_at = actor.user_id, actor.at
    if confirm and grant.role_code not in grant.user.role_codes:
        grant.user.roles = [*grant.user.roles, session.get(Role, grant.role_code)]
    audit.record(session, actor, 'role_grant_confirm' if confirm else 'role_grant_reject',
                 data={'grant': grant.id, 'user': grant.user.username, 'role': grant.role_code,
                       'requested_by': grant.requester.username})
    session.flush()
    return grant


# -- state and password ---------------------------------------------------------------------------

def set_active(session, actor, user, active: bool, reason: str):
    """Disable (sessions end at once) or enable a user. Nobody disables themselves."""
    reason = (reason or '').strip()
    if not reason:
        raise _invalid({'reason': (N_('Give the reason.'), {})})
    if user.id == actor.user_id and not active:
        raise NotAllowed(N_('You cannot disable your own account.'))
    if user.active == active:
        raise Conflict(N_('The user is already enabled.') if active else N_('The user is already disabled.'))
    user.active = active
    if not active:
        user.end_sessions()
    audit.record(session, actor, 'user_enable' if active else 'user_disable', basis=reason[:500],
                 data={'user': user.username})
    session.flush()


def reset_password(session, actor, user, password_hash: str):
    """Set a new password (already checked and hashed by the caller); the user's sessions end."""
    user.password_hash = password_hash
    user.end_sessions()
    audit.record(session, actor, 'password_reset', data={'user': user.username})
    session.flush()


# -- teams ----------------------------------------------------------------------------------------

def _check_team_names(name, name_en, errors):
    name, name_en = (name or '').strip(), (name_en or '').strip() or None
    if not name:
        errors['name'] = (N_('Enter the name.'), {})
    elif len(name) > 64:
        errors['name'] = (N_('At most %(n)s characters.'), {'n': 64})
    if name_en and len(name_en) > 64:
        errors['name_en'] = (N_('At most %(n)s characters.'), {'n': 64})
    return name, name_en


def create_team(session, actor, code, name, name_en=None) -> Team:
    errors = {}
    code = (code or '').strip().lower()
    if not _TEAM_CODE.fullmatch(code):
        errors['code'] = (N_('1 to 32 characters: lower-case letters, digits, "_" or "-".'), {})
    elif session.scalar(select(func.count(Team.id)).where(Team.code == code)):
        errors['code'] = (N_('This code is taken.'), {})
    name, name_en = _check_team_names(name, name_en, errors)
    if errors:
        raise _invalid(errors)
    team = Team(code=code, name=name, name_en=name_en, active=True)
    session.add(team)
    session.flush()
    audit.record(session, actor, 'team_create', data={'team': code, 'name': name})
    return team


def rename_team(session, actor, team, name, name_en=None):
    errors = {}
    name, name_en = _check_team_names(name, name_en, errors)
    if errors:
        raise _invalid(errors)
    before = {'name': team.name, 'name_en': team.name_en}
    team.name, team.name_en = name, name_en
    audit.record(session, actor, 'team_update', data={'team': team.code, 'before': before,
                                                      'after': {'name': name, 'name_en': name_en}})
    session.flush()


def set_team_active(session, actor, team, active: bool):
    """Deactivate a team (its members keep it on record; no one new joins) or activate it again."""
    if team.active == active:
        raise Conflict(N_('The team is already active.') if active else N_('The team is already inactive.'))
    team.active = active
    members = session.scalar(select(func.count(User.id)).where(User.team_id == team.id))
    audit.record(session, actor, 'team_activate' if active else 'team_deactivate',
                 data={'team': team.code, 'members': members})
    session.flush()


def team_sizes(session) -> dict[int, int]:
    return dict(session.execute(select(User.team_id, func.count(User.id)).where(User.active.is_(True))
                                .group_by(User.team_id)).all())

