"""Role × route matrix: every endpoint of the app is classified here, and the classes are enforced.

- every administration route is refused (403) for every non-admin role, and sends a visitor to the login;
- every business action (claim, release, complete, register a case) is refused for the administrator (管办分离);
- an endpoint not listed in ENDPOINTS fails the test: whoever adds a route decides here who may use it.
"""
import pytest
from sqlalchemy import select

from tests.workflows.helpers import open_task, register
from workflows.models import User

PUBLIC = 'public'          # anyone, logged in or not
ANY_USER = 'any user'      # every logged-in user (the page shows what their roles allow)
BUSINESS = 'business'      # holders of a business role; administrators and supervisors are refused
ADMIN = 'admin'            # administrators only
OVERSIGHT = 'oversight'    # supervisors and the director (the audit register also the internal auditor)
CHIEF = 'section chief'    # holders of the approver role, for their own team (转办, the team's tasks)
TOKEN = 'service token'    # no login: a bearer token from the configuration (the 电子监察 feed)

ENDPOINTS = {
    'static': PUBLIC, 'favicon': PUBLIC, 'index': PUBLIC, 'auth.login': PUBLIC,
    'auth.logout': ANY_USER,
    'inbox.mine': ANY_USER, 'inbox.queue': ANY_USER, 'inbox.done': ANY_USER, 'inbox.show': ANY_USER,
    'inbox.claim': BUSINESS, 'inbox.release': BUSINESS, 'inbox.complete': BUSINESS,
    'cases.index': ANY_USER, 'cases.show': ANY_USER, 'cases.diagram': ANY_USER, 'cases.document': ANY_USER,
    'cases.start': BUSINESS, 'cases.new': BUSINESS, 'cases.preview': BUSINESS,
    'cases.upload': BUSINESS, 'cases.attachment': ANY_USER, 'cases.comment': ANY_USER,
    'inbox.team': CHIEF, 'inbox.reassign_form': CHIEF, 'inbox.reassign': CHIEF,
    'notifications.index': ANY_USER, 'notifications.read': ANY_USER, 'notifications.read_all': ANY_USER,
    'notifications.set_email': ANY_USER, 'notifications.absences': ANY_USER, 'notifications.name_backup': ANY_USER,
    'notifications.cancel_backup': ANY_USER,
    'supervision.dashboard': OVERSIGHT, 'supervision.export': OVERSIGHT, 'supervision.heatmap': OVERSIGHT,
    'supervision.heatmap_diagram': OVERSIGHT, 'supervision.refusal_register': OVERSIGHT,
    'supervision.audit_register': OVERSIGHT, 'supervision.feed_json': TOKEN,
    'modeler.index': ADMIN, 'modeler.process': ADMIN, 'modeler.download': ADMIN, 'modeler.diagram': ADMIN,
    'modeler.upload': ADMIN, 'modeler.save': ADMIN, 'modeler.publish': ADMIN, 'modeler.edit': ADMIN,
    'modeler.edit_file': ADMIN, 'modeler.preview_form': ADMIN, 'modeler.compare': ADMIN, 'modeler.migrate': ADMIN,
    'admin.index': ADMIN, 'admin.users': ADMIN, 'admin.user_new': ADMIN, 'admin.user': ADMIN,
    'admin.user_update': ADMIN, 'admin.user_roles': ADMIN, 'admin.user_active': ADMIN, 'admin.user_password': ADMIN,
    'admin.grants': ADMIN, 'admin.grant_decide': ADMIN,
    'admin.teams': ADMIN, 'admin.team_create': ADMIN, 'admin.team_update': ADMIN, 'admin.team_active': ADMIN,
    'admin.cases': ADMIN, 'admin.case': ADMIN, 'admin.case_operation': ADMIN,
    'admin.calendar': ADMIN, 'admin.calendar_import': ADMIN, 'admin.calendar_load': ADMIN, 'admin.calendar_day': ADMIN,
    'admin.settings': ADMIN, 'admin.setting_change': ADMIN, 'admin.setting_withdraw': ADMIN,
}

# One demo user per role other than admin (business roles and the supervisor).
NON_ADMIN_USERS = ('clerk', 'reviewer', 'approver', 'director', 'cashier', 'officer', 'legal', 'hearing', 'auditor',
                   'supervisor')

SAMPLE_ARGS = {'user_id': 1, 'instance_id': 1, 'task_id': 1, 'grant_id': 1, 'team_id': 1, 'operation': 'suspend',
               'key': 'withdrawal', 'name': 'notice', 'filename': 'css/app.css', 'version': 1, 'fmt': 'csv',
               'attachment_id': 1, 'notification_id': 1, 'substitution_id': 1}


def _rules(app, kind):
    return [rule for rule in app.url_map.iter_rules() if ENDPOINTS.get(rule.endpoint) == kind]


