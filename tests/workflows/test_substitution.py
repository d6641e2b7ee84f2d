"""AB岗: a backup acts for an absent colleague (SoD still theirs, audited "for"); chiefs reassign (转办)."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.alerts_helpers import MONDAY, certificate_case, demo, sent, task_of
from tests.factories import actor, make_user
from workflows import notify, queries, runtime, substitution
from workflows.errors import Conflict, FormInvalid, NotAllowed, NotFound
from workflows.models import AuditEvent, Team

DAY = MONDAY.date()


def _absent(session, who, backup, first=DAY, last=DAY + timedelta(days=4), by=None):
    row = substitution.name_backup(session, who, backup.id, first, last, '年休假', actor(by or who, MONDAY))
    session.commit()
    return row


def _audit(session, instance_id, action):
    return session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id,
                                                    AuditEvent.action == action)).all()


@pytest.fixture
def people(session):
    """A: approver+reviewer (the absent one); B: clerk+reviewer; C: reviewer only — all in the business team."""
    team = session.scalars(select(Team).where(Team.code == 'business')).one()
    users = {name: make_user(session, *roles, name=name) for name, roles in
             (('甲', ('approver', 'reviewer')), ('乙', ('clerk', 'reviewer')), ('丙', ('reviewer',)))}
    for user in users.values():
        user.team = team
    session.commit()
    return users


def test_the_backup_sees_the_absent_colleagues_claimed_task_and_role_queue_marked_for_them(session, people):
    a, c = people['甲'], people['丙']
    case_id = certificate_case(session)
    sign_off = task_of(session, case_id, 'sign_off')
    runtime.claim_task(session, sign_off.id, actor(a, MONDAY))
    session.commit()
    assert session.scalars(queries.inbox(c, substitution.covered_users(session, c, DAY))).all() == []
    _absent(session, a, c)
    covering = substitution.covered_users(session, c, DAY)
    assert covering == [a]
    assert sign_off in session.scalars(queries.inbox(c, covering)).all()
    assert substitution.acting_for(session, c, sign_off, DAY) == a
    check = task_of(session, case_id, 'check_records')     # reviewer: C's own role, so C acts as themself
    assert check in session.scalars(queries.queue(c, covering)).all()
    assert substitution.acting_for(session, c, check, DAY) is None
    assert substitution.covered_users(session, c, DAY + timedelta(days=5)) == []    # the absence is over


def test_the_backup_acts_for_the_absent_colleague_and_the_audit_says_so(session, people):
    a, c = people['甲'], people['丙']
    case_id = certificate_case(session)
    sign_off = task_of(session, case_id, 'sign_off')
    runtime.claim_task(session, sign_off.id, actor(a, MONDAY))
    session.commit()
    _absent(session, a, c)
    runtime.complete_task(session, sign_off.id, {'signed': True}, actor(c, MONDAY + timedelta(days=1)))
    session.commit()
    assert sign_off.completed_by == c.id
    event = _audit(session, case_id, 'complete')[-1]
    assert (event.actor_id, event.data['on_behalf_of']) == (c.id, a.username)


def test_the_backup_claims_from_the_absent_colleagues_role_queue_for_them(session, people):
    a, c = people['甲'], people['丙']
    case_id = certificate_case(session)
    _absent(session, a, c)
    sign_off = task_of(session, case_id, 'sign_off')           # approver: only A's role
    runtime.claim_task(session, sign_off.id, actor(c, MONDAY))
    session.commit()
    assert sign_off.claimed_by == c.id
    assert _audit(session, case_id, 'claim')[-1].data['on_behalf_of'] == a.username


def test_separation_of_duties_still_applies_to_the_backups_own_earlier_steps(session, people):
    a, b = people['甲'], people['乙']
    case_id = certificate_case(session, clerk=b.username)      # B registered the case; sign_off is separate from start
    sign_off = task_of(session, case_id, 'sign_off')
    runtime.claim_task(session, sign_off.id, actor(a, MONDAY))
    session.commit()
    _absent(session, a, b)
    with pytest.raises(NotAllowed, match='Separation of duties'):
        runtime.complete_task(session, sign_off.id, {'signed': True}, actor(b, MONDAY))
    session.rollback()
    assert sign_off.completed_by is None and _audit(session, case_id, 'complete') == []


def test_without_a_running_absence_the_colleagues_task_stays_theirs(session, people):
    a, c = people['甲'], people['丙']
    case_id = certificate_case(session)
    sign_off = task_of(session, case_id, 'sign_off')
    runtime.claim_task(session, sign_off.id, actor(a, MONDAY))
    session.commit()
    _absent(session, a, c, first=DAY + timedelta(days=2))                 # starts on Wednesday
    with pytest.raises(Conflict, match='claimed by'):
        runtime.complete_task(session, sign_off.id, {'signed': True}, actor(c, MONDAY))


@pytest.mark.parametrize('backup, first, last, field', [
    ('甲', DAY, DAY, 'backup'),                             # oneself
    ('clerk', DAY, DAY, 'backup'),                          # shares no business role
    ('乙', DAY, DAY - timedelta(days=1), 'ends_on'),        # backwards
    ('乙', DAY, DAY + timedelta(days=92), 'ends_on'),       # too long
    ('乙', DAY - timedelta(days=9), DAY - timedelta(days=2), 'ends_on'),   # in the past
])
def test_a_bad_backup_or_range_is_refused_per_field(session, people, backup, first, last, field):
    a = people['甲']
    target = people.get(backup) or demo(session, backup)
    with pytest.raises(FormInvalid) as refused:
        substitution.name_backup(session, a, target.id, first, last, '', actor(a, MONDAY))
    assert list(refused.value.errors) == [field]


def test_a_chief_names_a_backup_for_a_team_member_but_not_for_another_team(session, people):
    chief, c = demo(session, 'approver'), people['丙']             # 吴审批 chiefs the business team
    row = _absent(session, c, people['乙'], by=chief)
    assert (row.absent_id, row.created_by) == (c.id, chief.id)
    assert sent(session) == [(people['乙'].username, notify.BACKUP_NAMED)]
    with pytest.raises(NotAllowed):
        substitution.name_backup(session, c, people['乙'].id, DAY, DAY, '', actor(demo(session, 'approver2'), MONDAY))
    with pytest.raises(NotAllowed):                                  # a colleague is not a chief
        substitution.name_backup(session, c, people['甲'].id, DAY, DAY, '', actor(people['乙'], MONDAY))


def test_an_absence_is_cancelled_by_those_entitled_once(session, people):
    row = _absent(session, people['丙'], people['乙'])
    with pytest.raises(NotAllowed):
        substitution.cancel_backup(session, row.id, actor(people['乙'], MONDAY))       # the backup may not
    substitution.cancel_backup(session, row.id, actor(people['丙'], MONDAY))
    session.commit()
    assert substitution.covered_users(session, people['乙'], DAY) == []
    with pytest.raises(Conflict):
        substitution.cancel_backup(session, row.id, actor(people['丙'], MONDAY))
    with pytest.raises(NotFound):
        substitution.cancel_backup(session, 10**6, actor(people['丙'], MONDAY))


# -- 转办 ------------------------------------------------------------------------------------------

def _claimed_check(session, holder='reviewer'):
    case_id = certificate_case(session)
    task = task_of(session, case_id, 'check_records')
    runtime.claim_task(session, task.id, actor(demo(session, holder), MONDAY))
    session.commit()
    return task


def test_a_chief_reassigns_a_claimed_task_with_a_reason_audited_and_told(session):
    task = _claimed_check(session)
    chief, reviewer2 = demo(session, 'approver'), demo(session, 'reviewer2')
    substitution.reassign_task(session, task.id, reviewer2.id, '李审核外出培训', actor(chief, MONDAY))
    session.commit()
    assert task.claimed_by == reviewer2.id and task.claimer == reviewer2
    event = _audit(session, task.instance_id, 'reassign')[-1]
    assert (event.actor_id, event.basis, event.data['from'], event.data['to']) == (
        chief.id, '李审核外出培训', 'reviewer', 'reviewer2')
    assert sent(session) == [('reviewer', notify.TASK_REASSIGNED_AWAY), ('reviewer2', notify.TASK_REASSIGNED_TO_YOU)]


@pytest.mark.parametrize('by, target, reason, error', [
    ('approver2', 'reviewer2', '理由', NotAllowed),    # chief of another section
    ('reviewer2', 'reviewer2', '理由', NotAllowed),    # not a chief
    ('approver', 'reviewer2', '  ', FormInvalid),      # no reason
    ('approver', 'cashier', '理由', FormInvalid),      # does not hold the role
    ('approver', 'reviewer', '理由', FormInvalid),     # already theirs
    ('approver', 'supervisor', '理由', FormInvalid),   # never acts on business
])
def test_reassigning_is_refused_where_it_must_be(session, by, target, reason, error):
    task = _claimed_check(session)
    with pytest.raises(error):
        substitution.reassign_task(session, task.id, demo(session, target).id, reason, actor(demo(session, by), MONDAY))
    session.rollback()
    assert task.claimer.username == 'reviewer' and _audit(session, task.instance_id, 'reassign') == []


def test_an_unclaimed_or_finished_task_cannot_be_reassigned(session):
    case_id = certificate_case(session)
    task = task_of(session, case_id, 'check_records')
    with pytest.raises(Conflict):
        substitution.reassign_task(session, task.id, demo(session, 'reviewer2').id, '理由',
                                   actor(demo(session, 'approver'), MONDAY))


def test_a_target_barred_by_separation_of_duties_is_refused(session):
    chief, clerk = demo(session, 'approver'), demo(session, 'clerk')
    clerk.roles.append(chief.roles[0])           # the clerk who registered the case also holds the approver role
    case_id = certificate_case(session)          # registered by the clerk; sign_off is separate from 'start'
    sign_off = task_of(session, case_id, 'sign_off')
    runtime.claim_task(session, sign_off.id, actor(chief, MONDAY))
    session.commit()
    with pytest.raises(FormInvalid) as refused:
        substitution.reassign_task(session, sign_off.id, clerk.id, '理由', actor(chief, MONDAY))
    assert refused.value.errors['to_user'][0][0].startswith('Separation of duties')
