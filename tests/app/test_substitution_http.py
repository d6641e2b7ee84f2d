"""AB岗 and 转办 over HTTP: naming a backup, the backup's inbox and actions, refusals that change nothing."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.alerts_helpers import certificate_case, demo, task_of
from tests.app.conftest import task_ids
from tests.factories import PASSWORD, actor, make_user
from workflows import runtime, substitution
from workflows.models import AuditEvent, HumanTask, Substitution, Team, utcnow


@pytest.fixture
def db(app):
    with app.extensions['gjj_sessions']() as session:
        yield session


def _today():
    return substitution.today()


def _claimed_case(db, spec='check_records', holder='reviewer', clerk='clerk'):
    case_id = certificate_case(db, clerk=clerk, at=utcnow())
    task = task_of(db, case_id, spec)
    runtime.claim_task(db, task.id, actor(demo(db, holder) if isinstance(holder, str) else holder))
    db.commit()
    return task


def _absence(days=3, **fields):
    return {'starts_on': _today().isoformat(), 'ends_on': (_today() + timedelta(days=days)).isoformat(),
            'reason': '年休假', **fields}


def test_a_backup_named_by_the_colleague_sees_and_completes_their_task_for_them(login, db):
    task = _claimed_case(db)
    reviewer2 = demo(db, 'reviewer2')
    assert task.id not in task_ids(login('reviewer2').get('/tasks/').text)
    assert login('reviewer').post('/me/absences', data=_absence(backup=reviewer2.id)).status_code == 302
    backup = login('reviewer2')
    inbox = backup.get('/tasks/').text
    assert task.id in task_ids(inbox) and '代 李审核' in inbox
    page = backup.get(f'/tasks/{task.id}')
    assert page.status_code == 200 and 'id="acting-for"' in page.text
    assert backup.post(f'/tasks/{task.id}', data={'records_ok': 'true'}).status_code == 302
    db.expire_all()
    assert db.get(HumanTask, task.id).completed_by == reviewer2.id
    event = db.scalars(select(AuditEvent).where(AuditEvent.task_id == task.id, AuditEvent.action == 'complete')).one()
    assert event.data['on_behalf_of'] == 'reviewer'
    assert '李审核' in login('reviewer2').get('/me/notifications').text     # told they are the backup


@pytest.mark.parametrize('who, form, status', [
    ('reviewer', lambda d: _absence(backup=demo(d, 'reviewer').id), 422),          # oneself
    ('reviewer', lambda d: _absence(backup=demo(d, 'cashier').id), 422),           # no shared role
    ('reviewer', lambda d: _absence(backup=''), 422),                               # nobody
    ('reviewer', lambda d: _absence(backup=demo(d, 'reviewer2').id, ends_on='2026-13-40'), 422),
    ('reviewer', lambda d: _absence(backup=demo(d, 'reviewer2').id, reason='长' * 201), 422),
    ('clerk', lambda d: _absence(backup=demo(d, 'reviewer2').id, absent=demo(d, 'reviewer').id), 403),
    ('approver2', lambda d: _absence(backup=demo(d, 'reviewer2').id, absent=demo(d, 'reviewer').id), 403),
    ('supervisor', lambda d: _absence(backup=demo(d, 'reviewer2').id), 403),
    ('reviewer', lambda d: _absence(backup=demo(d, 'reviewer2').id, absent='99999999'), 404),
])
def test_a_bad_or_forbidden_absence_is_refused_and_changes_nothing(login, db, snapshot, who, form, status):
    client = login(who)
    data = form(db)
    before = snapshot()
    response = client.post('/me/absences', data=data)
    assert response.status_code == status
    if status == 422:
        assert 'is-invalid' in response.text or 'invalid-feedback' in response.text
    assert snapshot() == before


def test_a_chief_names_a_backup_for_a_member_of_their_section(login, db):
    reviewer, reviewer2 = demo(db, 'reviewer'), demo(db, 'reviewer2')
    chief = login('approver')
    assert '李审核' in chief.get('/me/absences').text                      # a member to choose
    assert chief.post('/me/absences', data=_absence(backup=reviewer2.id, absent=reviewer.id)).status_code == 302
    row = db.scalars(select(Substitution)).one()
    assert (row.absent_id, row.backup_id, row.created_by) == (reviewer.id, reviewer2.id, demo(db, 'approver').id)
    assert '周审核' in login('reviewer').get('/me/absences').text


def test_pages_are_for_business_users_only(login):
    assert login('supervisor').get('/me/absences').status_code == 403
    assert login('admin').get('/me/absences').status_code == 403
    assert login('reviewer').get('/me/absences').status_code == 200


def test_an_absence_is_ended_only_by_those_entitled(login, db, snapshot):
    login('reviewer').post('/me/absences', data=_absence(backup=demo(db, 'reviewer2').id))
    row_id = db.scalars(select(Substitution.id)).one()
    backup = login('reviewer2')
    before = snapshot()
    assert backup.post(f'/me/absences/{row_id}/cancel').status_code == 403
    assert snapshot() == before
    owner = login('reviewer')
    assert owner.post(f'/me/absences/{row_id}/cancel').status_code == 302
    before = snapshot()
    assert owner.post(f'/me/absences/{row_id}/cancel').status_code == 409
    assert owner.post('/me/absences/99999999/cancel').status_code == 404
    assert snapshot() == before


def test_separation_of_duties_refuses_the_backup_over_http(app, db, snapshot):
    team = db.scalars(select(Team).where(Team.code == 'business')).one()
    absent = make_user(db, 'approver', 'reviewer', name='甲')
    backup = make_user(db, 'clerk', 'reviewer', name='乙')
    absent.team = backup.team = team
    db.commit()
    task = _claimed_case(db, spec='sign_off', holder=absent, clerk=backup.username)   # 乙 registered it
    substitution.name_backup(db, absent, backup.id, _today(), _today(), '', actor(absent))
    db.commit()
    client = app.test_client()
    assert client.post('/auth/login', data={'username': backup.username, 'password': PASSWORD}).status_code == 302
    assert task.id in task_ids(client.get('/tasks/').text)
    before = snapshot()
    response = client.post(f'/tasks/{task.id}', data={'signed': 'true'})
    assert response.status_code == 403 and '职责分离' in response.text
    assert snapshot() == before


def test_a_chief_reassigns_a_claimed_task_of_their_section(login, db):
    task = _claimed_case(db)
    chief = login('approver')
    assert task.id in task_ids(chief.get('/tasks/team').text)
    assert chief.get(f'/tasks/{task.id}/reassign').status_code == 200
    reviewer2 = demo(db, 'reviewer2')
    response = chief.post(f'/tasks/{task.id}/reassign', data={'to_user': reviewer2.id, 'reason': '李审核外出培训'})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(HumanTask, task.id).claimed_by == reviewer2.id
    event = db.scalars(select(AuditEvent).where(AuditEvent.task_id == task.id, AuditEvent.action == 'reassign')).one()
    assert event.basis == '李审核外出培训' and event.actor_name == 'approver'
    assert task.id in task_ids(login('reviewer2').get('/tasks/').text)
    assert '转办给您' in login('reviewer2').get('/me/notifications').text


@pytest.mark.parametrize('who, form, status', [
    ('approver', lambda d: {'to_user': demo(d, 'reviewer2').id, 'reason': ' '}, 422),
    ('approver', lambda d: {'to_user': demo(d, 'cashier').id, 'reason': '理由'}, 422),
    ('approver', lambda d: {'to_user': 'x', 'reason': '理由'}, 422),
    ('approver2', lambda d: {'to_user': demo(d, 'reviewer2').id, 'reason': '理由'}, 403),
    ('reviewer2', lambda d: {'to_user': demo(d, 'reviewer2').id, 'reason': '理由'}, 403),
])
def test_a_bad_or_forbidden_reassignment_changes_nothing(login, db, snapshot, who, form, status):
    task = _claimed_case(db)
    client, data = login(who), form(db)
    before = snapshot()
    assert client.post(f'/tasks/{task.id}/reassign', data=data).status_code == status
    assert snapshot() == before


def test_an_unclaimed_task_cannot_be_reassigned(login, db, snapshot):
    case_id = certificate_case(db, at=utcnow())
    task = task_of(db, case_id, 'check_records')
    client = login('approver')
    before = snapshot()
    assert client.get(f'/tasks/{task.id}/reassign').status_code == 409
    assert client.post(f'/tasks/{task.id}/reassign', data={'to_user': demo(db, 'reviewer').id,
                                                           'reason': '理由'}).status_code == 409
    assert snapshot() == before
    assert login('reviewer').get('/tasks/team').status_code == 403