def _requests(app, kind):
    """(method, url) of every route of a class, with sample arguments."""
    for rule in _rules(app, kind):
        url = rule.build({a: SAMPLE_ARGS[a] for a in rule.arguments})[1]
        for method in sorted(rule.methods - {'HEAD', 'OPTIONS'}):
            yield method, url


def test_every_endpoint_is_classified(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    unlisted = sorted(endpoints - set(ENDPOINTS))
    assert unlisted == [], f'classify these endpoints in ENDPOINTS: {unlisted}'
    assert sorted(set(ENDPOINTS) - endpoints) == [], 'ENDPOINTS lists routes that no longer exist'


def test_every_admin_route_is_refused_for_every_non_admin_role(app, login, snapshot):
    requests = list(_requests(app, ADMIN))
    assert len(requests) >= 20
    clients = {username: login(username) for username in NON_ADMIN_USERS}
    before = snapshot()
    for username, client in clients.items():
        for method, url in requests:
            r = client.open(url, method=method, data={'reason': 'x', 'roles': ['admin'], 'active': '0'})
            assert r.status_code == 403, (username, method, url, r.status_code)
    visitor = app.test_client()
    for method, url in requests:
        r = visitor.open(url, method=method)
        assert r.status_code == 302 and '/auth/login' in r.headers['Location'], (method, url)
    assert snapshot() == before


def test_the_admin_reaches_every_admin_page(login):
    admin = login('admin')
    for url in ('/admin/', '/admin/users', '/admin/users/new', '/admin/users/1', '/admin/grants', '/admin/teams',
                '/admin/cases', '/admin/cases?status=all', '/admin/calendar', '/admin/settings'):
        assert admin.get(url).status_code in (200, 302), url


def test_every_business_action_is_refused_for_the_admin(login, session_factory, snapshot):
    with session_factory() as session:
        clerk = session.scalars(select(User).where(User.username == 'clerk')).one()
        instance = register(session, clerk)
        task_id = open_task(session, instance, 'accept').id
    admin = login('admin')
    before = snapshot()
    application = {'account_no': '100000000002', 'withdrawal_type': 'purchase', 'amount': '5000',
                   'materials_provided': ['id_card', 'purchase_contract']}
    refused = [('POST', f'/tasks/{task_id}/claim', {}), ('POST', f'/tasks/{task_id}/release', {}),
               ('POST', f'/tasks/{task_id}', {'materials_complete': 'true'}), ('GET', '/cases/new', {}),
               ('GET', '/cases/new/withdrawal', {}), ('POST', '/cases/new/withdrawal', application),
               ('POST', '/cases/new/withdrawal/preview', application),
               ('POST', f'/cases/{instance.id}/attachments', {'label': '身份证复印件'})]
    business_endpoints = {rule.endpoint for rule in _rules(admin.application, BUSINESS)}
    assert business_endpoints == {'inbox.claim', 'inbox.release', 'inbox.complete', 'cases.start', 'cases.new',
                                  'cases.preview', 'cases.upload'}
    for method, url, data in refused:   # well-formed requests: only the actor is wrong
        r = admin.open(url, method=method, data=data)
        assert r.status_code == 403, (method, url, r.status_code)
    assert snapshot() == before
    # The same requests from a clerk go through: only the actor made the difference.
    clerk = login('clerk')
    assert clerk.post(f'/tasks/{task_id}/claim').status_code == 302
    assert clerk.post('/cases/new/withdrawal', data=application).status_code == 302


@pytest.mark.parametrize('username', ['clerk', 'supervisor'])
def test_the_admin_section_of_the_navigation_is_shown_to_admins_only(login, username):
    assert '/admin/users' not in login(username).get('/cases/').text
    assert '/admin/users' in login('admin').get('/cases/').text


@pytest.mark.parametrize('kind,refused_for', [
    (OVERSIGHT, ('clerk', 'reviewer', 'cashier', 'officer', 'legal', 'admin')),
    (CHIEF, ('clerk', 'reviewer', 'cashier', 'supervisor', 'admin')),
])
def test_oversight_and_chief_routes_are_refused_for_everyone_else(app, login, snapshot, session_factory, kind,
                                                                  refused_for):
    with session_factory() as session:   # a case, so that task 1 of the sample URLs exists
        clerk = session.scalars(select(User).where(User.username == 'clerk')).one()
        assert open_task(session, register(session, clerk), 'accept').id == SAMPLE_ARGS['task_id']
    requests = list(_requests(app, kind))
    assert requests
    clients = {username: login(username) for username in refused_for}
    before = snapshot()
    for username, client in clients.items():
        for method, url in requests:
            r = client.open(url, method=method, data={'reason': 'x', 'to_user': '1'})
            assert r.status_code == 403, (username, method, url, r.status_code)
    assert snapshot() == before


def test_the_feed_takes_no_login_only_its_token(login):
    assert login('supervisor').get('/supervision/feed.json').status_code in (401, 404)
