"""Users, roles and teams over HTTP: password rules, disabling ends sessions, 管办分离 grants, teams."""
import pytest
from sqlalchemy import select

from tests.factories import PASSWORD, make_user
from workflows.admin_users import held_for_confirmation
from workflows.models import AuditEvent, RoleGrant, Team, User
from workflows.seed import DEMO_PASSWORD

NEW_PASSWORD = 'Fresh-start-2026'


@pytest.fixture
def second_admin(session_factory):
    with session_factory() as session:
        make_user(session, 'admin', username='admin2', name='第二管理员')
        session.commit()


def _user(session_factory, username):
    with session_factory() as session:
        return session.scalars(select(User).where(User.username == username)).one()


def _id(session_factory, username):
    return _user(session_factory, username).id


def _roles(session_factory, username):
    return set(_user(session_factory, username).role_codes)


def _log_in(app, username, password):
    """The login response (302 on success)."""
    return app.test_client().post('/auth/login', data={'username': username, 'password': password})


def _client(app, username, password):
    client = app.test_client()
    assert client.post('/auth/login', data={'username': username, 'password': password}).status_code == 302
    return client


def test_an_admin_creates_a_user_who_can_then_log_in(app, login, session_factory):
    admin = login('admin')
    r = admin.post('/admin/users/new', data={'username': 'clerk9', 'full_name': '新受理', 'id_number': '31010119900101001X',
                                             'team_id': '1', 'roles': ['clerk'], 'password': NEW_PASSWORD,
                                             'password_again': NEW_PASSWORD})
    assert r.status_code == 302
    user = _user(session_factory, 'clerk9')
    assert (user.full_name, set(user.role_codes), user.team.code) == ('新受理', {'clerk'}, 'business')
    assert _log_in(app, 'clerk9', NEW_PASSWORD).status_code == 302
    page = admin.get('/admin/users?q=新受理').text
    assert 'data-user="clerk9"' in page and 'data-user="clerk"' not in page


@pytest.mark.parametrize('password,again,message', [
    ('short-1A', 'short-1A', 'A password has 10 to 128 characters.'),
    ('alllowercaseletters', 'alllowercaseletters', 'Use at least 3 of'),
    ('Fresh-start-2026', 'Fresh-start-2027', 'The two passwords differ.'),
    ('clerk9-Is-Here', 'clerk9-Is-Here', 'A password cannot contain the username.'),
])
def test_a_password_that_breaks_the_rules_is_refused_and_nothing_is_stored(login, snapshot, password, again, message):
    admin = login('admin')
    before = snapshot()
    r = admin.post('/admin/users/new?lang=en', data={'username': 'clerk9', 'full_name': '新受理', 'password': password,
                                                     'password_again': again})
    assert r.status_code == 422 and message in r.text
    assert snapshot() == before


@pytest.mark.parametrize('field,value,message', [
    ('username', 'Clerk 9', '2 to 64 characters'),
    ('username', 'clerk', 'This username is taken.'),
    ('id_number', '12345', 'An ID number has 18 characters'),
    ('full_name', '', 'Enter the full name.'),
    ('roles', 'nobody', 'Unknown role: nobody'),
])
def test_bad_user_fields_are_refused_on_their_field(login, snapshot, field, value, message):
    admin = login('admin')
    data = {'username': 'clerk9', 'full_name': '新受理', 'password': NEW_PASSWORD, 'password_again': NEW_PASSWORD,
            field: value}
    before = snapshot()
    r = admin.post('/admin/users/new?lang=en', data=data)
    assert r.status_code == 422 and message in r.text and f'data-error-for="{field}"' in r.text
    assert snapshot() == before


def test_a_disabled_user_cannot_log_in_and_their_open_sessions_end(app, login, session_factory):
    clerk = login('clerk')
    assert clerk.get('/tasks/').status_code == 200
    admin = login('admin')
    uid = _id(session_factory, 'clerk')
    assert admin.post(f'/admin/users/{uid}/active', data={'active': '0', 'reason': '离职'}).status_code == 302
    assert clerk.get('/tasks/').status_code == 302                    # the open session has ended
    assert _log_in(app, 'clerk', DEMO_PASSWORD).status_code == 401    # and no new one starts
    assert admin.post(f'/admin/users/{uid}/active', data={'active': '1', 'reason': '返聘'}).status_code == 302
    assert _log_in(app, 'clerk', DEMO_PASSWORD).status_code == 302
    with session_factory() as session:
        actions = session.scalars(select(AuditEvent.basis).where(AuditEvent.action.in_(('user_disable', 'user_enable')))
                                  .order_by(AuditEvent.id)).all()
    assert actions == ['离职', '返聘']


