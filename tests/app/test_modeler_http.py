"""Process administration over HTTP: admin only; upload, download, publish, roll back, compare, migrate."""
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from workflows.models import AuditEvent, ProcessDefinition, ProcessInstance

from .test_withdrawal_http import ready_task

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE = ROOT / 'tests' / 'data' / 'modeler'
WITHDRAWAL = (ROOT / 'bpmn_models' / 'withdrawal.bpmn').read_text(encoding='utf-8')
NON_ADMINS = ['clerk', 'reviewer', 'approver', 'director', 'cashier', 'officer', 'legal', 'hearing', 'auditor',
              'supervisor']
ROUTES = [('get', '/admin/processes/'), ('get', '/admin/processes/withdrawal/'),
          ('get', '/admin/processes/withdrawal/1/files/withdrawal.bpmn'),
          ('get', '/admin/processes/withdrawal/1/diagram.xml'), ('get', '/admin/processes/withdrawal/1/edit'),
          ('get', '/admin/processes/withdrawal/compare?a=1&b=1'), ('post', '/admin/processes/upload'),
          ('post', '/admin/processes/withdrawal/1/save'), ('post', '/admin/processes/withdrawal/1/publish'),
          ('post', '/admin/processes/cases/1/migrate')]


def files_of(paths_or_contents):
    return {'files': [(io.BytesIO(c.encode()), n) for n, c in paths_or_contents.items()]}


def post_files(client, files, key=None):
    data = files_of(files)
    if key:
        data['key'] = key
    return client.post('/admin/processes/upload', data=data, content_type='multipart/form-data')


def _outside():
    return {p.name: p.read_text(encoding='utf-8') for p in sorted(OUTSIDE.iterdir())}


@pytest.mark.parametrize('username', NON_ADMINS)
def test_every_route_is_refused_for_every_non_admin(login, snapshot, username):
    client = login(username)
    before = snapshot()
    for method, url in ROUTES:
        assert getattr(client, method)(url).status_code == 403, (username, url)
    assert 'href="/admin/processes/"' not in client.get('/').text
    assert snapshot() == before


def test_anonymous_users_are_sent_to_log_in(client):
    r = client.get('/admin/processes/')
    assert r.status_code == 302 and '/auth/login' in r.headers['Location']


def test_a_model_made_elsewhere_uploads_as_a_draft_downloads_unchanged_and_runs_once_published(
        login, session_factory):
    admin, clerk = login('admin'), login('clerk')
    files = _outside()
    r = post_files(admin, files)
    assert r.status_code == 302, r.text[:800]
    page = admin.get('/admin/processes/address_change/').text
    assert 'data-state="draft"' in page and '蒋管理' in page
    download = admin.get('/admin/processes/address_change/1/files/outside.bpmn')
    assert download.data.decode() == files['outside.bpmn']               # camunda:* kept byte for byte
    assert 'attachment' in download.headers['Content-Disposition']
    assert clerk.get('/cases/new/address_change').status_code == 404     # a draft starts no case

    assert admin.post('/admin/processes/address_change/1/publish').status_code == 302
    assert 'data-state="current"' in admin.get('/admin/processes/address_change/').text
    r = clerk.post('/cases/new/address_change', data={'account_no': '100000000001'})
    assert r.status_code == 302, r.text[:500]
    case_id = int(r.headers['Location'].rsplit('/', 1)[1])
    assert ready_task(session_factory, case_id, 'check')
    assert '核对变更' in clerk.get('/tasks/queue').text
    with session_factory() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.action.like('model_%'))
                                  .order_by(AuditEvent.id)).all()
    assert actions == ['model_saved', 'model_published']


def test_publish_new_version_then_roll_back_and_compare(login, session_factory):
    admin, clerk = login('admin'), login('clerk')
    changed = WITHDRAWAL.replace('value="2wd"', 'value="4wd"').replace('name="审核"', 'name="审核（新）"')
    assert post_files(admin, {'withdrawal.bpmn': changed}, key='withdrawal').status_code == 302
    compare = admin.get('/admin/processes/withdrawal/compare?a=1&b=2').text
    assert re.search(r'data-element="review"><td>[^<]*<code>review</code></td><td>[^<]*</td><td>time_limit</td>'
                     r'<td>2wd</td><td>4wd</td>', compare)
    assert '"review": "changed"' in compare and '+          &lt;spiffworkflow:property name=&#34;timeLimit&#34; value=&#34;4wd&#34; /&gt;' in compare
    assert admin.post('/admin/processes/withdrawal/2/publish').status_code == 302
    assert admin.post('/admin/processes/withdrawal/2/publish').status_code == 409
    assert admin.post('/admin/processes/withdrawal/1/publish').status_code == 302   # roll back
    r = clerk.post('/cases/new/withdrawal', data={'account_no': '100000000001', 'withdrawal_type': 'purchase',
                                                   'amount': '5000', 'materials_provided': ['id_card']})
    assert r.status_code == 302, r.text[:500]
    with session_factory() as session:
        case = session.get(ProcessInstance, int(r.headers['Location'].rsplit('/', 1)[1]))
        assert case.definition.version == 1
        assert session.scalar(select(ProcessDefinition.publication).where(
            ProcessDefinition.key == 'withdrawal', ProcessDefinition.version == 1)) == 3


