"""Administrators' case operations: suspend, resume, terminate, retry — each audited with its reason."""
import time

import pytest
from sqlalchemy import func, select

from tests.factories import actor, deploy_test_process, make_user
from tests.workflows.helpers import open_task, register
from workflows import admin_ops, audit, change, runtime, worker
from workflows.errors import Conflict, FormInvalid, ModelFailed
from workflows.models import (AuditEvent, CaseClock, ClockState, HumanTask, InstanceStatus, ProcessInstance,
                              TaskState, utcnow)


@pytest.fixture
def admin(session):
    return make_user(session, 'admin', username='root')


def _timer_case(session, wait='PT1S'):
    deploy_test_process(session, 'reminder')
    clerk = make_user(session, 'clerk', username='timer_clerk')
    instance = runtime.start_instance(session, 'reminder', {'wait': wait}, actor(clerk))
    session.commit()
    return instance, clerk


def _later():
    """A moment after the case's one-second timer fell due (the engine reads the real clock)."""
    time.sleep(1.1)
    return utcnow()


def _timer_tasks(session_factory, instance_id):
    with session_factory() as s:
        return s.scalar(select(func.count()).where(HumanTask.instance_id == instance_id,
                                                   HumanTask.spec_id == 'after_wait'))


def test_a_suspended_case_refuses_claim_and_completion_until_it_is_resumed(session, user_named, admin):
    clerk = user_named('clerk')
    instance = register(session, clerk)
    task = open_task(session, instance, 'accept')
    admin_ops.suspend(session, instance, actor(admin), '核查系统故障，暂停办理')
    session.commit()
    assert instance.status == InstanceStatus.suspended
    with pytest.raises(Conflict, match='suspended'):
        runtime.claim_task(session, task.id, actor(clerk))
    session.rollback()
    with pytest.raises(Conflict, match='suspended'):
        runtime.complete_task(session, task.id, {'materials_complete': True}, actor(clerk))
    session.rollback()
    assert session.get(HumanTask, task.id).claimed_by is None
    admin_ops.resume(session, instance, actor(admin), '故障已排除')
    session.commit()
    assert instance.status == InstanceStatus.running
    runtime.claim_task(session, task.id, actor(clerk))
    session.commit()
    assert session.get(HumanTask, task.id).claimed_by == clerk.id


def test_resume_restores_waiting(session, user_named, admin):
    clerk = user_named('clerk')
    instance = register(session, clerk)
    runtime.complete_task(session, open_task(session, instance, 'accept').id,
                          {'materials_complete': False, 'missing_items': ['bank_card']}, actor(clerk))
    session.commit()
    assert instance.status == InstanceStatus.waiting
    admin_ops.suspend(session, instance, actor(admin), '暂停')
    admin_ops.resume(session, instance, actor(admin), '继续')
    session.commit()
    assert instance.status == InstanceStatus.waiting


@pytest.mark.slow   # waits a second for a real timer
def test_the_worker_skips_the_timers_of_a_suspended_case_and_fires_them_after_resume(session, session_factory, admin):
    instance, _ = _timer_case(session)
    admin_ops.suspend(session, instance, actor(admin), '暂停')
    session.commit()
    assert worker.run_once(session_factory, 'w1', now=_later()) == 0
    assert _timer_tasks(session_factory, instance.id) == 0
    admin_ops.resume(session, instance, actor(admin), '继续')
    session.commit()
    assert worker.run_once(session_factory, 'w1', now=_later()) == 1
    assert _timer_tasks(session_factory, instance.id) == 1


def test_a_change_prepared_before_the_suspension_is_refused_even_past_the_status_check(session, user_named, admin):
    """InstanceChange itself refuses a halted case: no caller can forget the check."""
    instance = register(session, user_named('clerk'))
    admin_ops.suspend(session, instance, actor(admin), '暂停')
    session.commit()
    with pytest.raises(Conflict, match='suspended'):
        with change.InstanceChange(session, instance, actor(user_named('clerk'))):
            pass


