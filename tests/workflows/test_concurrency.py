"""Two people completing the same task at the same moment: exactly one wins, the other gets Conflict."""
import threading

import pytest
from sqlalchemy import func, select

from workflows import runtime
from workflows.actors import Actor
from workflows.errors import Conflict
from workflows.models import AuditEvent, HumanTask, TaskState, User

from .helpers import open_task, register

ROUNDS = 15


def _complete_in_thread(factory, task_id, username, barrier, results):
    with factory() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        try:
            barrier.wait()
            runtime.complete_task(session, task_id, {'materials_complete': True}, Actor(user))
            session.commit()
            results.append('ok')
        except Conflict:
            session.rollback()
            results.append('conflict')
        except Exception as exc:  # anything else is a bug: record it so the assertion shows it
            session.rollback()
            results.append(repr(exc))


@pytest.mark.slow
def test_same_task_completed_concurrently_succeeds_once(session, session_factory, user_named):
    clerk = user_named('clerk')
    pairs = [(account, kind) for account in ('100000000001', '100000000002', '100000000003')
             for kind in ('purchase', 'build', 'repay_loan', 'rent', 'hardship')]   # one open case per type and person
    for account_no, kind in pairs[:ROUNDS]:
        instance = register(session, clerk, account_no=account_no, withdrawal_type=kind, amount=100)
        task_id = open_task(session, instance, 'accept').id
        barrier, results = threading.Barrier(2), []
        threads = [threading.Thread(target=_complete_in_thread,
                                    args=(session_factory, task_id, name, barrier, results))
                   for name in ('clerk', 'clerk2')]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(results) == ['conflict', 'ok'], results
        session.expire_all()
        reviews = session.scalar(select(func.count(HumanTask.id)).where(
            HumanTask.instance_id == instance.id, HumanTask.spec_id == 'review'))
        completions = session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.task_id == task_id, AuditEvent.action == 'complete'))
        assert (reviews, completions) == (1, 1)
        assert session.get(HumanTask, task_id).state == TaskState.completed


def test_a_completion_prepared_before_someone_else_claimed_loses(session, session_factory, user_named):
    clerk = user_named('clerk')
    instance = register(session, clerk)
    task_id = open_task(session, instance, 'accept').id
    with session_factory() as a, session_factory() as b:
        user_a = a.scalars(select(User).where(User.username == 'clerk')).one()
        user_b = b.scalars(select(User).where(User.username == 'clerk2')).one()
        seen_by_a = runtime.get_task(a, task_id)          # A's request has read the unclaimed task
        runtime.claim_task(b, task_id, Actor(user_b))            # B claims it meanwhile
        b.commit()
        with pytest.raises(Conflict):
            runtime.complete_task(a, task_id, {'materials_complete': True}, Actor(user_a))
        assert seen_by_a.claimed_by is None   # A decided on what it read before B's claim
        a.rollback()
    session.expire_all()
    task = session.get(HumanTask, task_id)
    assert (task.state, task.claimed_by) == (TaskState.ready, user_named('clerk2').id)
