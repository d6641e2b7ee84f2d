"""The worker marks deadlines due soon and overdue and escalates overdue tasks, each exactly once."""
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from tests.alerts_helpers import MONDAY, certificate_case, demo, sent, task_of
from tests.factories import actor
from workflows import escalation, notify, runtime, substitution, worker
from workflows.models import DeadlineMark, Notification

TUESDAY, THURSDAY, NEXT_TUESDAY = (MONDAY + timedelta(days=n) for n in (1, 3, 8))


def _marks(session):
    return sorted(session.execute(select(DeadlineMark.kind, DeadlineMark.level, DeadlineMark.due_date)).all())


def test_a_claimed_task_is_marked_due_soon_then_overdue_once_each_and_escalated_to_its_team(session_factory):
    with session_factory() as session:
        case_id = certificate_case(session)
        task = task_of(session, case_id, 'check_records')
        runtime.claim_task(session, task.id, actor(demo(session, 'reviewer'), MONDAY))
        session.commit()
        assert task.due_date == date(2026, 3, 4)
    assert escalation.run_marking(session_factory, 'w1', MONDAY) == 0            # due Wednesday: not yet soon
    assert escalation.run_marking(session_factory, 'w1', TUESDAY) == 1
    assert escalation.run_marking(session_factory, 'w2', TUESDAY) == 0           # never twice
    with session_factory() as session:
        assert sent(session) == [('reviewer', notify.TASK_DUE_SOON)]
    assert escalation.run_marking(session_factory, 'w1', THURSDAY) == 1          # overdue since Thursday
    assert escalation.run_marking(session_factory, 'w2', THURSDAY + timedelta(hours=3)) == 0
    with session_factory() as session:
        overdue = sent(session, kind=notify.TASK_OVERDUE) + sent(session, kind=notify.TASK_OVERDUE_ESCALATED)
        # the holder; the supervisor; the chief of the holder's team (业务科), not the credit section's
        assert overdue == [('reviewer', notify.TASK_OVERDUE), ('approver', notify.TASK_OVERDUE_ESCALATED),
                           ('supervisor', notify.TASK_OVERDUE_ESCALATED)]
        escalated = session.scalars(select(Notification).where(Notification.kind == notify.TASK_OVERDUE_ESCALATED)).first()
        assert escalated.params == {'case': escalated.params['case'], 'step': '核对缴存记录', 'due': '2026-03-04',
                                    'holder': '李审核'}
        assert escalated.task_id == task.id and escalated.instance_id == case_id
        assert _marks(session) == [('task', 'overdue', date(2026, 3, 4)), ('task', 'soon', date(2026, 3, 4))]


def test_an_unclaimed_overdue_task_tells_everyone_of_its_role_and_their_chiefs(session_factory):
    with session_factory() as session:
        certificate_case(session)
    assert escalation.run_marking(session_factory, 'w1', THURSDAY) == 1         # straight to overdue: one mark
    with session_factory() as session:
        assert sent(session) == [('approver', notify.TASK_OVERDUE_ESCALATED), ('reviewer', notify.TASK_OVERDUE),
                                 ('reviewer2', notify.TASK_OVERDUE), ('supervisor', notify.TASK_OVERDUE_ESCALATED)]
        assert _marks(session) == [('task', 'overdue', date(2026, 3, 4))]


def test_an_absent_holders_backup_is_told_too(session_factory):
    with session_factory() as session:
        case_id = certificate_case(session)
        reviewer, reviewer2 = demo(session, 'reviewer'), demo(session, 'reviewer2')
        runtime.claim_task(session, task_of(session, case_id, 'check_records').id, actor(reviewer, MONDAY))
        substitution.name_backup(session, reviewer, reviewer2.id, date(2026, 3, 3), date(2026, 3, 6), '休假',
                                 actor(reviewer, MONDAY))
        session.commit()
    escalation.run_marking(session_factory, 'w1', TUESDAY)
    with session_factory() as session:
        assert sent(session, kind=notify.TASK_DUE_SOON) == [('reviewer', notify.TASK_DUE_SOON),
                                                             ('reviewer2', notify.TASK_DUE_SOON)]


def test_a_running_clock_is_marked_and_its_overdue_told_to_the_supervisors(session_factory):
    with session_factory() as session:
        case_id = certificate_case(session)
    escalation.run_marking(session_factory, 'w1', NEXT_TUESDAY)     # the answer clock was due Monday 9 March
    with session_factory() as session:
        assert ('clock', 'overdue', date(2026, 3, 9)) in _marks(session)
        assert sent(session, kind=notify.CLOCK_OVERDUE) == [('supervisor', notify.CLOCK_OVERDUE)]
        note = session.scalars(select(Notification).where(Notification.kind == notify.CLOCK_OVERDUE)).one()
        assert note.instance_id == case_id and note.params['clock'] == '答复期限'


def test_a_completed_task_is_never_marked(session_factory):
    with session_factory() as session:
        case_id = certificate_case(session)
        reviewer = demo(session, 'reviewer')
        task = task_of(session, case_id, 'check_records')
        runtime.claim_task(session, task.id, actor(reviewer, MONDAY))
        runtime.complete_task(session, task.id, {'records_ok': True}, actor(reviewer, MONDAY))
        session.commit()
    escalation.run_marking(session_factory, 'w1', THURSDAY)
    with session_factory() as session:
        assert [m for m in _marks(session) if m[0] == 'task'] == []


def test_the_worker_round_marks_after_firing_timers(session_factory):
    with session_factory() as session:
        certificate_case(session)
    assert worker.run_round(session_factory, 'w1', THURSDAY) == {'timers': 0, 'marked': 1, 'internal_audit': 0, 'emails': 0}
    assert worker.run_round(session_factory, 'w1', THURSDAY) == {'timers': 0, 'marked': 0, 'internal_audit': 0, 'emails': 0}


def test_no_request_handler_marks_anything(session_factory):
    """Claiming and completing after the due date leave marking to the worker."""
    with session_factory() as session:
        case_id = certificate_case(session)
        reviewer = demo(session, 'reviewer')
        runtime.claim_task(session, task_of(session, case_id, 'check_records').id, actor(reviewer, THURSDAY))
        session.commit()
        assert session.scalar(select(func.count()).select_from(DeadlineMark)) == 0
        assert session.scalar(select(func.count()).select_from(Notification)) == 0



def _lookups_of_a_round(session_factory, new_cases, now):
    """Register `new_cases` more cases, forget earlier marks, run one marking round over all the
    overdue tasks; (items marked, statements reading users or their e-mail addresses)."""
    from sqlalchemy import event
    with session_factory() as session:
        for _ in range(new_cases):
            certificate_case(session)
        session.execute(DeadlineMark.__table__.delete())
        session.commit()
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)
    engine = session_factory.kw['bind']
    event.listen(engine, 'before_cursor_execute', record)
    try:
        marked = escalation.run_marking(session_factory, 'w1', now)
    finally:
        event.remove(engine, 'before_cursor_execute', record)
    return marked, len([s for s in statements if 'FROM app_user' in s or 'FROM user_contact' in s])


def test_who_is_told_is_looked_up_once_per_round_not_once_per_item(session_factory):
    marked, lookups = _lookups_of_a_round(session_factory, 1, THURSDAY)
    assert marked == 1 and lookups > 0
    # the same questions (the role's users, supervisors, chiefs, e-mail addresses) for six items
    assert _lookups_of_a_round(session_factory, 5, THURSDAY) == (6, lookups)
