"""The timer worker fires each due timer exactly once: with two workers, and after one dies holding a lease."""
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import actor, deploy_test_process, make_user
from workflows import runtime, worker
from workflows.models import AuditEvent, HumanTask, InstanceStatus, ProcessInstance, TaskState, utcnow



def _case(session_factory, wait='PT1S'):
    with session_factory() as session:
        deploy_test_process(session, 'reminder')
        clerk = make_user(session, 'clerk')
        instance = runtime.start_instance(session, 'reminder', {'wait': wait}, actor(clerk))
        session.commit()
        assert instance.next_timer_at is not None and instance.status == InstanceStatus.running
        return instance.id


def _fired(session_factory, instance_id):
    """(timer audit events, ready tasks after the wait, lease owner, next timer) of a case."""
    with session_factory() as session:
        timers = session.scalar(select(func.count()).where(AuditEvent.instance_id == instance_id,
                                                           AuditEvent.action == 'timer'))
        tasks = session.scalar(select(func.count()).where(HumanTask.instance_id == instance_id,
                                                          HumanTask.spec_id == 'after_wait',
                                                          HumanTask.state == TaskState.ready))
        instance = session.get(ProcessInstance, instance_id)
        return timers, tasks, instance.lease_owner, instance.next_timer_at


@pytest.mark.slow   # waits a second for a real timer
def test_a_timer_that_falls_due_during_someones_change_runs_its_follow_up_in_that_change(session_factory):
    with session_factory() as session:
        deploy_test_process(session, 'nudge')
        clerk = make_user(session, 'clerk')
        instance = runtime.start_instance(session, 'nudge', {'wait': 'PT1S'}, actor(clerk))
        session.commit()
        time.sleep(1.2)
        task = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                       HumanTask.spec_id == 'a')).one()
        runtime.complete_task(session, task.id, {}, actor(clerk))   # SpiffWorkflow fires the due b_due as it updates
        session.commit()
        assert instance.data.get('nudged') is True and instance.path.get('record_nudge') == 1


def test_a_timer_that_is_not_due_is_left_alone(session_factory):
    instance_id = _case(session_factory, wait='P1D')
    assert worker.run_once(session_factory, 'w1') == 0
    assert _fired(session_factory, instance_id)[:3] == (0, 0, None)


@pytest.mark.slow   # waits a second for a real timer
def test_two_workers_at_once_fire_a_due_timer_exactly_once(session_factory):
    instance_id = _case(session_factory)
    time.sleep(1.2)
    barrier, changed, errors = threading.Barrier(2), [], []

    def run(name):
        barrier.wait()
        try:
            changed.append(worker.run_once(session_factory, name))
        except Exception as exc:   # noqa: BLE001 -- reported by the assertion below
            errors.append(repr(exc))
    threads = [threading.Thread(target=run, args=(f'w{i}',)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and sorted(changed) == [0, 1]
    assert _fired(session_factory, instance_id) == (1, 1, None, None)
    assert worker.run_once(session_factory, 'w3') == 0                     # and never again


@pytest.mark.slow   # waits a second for a real timer
def test_a_worker_that_dies_holding_the_lease_delays_the_timer_until_the_lease_expires(session_factory):
    instance_id = _case(session_factory)
    time.sleep(1.2)
    assert worker.claim_due(session_factory, 'dead-worker', utcnow(), lease_seconds=60) == [instance_id]
    assert worker.run_once(session_factory, 'w2') == 0                     # still leased: left alone
    assert _fired(session_factory, instance_id)[:3] == (0, 0, 'dead-worker')
    assert worker.run_once(session_factory, 'w2', now=utcnow() + timedelta(seconds=61)) == 1
    assert _fired(session_factory, instance_id) == (1, 1, None, None)
