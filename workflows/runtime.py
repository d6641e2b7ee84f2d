"""What people do to cases: register one, claim, release or complete its tasks.

Each function checks what it can before changing anything (the task is open, the actor may work
it, the form is valid), then makes its change through one `InstanceChange` and records it in the
audit trail. Nothing here commits: the caller does, once.
"""
from __future__ import annotations

import uuid

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm.attributes import set_committed_value

from . import audit
from .change import InstanceChange
from .definitions import latest_definition, loaded_definition
from .deadlines import local_date
from .errors import N_, Conflict, ModelFailed, NotAllowed, NotFound
from .forms import offered, validate
from .models import HumanTask, InstanceStatus, ProcessInstance, TaskState
from .permissions import check_may_work, check_task_open, may_start
from .state import script_engine
from .substitution import actor_for_task

CHANNELS = ('window', 'online')


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


def _case_title(loaded, data) -> str:
    expression = loaded.properties.get('caseTitle')
    if not expression:
        return loaded.name
    try:
        title = script_engine().environment.evaluate(expression, dict(data))
    except Exception as exc:  # noqa: BLE001 -- a model error, reported as such
        raise ModelFailed(N_('The process model failed at step %(step)s: %(error)s'), step='caseTitle',
                          error=f'{type(exc).__name__}: {exc}'[:300]) from exc
    return str(title)[:200]


def start_instance(session, key, data, actor, channel='window') -> ProcessInstance:
    """Register a case of process `key` with the start form's data, then run it to its first wait.

    `channel` is a fact of the entry point, never a form field: the window's registration page
    always passes 'window'; only an online service's entry point may pass 'online'.
    :raises NotAllowed: the actor's roles are not the start event's lanes, or the actor is a party.
    """
    definition, loaded = startable_definition(session, key, actor, channel)
    data = validate(loaded.start_form, data)
    instance = new_instance(session, definition, loaded, data, actor, channel)
    run_registration(session, loaded, instance, InstanceChange(session, instance, actor, loaded, new=True))
    return instance


def startable_definition(session, key, actor, channel):
    """The latest definition of `key` and its parsed form, if `actor` may start it through `channel`.

    :raises NotAllowed: the actor's roles are not the start event's lanes.
    """
    if channel not in CHANNELS:
        raise ValueError(f'unknown channel {channel!r}')
    definition = latest_definition(session, key)
    loaded = loaded_definition(definition)
    if not may_start(actor.user, loaded):
        raise NotAllowed(N_('Your roles may not register a case of this process.'))
    return definition, loaded


def new_instance(session, definition, loaded, data, actor, channel, instance_id=None) -> ProcessInstance:
    """The case row, flushed, numbered from its id (`instance_id`: an id given, not drawn from the sequence)."""
    instance = ProcessInstance(id=instance_id, definition=definition,
                               business_key=uuid.uuid4().hex, title=loaded.name, started_at=actor.at,
                               started_by=actor.user_id, status=InstanceStatus.running,
                               data={**data, 'channel': channel})
    session.add(instance)
    session.flush()
    prefix = loaded.properties.get('businessKeyPrefix', 'GJJ')
    instance.business_key = f'{prefix}{local_date(actor.at):%Y%m%d}{instance.id:06d}'
    return instance


def run_registration(session, loaded, instance, change) -> None:
    """Record the registration and run the new case to its first wait through `change`.

    :raises NotAllowed: the registrar is a party of the case.
    """
    actor, data = change.actor, dict(instance.data)
    channel = data.pop('channel')
    audit.record(session, actor, 'register', instance_id=instance.id, data={'form': data, 'channel': channel})
    with change:
        change.run(data=instance.data)
    if actor.user is not None and actor.user.id_number in {p[0] for p in change.parties}:
        raise NotAllowed(N_('You may not handle a case in which you are a party.'))
    first = change.parties[0] if change.parties else None   # the registered applicant, else the first party
    applicant = next((p for p in change.parties if p[2] == 'applicant'), first)
    instance.applicant_name = applicant[1] if applicant else None
    instance.title = _case_title(loaded, instance.data)
    session.flush()


def claim_task(session, task_id, actor) -> HumanTask:
    """Take a task from the role queue into one's own inbox (a backup: for the colleague covered)."""
    task = get_task(session, task_id)
    actor = actor_for_task(session, actor, task)
    check_task_open(task, actor.user)
    if task.claimed_by == actor.user_id:
        return task
    check_may_work(session, actor.user, task, loaded_definition(task.instance.definition), actor.on_behalf_of)
    with InstanceChange(session, task.instance, actor):  # so that a completion prepared before this claim loses
        result = session.connection().execute(_CLAIM, {'tid': task.id, 'uid': actor.user_id})
        if result.rowcount != 1:
            raise Conflict(N_('Someone else claimed this task first.'))
        set_committed_value(task, 'claimed_by', actor.user_id)
        audit.record(session, actor, 'claim', instance_id=task.instance_id, task_id=task.id)
    return task


def release_task(session, task_id, actor) -> HumanTask:
    """Put a claimed task back into its role queue."""
    task = get_task(session, task_id)
    check_task_open(task)
    if task.claimed_by != actor.user_id:
        raise NotAllowed(N_('Only the person who claimed this task can release it.'))
    with InstanceChange(session, task.instance, actor):
        result = session.connection().execute(_RELEASE, {'tid': task.id, 'uid': actor.user_id})
        if result.rowcount != 1:
            raise Conflict(N_('This task has already been handled.'))
        set_committed_value(task, 'claimed_by', None)
        audit.record(session, actor, 'release', instance_id=task.instance_id, task_id=task.id)
    return task


def task_form(session, task: HumanTask):
    """(loaded definition, task metadata, JSON Schema as this case offers it) for a human task."""
    loaded = loaded_definition(task.instance.definition)
    meta = loaded.elements[task.spec_id]
    return loaded, meta, offered(loaded.form(meta.form), task.instance.data or {})


def _mark_completed(session, task, actor, decision):
    session.connection().execute(_COMPLETE, {'tid': task.id, 'uid': actor.user_id, 'at': actor.at,
                                             'decision': decision})
    for name, value in (('state', TaskState.completed), ('completed_by', actor.user_id),
                        ('completed_at', actor.at), ('claimed_by', actor.user_id), ('decision', decision)):
        set_committed_value(task, name, value)


def complete_task(session, task_id, data, actor) -> HumanTask:
    """Validate and submit a task's form, then run the process to its next wait state.

    A backup completes a task of the colleague they cover for that colleague (see `substitution`).
    """
    task = get_task(session, task_id)
    actor = actor_for_task(session, actor, task)
    loaded, meta, schema = task_form(session, task)
    check_task_open(task, actor.user, actor.on_behalf_of)
    check_may_work(session, actor.user, task, loaded, actor.on_behalf_of)
    data = validate(schema, data)
    with InstanceChange(session, task.instance, actor, loaded) as change:
        spiff_task = change.ready_task(task.task_guid)
        before = {k: spiff_task.data.get(k) for k in data}
        change.run(spiff_task, data)
        decision = data.get(meta.decision_field)
        _mark_completed(session, task, actor, None if decision is None else str(decision)[:32])
        audit.record(session, actor, 'complete', instance_id=task.instance_id, task_id=task.id,
                     basis=data.get(meta.basis_field), data={'step': meta.name, 'before': before, 'after': data})
    return task


def instance_tasks(session, instance_id):
    """All human tasks of an instance, oldest first."""
    return session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)
                           .order_by(HumanTask.created_at, HumanTask.id)).all()

