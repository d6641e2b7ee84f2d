"""Keep the queryable projections (process_instance, human_task) in step with the workflow state.

Called after every engine step in the same transaction: new ready user tasks get a row with their
due date; rows whose task is no longer ready are cancelled; a task declared `pausesClock` stops the
case's statutory clock while it is open (一次性告知: waiting for the applicant), and the decision
date moves back by the working days spent waiting when it closes.
"""
from __future__ import annotations

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm.util import identity_key
from SpiffWorkflow.bpmn.specs.defaults import EndEvent
from SpiffWorkflow.util.task import TaskState as SpiffState

from . import audit
from .calendar import parse_time_limit
from .deadlines import clock_due, days_waited, decision_limit, load_calendar, local_date, task_due
from .models import HumanTask, InstanceStatus, TaskState


class _LazyCalendar:
    """Read the calendar from the database only if a date has to be computed."""

    def __init__(self, session):
        self._session, self._calendar = session, None

    def get(self):
        if self._calendar is None:
            self._calendar = load_calendar(self._session)
        return self._calendar


_READY_ROWS = select(HumanTask.id, HumanTask.task_guid).where(
    HumanTask.instance_id == bindparam('iid'), HumanTask.state == TaskState.ready)
_CANCEL = (update(HumanTask).where(HumanTask.id.in_(bindparam('ids', expanding=True)))
           .values(state=TaskState.cancelled))


def _new_task_row(instance, spiff_task, meta, calendar, now) -> dict:
    due = task_due(calendar.get(), local_date(now), meta.time_limit) if meta.time_limit else None
    return dict(instance_id=instance.id, task_guid=str(spiff_task.id), spec_id=meta.spec_id, name=meta.name,
                role_code=meta.role, form_name=meta.form, state=TaskState.ready, created_at=now,
                time_limit=meta.time_limit, due_date=due.date if due else None,
                due_provisional=due.provisional if due else False)


def _expire_loaded(session, ids):
    """Objects for rows changed by a Core statement must be reloaded if the session holds them."""
    for row_id in ids:
        obj = session.identity_map.get(identity_key(HumanTask, row_id))
        if obj is not None:
            session.expire(obj)


def _sync_tasks(session, instance, workflow, loaded, calendar, now):
    """Insert rows for newly ready user tasks and cancel rows whose task is no longer ready.

    Core statements on the session's connection (see runtime's note on the hot path).
    """
    connection = session.connection()
    ready = {str(t.id): t for t in workflow.get_tasks(state=SpiffState.READY, manual=True)}
    rows = connection.execute(_READY_ROWS, {'iid': instance.id}).all()
    gone = [row_id for row_id, guid in rows if guid not in ready]
    if gone:
        connection.execute(_CANCEL, {'ids': gone})
        _expire_loaded(session, gone)
    known = {guid for _id, guid in rows}
    new = [_new_task_row(instance, t, loaded.tasks[t.task_spec.bpmn_id], calendar, now)
           for guid, t in ready.items() if guid not in known]
    if new:
        connection.execute(insert(HumanTask), new)
    return [loaded.tasks[t.task_spec.bpmn_id] for t in ready.values()]


def _start_clock(session, instance, loaded, calendar, now):
    limit = decision_limit(session, loaded.key, loaded.properties)
    if limit is not None:
        instance.decision_limit, instance.clock_started_on, instance.clock_waited = str(limit), local_date(now), 0
        due = clock_due(calendar.get(), instance.decision_limit, instance.clock_started_on, 0)
        instance.decision_due, instance.decision_due_provisional = due.date, due.provisional


def _pause_or_resume(session, instance, open_metas, calendar, now, user, client_addr):
    waiting = any(meta.pauses_clock for meta in open_metas)
    today = local_date(now)
    if waiting and instance.paused_since is None:
        instance.status, instance.paused_since = InstanceStatus.waiting, today
        audit.record(session, user, 'pause_clock', instance_id=instance.id, client_addr=client_addr)
    elif not waiting and instance.paused_since is not None:
        old_due, paused_on = instance.decision_due, instance.paused_since
        if instance.decision_limit:
            unit = parse_time_limit(instance.decision_limit).unit
            instance.clock_waited += days_waited(calendar.get(), unit, paused_on, today)
            due = clock_due(calendar.get(), instance.decision_limit, instance.clock_started_on, instance.clock_waited)
            instance.decision_due, instance.decision_due_provisional = due.date, due.provisional
        instance.status, instance.paused_since = InstanceStatus.running, None
        audit.record(session, user, 'resume_clock', instance_id=instance.id, client_addr=client_addr,
                     data={'paused_on': paused_on.isoformat(), 'resumed_on': today.isoformat(),
                           'decision_due': {'before': old_due and old_due.isoformat(),
                                            'after': instance.decision_due and instance.decision_due.isoformat()}})


def _close(session, instance, workflow, loaded, user, now, client_addr):
    end = next((t for t in workflow.get_tasks(state=SpiffState.COMPLETED, spec_class=EndEvent)
                if t.task_spec.bpmn_id in loaded.outcomes), None)
    data = (workflow.last_task or workflow.task_tree).data
    instance.status, instance.closed_at = InstanceStatus.completed, now
    instance.outcome = loaded.outcomes.get(end.task_spec.bpmn_id, 'completed') if end else 'completed'
    instance.paused_since = None
    basis = data.get('basis') or data.get('rule_basis')
    audit.record(session, user, 'close', instance_id=instance.id, client_addr=client_addr, basis=basis,
                 data={'outcome': instance.outcome, 'reason': data.get('reason') or data.get('rule_reason')})


def sync_projections(session, instance, workflow, loaded, user, now, client_addr=None, started=False):
    """Bring human_task rows, the case status and its clock in line with the workflow.

    Call it after the completed task's own row is updated, so that row no longer reads as ready.
    Runs without autoflush: the caller's pending changes are written in the one flush at the end.
    """
    calendar = _LazyCalendar(session)
    if started:
        _start_clock(session, instance, loaded, calendar, now)
    with session.no_autoflush:
        open_metas = _sync_tasks(session, instance, workflow, loaded, calendar, now)
        if workflow.is_completed():
            _close(session, instance, workflow, loaded, user, now, client_addr)
        else:
            _pause_or_resume(session, instance, open_metas, calendar, now, user, client_addr)
    session.flush()