def _register_withdrawal(clerk):
    r = clerk.post('/cases/new/withdrawal', data={'account_no': '100000000001', 'withdrawal_type': 'purchase',
                                                   'amount': '5000', 'materials_provided': ['id_card']})
    assert r.status_code == 302, r.text[:500]
    return int(r.headers['Location'].rsplit('/', 1)[1])


def test_migration_over_http_moves_a_safe_case_and_refuses_an_unsafe_one(login, session_factory, snapshot):
    admin, clerk = login('admin'), login('clerk')
    case_id = _register_withdrawal(clerk)
    renamed = re.sub(r'(?<=["> ,])accept(?=["<,])', 'accept2', WITHDRAWAL)     # the waiting step's id changes
    assert post_files(admin, {'withdrawal.bpmn': renamed}, key='withdrawal').status_code == 302
    assert admin.post('/admin/processes/withdrawal/2/publish').status_code == 302
    page = admin.get('/admin/processes/withdrawal/').text
    assert f'data-case="{case_id}"' in page
    before = snapshot()
    r = admin.post(f'/admin/processes/cases/{case_id}/migrate', data={'version': '2', 'reason': '试迁移'})
    assert r.status_code == 422 and "waiting step &#39;accept&#39;" in r.text and 'does not exist' in r.text
    assert snapshot() == before

    safe = WITHDRAWAL.replace('name="受理审查"', 'name="受理审查（新）"')
    assert post_files(admin, {'withdrawal.bpmn': safe}, key='withdrawal').status_code == 302
    r = admin.post(f'/admin/processes/cases/{case_id}/migrate', data={'version': '3', 'reason': '步骤更名'})
    assert r.status_code == 302, r.text[:800]
    with session_factory() as session:
        case = session.get(ProcessInstance, case_id)
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == 'migrate')).one()
        assert case.definition.version == 3 and event.basis == '步骤更名' and event.actor_name == 'admin'
    assert '受理审查（新）' in clerk.get('/tasks/queue').text
    assert admin.post(f'/admin/processes/cases/{case_id}/migrate',
                      data={'version': 'x', 'reason': 'r'}).status_code == 400
    assert admin.post('/admin/processes/cases/999999/migrate', data={'version': '3', 'reason': 'r'}).status_code == 404


def test_the_modeler_saves_a_draft_or_answers_every_problem_located(login, snapshot, session_factory):
    admin = login('admin')
    assert 'id="modeler-config"' in admin.get('/admin/processes/withdrawal/1/edit').text
    before = snapshot()
    broken = WITHDRAWAL.replace('name="reviewer"', 'name="nobody"').replace('value="1wd"', 'value="soon"', 1)
    r = admin.post('/admin/processes/withdrawal/1/save', json={'xml': broken})
    assert r.status_code == 422
    located = {(p['element'], p['file']) for p in r.json['problems']}
    assert {('review', 'withdrawal.bpmn'), ('accept', 'withdrawal.bpmn')} <= located
    assert all(isinstance(p['line'], int) for p in r.json['problems'] if p['element'])
    assert admin.post('/admin/processes/withdrawal/1/save', json={}).status_code == 400
    assert admin.post('/admin/processes/withdrawal/9/save', json={'xml': WITHDRAWAL}).status_code == 404
    assert snapshot() == before

    edited = WITHDRAWAL.replace('value="2wd"', 'value="6wd"').replace(
        '<bpmn:userTask id="review"', '<bpmn:userTask xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
                                      'camunda:dueDate="P6D" id="review"')
    r = admin.post('/admin/processes/withdrawal/1/save', json={'xml': edited})
    assert r.status_code == 200 and r.json['version'] == 2
    assert 'camunda:dueDate="P6D"' in admin.get('/admin/processes/withdrawal/2/files/withdrawal.bpmn').text
    with session_factory() as session:
        v2 = session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == 'withdrawal',
                                                             ProcessDefinition.version == 2)).one()
        assert v2.publication is None and len(v2.files) == len(
            session.scalars(select(ProcessDefinition).where(ProcessDefinition.version == 1,
                                                            ProcessDefinition.key == 'withdrawal')).one().files)


def test_flask_deploy_prints_every_problem_with_its_file_and_line(app, tmp_path, monkeypatch, snapshot):
    import functools
    import shutil

    from workflows import seed
    for folder in ('bpmn_models', 'rules', 'forms'):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    model = tmp_path / 'bpmn_models' / 'withdrawal.bpmn'
    model.write_text(WITHDRAWAL.replace('name="reviewer"', 'name="nobody"'), encoding='utf-8')
    monkeypatch.setattr(seed, 'deploy_models', functools.partial(seed.deploy_models, root=tmp_path))
    before = snapshot()
    result = app.test_cli_runner().invoke(args=['deploy'])
    assert result.exit_code == 1
    assert re.search(r"withdrawal\.bpmn:\d+: user task 'review': lane 'nobody' is not a business role", result.output)
    assert snapshot() == before