def test_terminate_cancels_open_tasks_stops_clocks_and_leaves_no_timer(session, user_named, admin):
    clerk = user_named('clerk')
    instance = register(session, clerk)
    task = open_task(session, instance, 'accept')
    admin_ops.terminate(session, instance, actor(admin), '申请人撤回申请，书面材料存档')
    session.commit()
    session.refresh(instance)
    assert (instance.status, instance.outcome, instance.next_timer_at) == (InstanceStatus.terminated, 'terminated', None)
    assert instance.closed_at is not None
    assert session.get(HumanTask, task.id).state == TaskState.cancelled
    assert all(c.state in (ClockState.met, ClockState.missed)
               for c in session.scalars(select(CaseClock).where(CaseClock.instance_id == instance.id)))
    with pytest.raises(Conflict):
        runtime.claim_task(session, task.id, actor(clerk))
    session.rollback()
    with pytest.raises(Conflict, match='terminated'):
        admin_ops.resume(session, instance, actor(admin), '再试')


@pytest.mark.parametrize('operation,status', [('suspend', InstanceStatus.completed), ('resume', InstanceStatus.running),
                                              ('retry', InstanceStatus.running),
                                              ('terminate', InstanceStatus.terminated)])
def test_an_operation_that_does_not_fit_the_status_is_refused(session, user_named, admin, operation, status):
    instance = register(session, user_named('clerk'))
    instance.status = status
    session.commit()
    with pytest.raises(Conflict):
        admin_ops.apply(session, instance, actor(admin), operation, '原因')


def test_a_reason_is_required(session, user_named, admin):
    instance = register(session, user_named('clerk'))
    with pytest.raises(FormInvalid) as error:
        admin_ops.suspend(session, instance, actor(admin), '   ')
    assert 'reason' in error.value.errors
    assert instance.status == InstanceStatus.running


@pytest.mark.slow   # waits a second for a real timer
def test_retry_runs_a_failed_timer_step_again(session, session_factory, admin, monkeypatch):
    instance, _ = _timer_case(session)
    real_run = change.InstanceChange.run

    def failing(self, *args, **kwargs):
        raise ModelFailed('The process model failed at step %(step)s: %(error)s', step='等待期满',
                          error='ConnectionError: 核心系统不可用')
    monkeypatch.setattr(change.InstanceChange, 'run', failing)
    now = _later()
    worker.run_once(session_factory, 'w1', now=now)
    session.expire_all()
    assert instance.status == InstanceStatus.error and '核心系统不可用' in instance.error
    # Retried while the cause persists: refused, nothing changes.
    with pytest.raises(ModelFailed):
        admin_ops.retry(session, instance, actor(admin, at=now), '核心系统已恢复')
    session.rollback()
    assert session.get(ProcessInstance, instance.id).status == InstanceStatus.error
    # Once the cause is gone, the retry fires the due timer and the case continues.
    monkeypatch.setattr(change.InstanceChange, 'run', real_run)
    admin_ops.retry(session, instance, actor(admin, at=now), '核心系统已恢复')
    session.commit()
    assert instance.status == InstanceStatus.running and instance.error is None
    assert _timer_tasks(session_factory, instance.id) == 1
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == 'case_retry')).one()
    assert event.basis == '核心系统已恢复' and '核心系统不可用' in event.data['error']


def test_every_operation_is_audited_with_its_reason(session, user_named, admin):
    instance = register(session, user_named('clerk'))
    for operation, reason in (('suspend', '甲'), ('resume', '乙'), ('terminate', '丙')):
        admin_ops.apply(session, instance, actor(admin), operation, reason)
    session.commit()
    events = session.execute(select(AuditEvent.action, AuditEvent.basis, AuditEvent.actor_id)
                             .where(AuditEvent.action.like('case_%')).order_by(AuditEvent.id)).all()
    assert events == [('case_suspend', '甲', admin.id), ('case_resume', '乙', admin.id),
                      ('case_terminate', '丙', admin.id)]
    assert audit.verify(session).ok