def test_disabling_needs_a_reason_and_nobody_disables_themselves(login, session_factory, snapshot):
    admin = login('admin')
    before = snapshot()
    assert admin.post(f'/admin/users/{_id(session_factory, "clerk")}/active', data={'active': '0', 'reason': ''}).status_code == 422
    assert admin.post(f'/admin/users/{_id(session_factory, "admin")}/active', data={'active': '0', 'reason': '测试'}).status_code == 403
    assert snapshot() == before


def test_a_password_reset_replaces_the_password_and_ends_sessions(app, login, session_factory):
    clerk = login('clerk')
    admin = login('admin')
    r = admin.post(f'/admin/users/{_id(session_factory, "clerk")}/password',
                   data={'password': NEW_PASSWORD, 'password_again': NEW_PASSWORD})
    assert r.status_code == 302
    assert clerk.get('/tasks/').status_code == 302
    assert _log_in(app, 'clerk', DEMO_PASSWORD).status_code == 401
    assert _log_in(app, 'clerk', NEW_PASSWORD).status_code == 302


def test_an_admin_granting_themselves_a_business_role_waits_for_a_second_admin(app, login, session_factory,
                                                                               second_admin):
    admin = login('admin')
    me = _id(session_factory, 'admin')
    r = admin.post(f'/admin/users/{me}/roles', data={'roles': ['admin', 'approver']})
    assert r.status_code == 302
    assert _roles(session_factory, 'admin') == {'admin'}                 # not applied yet
    with session_factory() as session:
        grant = session.scalars(select(RoleGrant)).one()
    assert (grant.role_code, grant.state) == ('approver', 'pending')
    assert admin.post(f'/admin/grants/{grant.id}', data={'decision': 'confirm'}).status_code == 403
    assert _roles(session_factory, 'admin') == {'admin'}
    other = _client(app, 'admin2', PASSWORD)
    assert other.post(f'/admin/grants/{grant.id}', data={'decision': 'confirm'}).status_code == 302
    assert _roles(session_factory, 'admin') == {'admin', 'approver'}
    assert other.post(f'/admin/grants/{grant.id}', data={'decision': 'confirm'}).status_code == 409


def test_making_a_business_user_an_admin_also_needs_confirmation_and_can_be_rejected(app, login, session_factory,
                                                                                     second_admin):
    admin = login('admin')
    admin.post(f'/admin/users/{_id(session_factory, "reviewer")}/roles', data={'roles': ['reviewer', 'admin']})
    assert _roles(session_factory, 'reviewer') == {'reviewer'}
    with session_factory() as session:
        grant = session.scalars(select(RoleGrant)).one()
    other = _client(app, 'admin2', PASSWORD)
    assert other.post(f'/admin/grants/{grant.id}', data={'decision': 'reject'}).status_code == 302
    assert _roles(session_factory, 'reviewer') == {'reviewer'}
    # Roles that do not mix administration and business apply at once.
    admin.post(f'/admin/users/{_id(session_factory, "reviewer")}/roles', data={'roles': ['reviewer', 'approver']})
    assert _roles(session_factory, 'reviewer') == {'reviewer', 'approver'}


def test_the_approver_of_record_stays_visible_after_being_disabled(app, login, session_factory, second_admin):
    admin = login('admin')
    admin.post(f'/admin/users/{_id(session_factory, "admin")}/roles', data={'roles': ['admin', 'auditor']})
    with session_factory() as session:
        grant_id = session.scalars(select(RoleGrant.id)).one()
    _client(app, 'admin2', PASSWORD).post(f'/admin/grants/{grant_id}', data={'decision': 'confirm'})
    admin.post(f'/admin/users/{_id(session_factory, "admin2")}/active', data={'active': '0', 'reason': '调岗'})
    page = admin.get(f'/admin/users/{_id(session_factory, "admin")}?lang=en').text
    marked = '第二管理员 (admin2) <span class="badge text-bg-secondary">disabled</span>'
    assert marked in page
    assert marked in admin.get('/admin/grants?lang=en').text


