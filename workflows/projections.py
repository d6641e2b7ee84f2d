"""Keep the `human_task` rows in step with the workflow (called by InstanceChange after each run).

New ready user tasks get a row with their due date and their case's definition (read through the
relationship, which a case moved to another version by `migration.migrate` has already changed
before it is flushed); rows whose task is no longer ready are cancelled. Core statements on the
session's connection: going through the ORM bulk path costs ~0.2 ms more per statement
(bench/bench_engine.py), and these rows need no identity-map bookkeeping beyond expiring objects the
session already holds.
"""
from __future__ import annotations

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm.util import identity_key
from SpiffWorkflow.util.task import TaskState as SpiffState

from .deadlines import local_date, task_due
from .models import HumanTask, TaskState

_READY_ROWS = select(HumanTask.id, HumanTask.task_guid).where(
    HumanTask.instance_id == bindparam('iid'), HumanTask.state == TaskState.ready)
_CANCEL = (update(HumanTask).where(HumanTask.id.in_(bindparam('ids', expanding=True)))
           .values(state=TaskState.cancelled))


def _new_task_row(instance, spiff_task, meta, calendar, now) -> dict:
    due = task_due(calendar.get(), local_date(now), meta.time_limit) if meta.time_limit else None
    return dict(instance_id=instance.id, definition_id=instance.definition.id, task_guid=str(spiff_task.id),
                spec_id=meta.spec_id, name=meta.name, role_code=meta.role, form_name=meta.form,
                state=TaskState.ready, created_at=now, time_limit=meta.time_limit,
                due_date=due.date if due else None, due_provisional=due.provisional if due else False)


def _expire_loaded(session, ids):
    """Objects for rows changed by a Core statement must be reloaded if the session holds them."""
    for row_id in ids:
        obj = session.identity_map.get(identity_key(HumanTask, row_id))
        if obj is not None:
            session.expire(obj)


def sync_tasks(session, instance, workflow, loaded, calendar, now) -> list:
    """Insert rows for newly ready user tasks, cancel rows whose task is gone; return the open tasks' metadata.

    Call it after the completed task's own row is updated, so that row no longer reads as ready.
    """
    connection = session.connection()
    ready = {str(t.id): t for t in workflow.get_tasks(state=SpiffState.READY, manual=True)}
    rows = connection.execute(_READY_ROWS, {'iid': instance.id}).all()
    gone = [row_id for row_id, guid in rows if guid not in ready]
    if gone:
        connection.execute(_CANCEL, {'ids': gone})
        _expire_loaded(session, gone)
    known = {guid for _id, guid in rows}
    new = [_new_task_row(instance, t, loaded.elements[t.task_spec.bpmn_id], calendar, now)
           for guid, t in ready.items() if guid not in known]
    if new:
        connection.execute(insert(HumanTask), new)
    return [loaded.elements[t.task_spec.bpmn_id] for t in ready.values()]
