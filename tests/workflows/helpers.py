"""Small helpers for driving withdrawals through the engine layer in tests."""
from sqlalchemy import select

from workflows import runtime
from workflows.actors import Actor
from workflows.deadlines import local_date
from workflows.models import HumanTask, TaskState, utcnow

TODAY = local_date(utcnow()).isoformat()   # payments may not be dated in the future

APPLICATION = {'account_no': '100000000001', 'withdrawal_type': 'purchase', 'amount': 5000,
               'materials_provided': ['id_card', 'purchase_contract']}


def register(session, clerk, channel='window', **overrides):
    """Register a withdrawal as `clerk` and commit."""
    instance = runtime.start_instance(session, 'withdrawal', {**APPLICATION, **overrides}, Actor(clerk),
                                      channel=channel)
    session.commit()
    return instance


def open_task(session, instance, spec_id):
    """The ready human task of a step, or None."""
    return session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                   HumanTask.spec_id == spec_id,
                                                   HumanTask.state == TaskState.ready)).one_or_none()


def complete(session, instance, spec_id, user, data):
    """Complete the ready task of a step and commit."""
    task = open_task(session, instance, spec_id)
    assert task is not None, f'no ready task {spec_id}'
    runtime.complete_task(session, task.id, data, Actor(user))
    session.commit()
    return task
