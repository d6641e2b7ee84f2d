"""The one way to change a process instance: start it, claim, release or complete its tasks.

Every change locks the instance first (optimistic: ``UPDATE … SET version = version + 1 WHERE
version = <read>``), so of two people completing the same task exactly one wins and the other
gets Conflict; then restores the workflow, runs it, saves the state and refreshes the
projections and the audit trail, all in the caller's transaction. The caller commits once.
"""
from __future__ import annotations

import uuid
from datetime import datetime
from uuid import UUID

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.attributes import set_committed_value
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState as SpiffState

from . import audit, state
from .deadlines import local_date
from .definitions import latest_definition, loaded_definition
from .errors import N_, Conflict, DomainError, NotAllowed, NotFound
from .effects import run_effect
from .facts import FACT_PROVIDERS
from .forms import validate
from .models import (HumanTask, InstanceState, InstanceStatus, ProcessInstance, TaskState, utcnow)
from .permissions import check_may_work, check_task_open, may_register
from .projections import sync_projections

SUMMARY_FIELDS = ('withdrawal_type', 'amount', 'channel', 'account_no', 'materials_provided', 'note',
                  'rule_decision', 'rule_reason', 'rule_basis', 'decision', 'reason', 'basis', 'missing_items',
                  'notice_note')


class ModelFailed(DomainError):
    """The process model itself failed while running (a script or condition error)."""

    status = 422


def get_task(session, task_id) -> HumanTask:
    """A human task by id, or NotFound."""
    task = session.get(HumanTask, task_id)
    if task is None:
        raise NotFound(N_('Task not found.'))
    return task


def get_instance(session, instance_id) -> ProcessInstance:
    """A process instance by id, or NotFound."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(N_('Case not found.'))
    return instance


# Hot-path statements are built once and run on the session's connection: going through the ORM
# bulk-update path costs ~0.2 ms more per statement (bench/bench_engine.py), and none of these
# rows needs identity-map bookkeeping beyond the set_committed_value calls below.
_LOCK = (update(ProcessInstance)
         .where(ProcessInstance.id == bindparam('iid'), ProcessInstance.version == bindparam('seen'))
         .values(version=bindparam('seen') + 1))
_CLAIM = (update(HumanTask)
          .where(HumanTask.id == bindparam('tid'), HumanTask.claimed_by.is_(None),
                 HumanTask.state == TaskState.ready)
          .values(claimed_by=bindparam('uid')))
_RELEASE = (update(HumanTask)
            .where(HumanTask.id == bindparam('tid'), HumanTask.claimed_by == bindparam('uid'),
                   HumanTask.state == TaskState.ready)
            .values(claimed_by=None))
_COMPLETE = (update(HumanTask).where(HumanTask.id == bindparam('tid'))
             .values(state=TaskState.completed, completed_by=bindparam('uid'), completed_at=bindparam('at'),
                     claimed_by=bindparam('uid'), decision=bindparam('decision')))
_READ_STATE = select(InstanceState.state).where(InstanceState.instance_id == bindparam('iid'))
_WRITE_STATE = (update(InstanceState).where(InstanceState.instance_id == bindparam('iid'))
                .values(state=bindparam('blob')))


def lock_instance(session, instance: ProcessInstance):
    """Claim the right to change `instance`, or raise Conflict if someone changed it first."""
    try:
        result = session.connection().execute(_LOCK, {'iid': instance.id, 'seen': instance.version})
    except OperationalError as exc:  # SQLite: another writer kept the database locked too long
        raise Conflict(N_('Someone else is changing this case; please try again.')) from exc
    if result.rowcount != 1:
        raise Conflict(N_('This case was changed by someone else; reload and try again.'))
    set_committed_value(instance, 'version', instance.version + 1)


def _run(workflow, spiff_task=None):
    try:
        if spiff_task is not None:
            spiff_task.run()
        workflow.do_engine_steps()
    except WorkflowException as exc:
        where = getattr(getattr(exc, 'task_spec', None), 'bpmn_name', None) or '?'
        raise ModelFailed(N_('The process model failed at step %(step)s: %(error)s'),
                          step=where, error=str(exc)) from exc


def _summary(workflow) -> dict:
    data = (workflow.last_task or workflow.task_tree).data
    return {k: data[k] for k in SUMMARY_FIELDS if k in data}


def _record_rule_result(session, workflow, instance, client_addr):
    data = (workflow.last_task or workflow.task_tree).data
    if 'rule_decision' in data:
        audit.record(session, None, 'rules', instance_id=instance.id, client_addr=client_addr,
                     basis=data.get('rule_basis'),
                     data={'decision': data['rule_decision'], 'reason': data.get('rule_reason')})


CHANNELS = ('window', 'online')


def start_instance(session, key, data, user, client_addr=None, now: datetime | None = None, channel='window'):
    """Register an application: validate the start form, gather facts, run the rules.

    `channel` is a fact of the entry point, never a form field: the window's registration page
    always passes 'window'; only the online service's entry point may pass 'online' (which the
    rules may approve without a human step).
    """
    if channel not in CHANNELS:
        raise ValueError(f'unknown channel {channel!r}')
    if not may_register(user):
        raise NotAllowed(N_('Only window clerks register applications.'))
    now = now or utcnow()
    definition = latest_definition(session, key)
    loaded = loaded_definition(definition)
    data = validate(loaded.form(loaded.properties['startForm']), data)
    applicant = FACT_PROVIDERS[key](session, data, local_date(now))
    if user.id_number and user.id_number == applicant.id_number:
        raise NotAllowed(N_('You may not handle a case in which you are the applicant.'))
    instance = ProcessInstance(definition=definition, business_key=uuid.uuid4().hex, title=applicant.title,
                               applicant_name=applicant.name, applicant_id_number=applicant.id_number,
                               started_at=now, started_by=user.id, status=InstanceStatus.running)
    session.add(instance)
    session.flush()
    prefix = loaded.properties.get('businessKeyPrefix', 'GJJ')
    instance.business_key = f'{prefix}{local_date(now):%Y%m%d}{instance.id:06d}'
    workflow = state.new_workflow(loaded)
    workflow.task_tree.data.update({**data, **applicant.facts, 'channel': channel})
    audit.record(session, user, 'register', instance_id=instance.id, client_addr=client_addr,
                 data={'form': data, 'channel': channel, 'facts': applicant.facts})
    _run(workflow)
    _record_rule_result(session, workflow, instance, client_addr)
    sync_projections(session, instance, workflow, loaded, user, now, client_addr, started=True)
    instance.summary = _summary(workflow)
    session.add(InstanceState(instance_id=instance.id, state=state.dump(workflow)))
    session.flush()
    return instance


def claim_task(session, task_id, user, client_addr=None) -> HumanTask:
    """Take a task from the role queue into one's own inbox."""
    task = get_task(session, task_id)
    check_task_open(task, user)
    if task.claimed_by == user.id:
        return task
    check_may_work(session, user, task, loaded_definition(task.instance.definition))
    lock_instance(session, task.instance)  # so that a completion prepared before this claim loses
    result = session.connection().execute(_CLAIM, {'tid': task.id, 'uid': user.id})
    if result.rowcount != 1:
        raise Conflict(N_('Someone else claimed this task first.'))
    set_committed_value(task, 'claimed_by', user.id)
    audit.record(session, user, 'claim', instance_id=task.instance_id, task_id=task.id, client_addr=client_addr)
    return task


