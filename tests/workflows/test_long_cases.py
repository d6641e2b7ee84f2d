"""Long-lived cases: they never end silently, and they run to their end however long their history."""
from sqlalchemy import select
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from tests.factories import actor, deploy_test_process, make_user
from workflows import runtime
from workflows.models import AuditEvent, HumanTask, InstanceStatus, TaskState


def _ready_step(session, instance):
    return session.scalars(select(HumanTask.id).where(HumanTask.instance_id == instance.id,
                                                      HumanTask.state == TaskState.ready)).one_or_none()


def test_a_loop_of_1000_rounds_reaches_its_end_event(session):
    deploy_test_process(session, 'loop')
    clerk = make_user(session, 'clerk')
    instance = runtime.start_instance(session, 'loop', {'rounds': 1000}, actor(clerk))
    session.commit()
    for _ in range(1000):
        task_id = _ready_step(session, instance)
        assert task_id is not None, f'no ready step after {instance.data["n"]} rounds ({instance.status})'
        runtime.complete_task(session, task_id, {}, actor(clerk))
        session.commit()
    assert instance.data['n'] == 1000
    assert (instance.status, instance.end_event, instance.outcome) == (InstanceStatus.completed, 'end', 'done')
    assert instance.path['step'] == 1000 and instance.path['end'] == 1   # the path taken is all kept
    assert session.query(HumanTask).filter_by(instance_id=instance.id, state=TaskState.completed).count() == 1000


def test_a_case_whose_engine_stops_early_is_never_marked_completed(session, monkeypatch):
    deploy_test_process(session, 'loop')
    clerk = make_user(session, 'clerk')
    instance = runtime.start_instance(session, 'loop', {'rounds': 5}, actor(clerk))
    session.commit()
    # The engine claims to be done although no end event ran (as SpiffWorkflow 3.2 did past depth 1,000).
    monkeypatch.setattr(BpmnWorkflow, 'is_completed', lambda self: True)
    runtime.complete_task(session, _ready_step(session, instance), {}, actor(clerk))
    session.commit()
    assert instance.status == InstanceStatus.error and instance.closed_at is None and instance.outcome is None
    assert 'end event' in instance.error
    assert session.scalars(select(AuditEvent.action).where(AuditEvent.instance_id == instance.id)
                           .order_by(AuditEvent.id.desc())).first() == 'error'