def test_an_admin_cannot_take_their_own_admin_role_away(login, session_factory, snapshot):
    admin = login('admin')
    before = snapshot()
    assert admin.post(f'/admin/users/{_id(session_factory, "admin")}/roles', data={'roles': []}).status_code == 403
    assert snapshot() == before


def test_teams_are_created_renamed_and_deactivated(login, session_factory, snapshot):
    admin = login('admin')
    assert admin.post('/admin/teams', data={'code': 'pudong', 'name': '浦东分中心', 'name_en': 'Pudong'}).status_code == 302
    with session_factory() as session:
        team = session.scalars(select(Team).where(Team.code == 'pudong')).one()
    assert admin.post(f'/admin/teams/{team.id}', data={'name': '浦东新区分中心', 'name_en': ''}).status_code == 302
    assert admin.post(f'/admin/teams/{team.id}/active', data={'active': '0'}).status_code == 302
    with session_factory() as session:
        team = session.get(Team, team.id)
        assert (team.name, team.name_en, team.active) == ('浦东新区分中心', None, False)
    before = snapshot()
    # Nobody joins an inactive team; a taken code or an empty name is refused.
    r = admin.post(f'/admin/users/{_id(session_factory, "clerk")}', data={'full_name': '王受理', 'team_id': str(team.id)})
    assert r.status_code == 422
    assert admin.post('/admin/teams', data={'code': 'pudong', 'name': '重复'}).status_code == 422
    assert admin.post(f'/admin/teams/{team.id}', data={'name': ' '}).status_code == 422
    assert admin.post(f'/admin/teams/{team.id}/active', data={'active': '0'}).status_code == 409
    assert snapshot() == before


def test_every_change_is_audited(login, session_factory):
    admin = login('admin')
    admin.post('/admin/teams', data={'code': 'jd', 'name': '嘉定分中心'})
    admin.post(f'/admin/users/{_id(session_factory, "clerk")}', data={'full_name': '王受理', 'team_id': ''})
    with session_factory() as session:
        events = session.execute(select(AuditEvent.action, AuditEvent.actor_name, AuditEvent.data)
                                 .where(AuditEvent.action.in_(('team_create', 'user_update')))
                                 .order_by(AuditEvent.id)).all()
    assert [(a, n) for a, n, _ in events] == [('team_create', 'admin'), ('user_update', 'admin')]
    assert events[1].data['before']['team'] == 'business' and events[1].data['after']['team'] is None


def test_a_new_admin_with_a_business_role_gets_the_admin_role_and_waits_for_the_business_one(login, session_factory):
    admin = login('admin')
    r = admin.post('/admin/users/new', data={'username': 'ops2', 'full_name': '运维', 'roles': ['admin', 'clerk'],
                                             'password': NEW_PASSWORD, 'password_again': NEW_PASSWORD})
    assert r.status_code == 302
    assert _roles(session_factory, 'ops2') == {'admin'}
    with session_factory() as session:
        assert [(g.role_code, g.state) for g in session.scalars(select(RoleGrant))] == [('clerk', 'pending')]


def test_held_for_confirmation_is_exactly_the_admin_and_business_mix():
    business = {'clerk', 'approver'}
    assert held_for_confirmation({'admin'}, {'admin', 'clerk'}, business) == {'clerk'}
    assert held_for_confirmation({'clerk'}, {'clerk', 'admin'}, business) == {'admin'}
    assert held_for_confirmation(set(), {'admin', 'clerk'}, business) == {'clerk'}
    assert held_for_confirmation({'clerk'}, {'admin'}, business) == set()          # the business role goes
    assert held_for_confirmation({'clerk'}, {'clerk', 'approver', 'supervisor'}, business) == set()


def test_a_member_of_a_deactivated_team_can_still_be_edited(login, session_factory):
    admin = login('admin')
    with session_factory() as session:
        team_id = session.scalars(select(Team.id).where(Team.code == 'finance')).one()
    admin.post(f'/admin/teams/{team_id}/active', data={'active': '0'})
    r = admin.post(f'/admin/users/{_id(session_factory, "cashier")}', data={'full_name': '赵会计', 'team_id': str(team_id)})
    assert r.status_code == 302
    assert _user(session_factory, 'cashier').full_name == '赵会计'