def release_task(session, task_id, user, client_addr=None) -> HumanTask:
    """Put a claimed task back into its role queue."""
    task = get_task(session, task_id)
    check_task_open(task)
    if task.claimed_by != user.id:
        raise NotAllowed(N_('Only the person who claimed this task can release it.'))
    lock_instance(session, task.instance)
    result = session.connection().execute(_RELEASE, {'tid': task.id, 'uid': user.id})
    if result.rowcount != 1:
        raise Conflict(N_('This task has already been handled.'))
    set_committed_value(task, 'claimed_by', None)
    audit.record(session, user, 'release', instance_id=task.instance_id, task_id=task.id, client_addr=client_addr)
    return task


def _mark_completed(session, task, user, now, decision):
    session.connection().execute(_COMPLETE, {'tid': task.id, 'uid': user.id, 'at': now, 'decision': decision})
    for name, value in (('state', TaskState.completed), ('completed_by', user.id), ('completed_at', now),
                        ('claimed_by', user.id), ('decision', decision)):
        set_committed_value(task, name, value)


def task_form(session, task: HumanTask):
    """(loaded definition, task metadata, JSON Schema) for a human task."""
    loaded = loaded_definition(task.instance.definition)
    meta = loaded.tasks[task.spec_id]
    return loaded, meta, loaded.form(meta.form)


def complete_task(session, task_id, data, user, client_addr=None, now: datetime | None = None) -> HumanTask:
    """Validate and submit a task's form, then run the process to its next wait state."""
    now = now or utcnow()
    task = get_task(session, task_id)
    loaded, meta, schema = task_form(session, task)
    check_task_open(task, user)
    check_may_work(session, user, task, loaded)
    data = validate(schema, data)
    instance = task.instance
    lock_instance(session, instance)
    blob = session.connection().execute(_READ_STATE, {'iid': instance.id}).scalar_one()
    workflow = state.restore(blob, loaded)
    spiff_task = workflow.get_task_from_id(UUID(task.task_guid))
    if spiff_task is None or spiff_task.state != SpiffState.READY:
        raise Conflict(N_('This task has already been handled.'))
    effect = run_effect(session, meta.effect, instance, data)
    before = {k: spiff_task.data.get(k) for k in data}
    spiff_task.data.update(data)
    _run(workflow, spiff_task)
    _mark_completed(session, task, user, now, str(data['decision']) if 'decision' in data else None)
    audit.record(session, user, 'complete', instance_id=instance.id, task_id=task.id, client_addr=client_addr,
                 basis=data.get('basis'), data={'step': meta.name, 'before': before, 'after': data,
                                                **({'effect': effect} if effect else {})})
    sync_projections(session, instance, workflow, loaded, user, now, client_addr)
    instance.summary = _summary(workflow)
    session.connection().execute(_WRITE_STATE, {'iid': instance.id, 'blob': state.dump(workflow)})
    session.flush()
    return task


def instance_tasks(session, instance_id):
    """All human tasks of an instance, oldest first."""
    return session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)
                           .order_by(HumanTask.created_at, HumanTask.id)).all()
