"""Marking deadlines due soon and overdue, and escalating, exactly once (run by the worker).

A task or a running clock whose due date is within `deadlines.due_soon_until` gets a
`DeadlineMark` for the level it has reached ('soon' or 'overdue', from `deadlines.due_status`, the
only definition); each new mark notifies, in the same transaction:

- a task due soon: its holders (the claimer and their backup while absent; unclaimed: the users of
  its role);
- a task overdue: its holders, and (escalated) the supervisors and the section chiefs of the
  holders' teams;
- a clock overdue: the supervisors.

Exactly once: a mark is unique per (kind, item, level, due date), and the mark and its
notifications commit together. On PostgreSQL the candidate rows are read `FOR UPDATE SKIP LOCKED`,
so a second worker passes over items the first is marking; a worker that dies mid-batch commits
nothing, and the next round marks those items. A clock whose due date moves (extension) is marked
again for the new date.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, exists, literal, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import selectinload

from . import notify
from .definitions import loaded_definition
from .deadlines import OVERDUE, due_soon_until, due_status, load_calendar, local_date
from .models import (CaseClock, ClockState, DeadlineMark, HumanTask, InstanceStatus, ProcessInstance,
                     TaskState)

_OPEN = (InstanceStatus.running, InstanceStatus.waiting)


def _unmarked(kind, ref, due, today):
    level = case((due < today, literal(OVERDUE)), else_=literal('soon'))
    return ~exists().where(DeadlineMark.kind == kind, DeadlineMark.ref_id == ref,
                           DeadlineMark.due_date == due, DeadlineMark.level == level)


def _due_tasks(session, today, until, batch):
    ids = (select(HumanTask.id)
           .where(HumanTask.state == TaskState.ready, HumanTask.due_date <= until,
                  _unmarked('task', HumanTask.id, HumanTask.due_date, today))
           .order_by(HumanTask.due_date, HumanTask.id).limit(batch).with_for_update(skip_locked=True))
    locked = session.scalars(ids).all()
    if not locked:
        return []
    return list(session.scalars(select(HumanTask).where(HumanTask.id.in_(locked))
                                .options(selectinload(HumanTask.claimer))
                                .order_by(HumanTask.due_date, HumanTask.id)).unique())


def _due_clocks(session, today, until, batch):
    ids = (select(CaseClock.id).join(ProcessInstance, ProcessInstance.id == CaseClock.instance_id)
           .where(CaseClock.state == ClockState.running, CaseClock.due_date <= until,
                  ProcessInstance.status.in_(_OPEN),
                  _unmarked('clock', CaseClock.id, CaseClock.due_date, today))
           .order_by(CaseClock.due_date, CaseClock.id).limit(batch)
           .with_for_update(skip_locked=True, of=CaseClock))
    return [session.get(CaseClock, i) for i in session.scalars(ids).all()]


def _add_mark(session, kind, ref_id, level, due, instance_id, worker, now) -> bool:
    """Insert the mark in a savepoint; False if another worker marked it first."""
    try:
        with session.begin_nested():
            session.add(DeadlineMark(kind=kind, ref_id=ref_id, level=level, due_date=due,
                                     instance_id=instance_id, marked_at=now, marked_by=worker))
    except IntegrityError:
        return False
    return True


def _notify_task(session, recipients, task, level, now) -> int:
    holders = recipients.task_holders(task)
    params = dict(case=task.instance.business_key, step=task.name, due=task.due_date.isoformat(),
                  recipients=recipients)
    if level != OVERDUE:
        return notify.send_each(session, holders, notify.TASK_DUE_SOON, at=now, task=task, **params)
    sent = notify.send_each(session, holders, notify.TASK_OVERDUE, at=now, task=task, **params)
    held_by = '、'.join(u.full_name for u in holders[:3]) + ('…' if len(holders) > 3 else '')
    told = {u.id for u in holders}
    others = [u for u in recipients.escalation_targets(holders) if u.id not in told]
    return sent + notify.send_each(session, others, notify.TASK_OVERDUE_ESCALATED, at=now, task=task,
                                   holder=held_by, **params)


def _notify_clock(session, recipients, clock, level, now) -> int:
    if level != OVERDUE:
        return 0
    instance = session.get(ProcessInstance, clock.instance_id)
    decl = loaded_definition(instance.definition).clocks.get(clock.name)
    return notify.send_each(session, recipients.escalation_targets([]), notify.CLOCK_OVERDUE, at=now,
                            recipients=recipients,
                            instance_id=clock.instance_id, case=instance.business_key,
                            clock=(decl.label if decl is not None else '') or clock.name,
                            due=clock.due_date.isoformat())


def mark_due(session, worker: str, now: datetime, batch: int = 200) -> int:
    """Mark (and notify for) up to `batch` tasks and clocks that reached a new level; the caller commits."""
    calendar = load_calendar(session)
    today = local_date(now)
    until = due_soon_until(calendar, today)
    recipients = notify.Recipients(session, today)     # who is told: looked up once for the round
    marked = 0
    for task in _due_tasks(session, today, until, batch):
        level = due_status(calendar, task.due_date, today)
        if _add_mark(session, 'task', task.id, level, task.due_date, task.instance_id, worker, now):
            _notify_task(session, recipients, task, level, now)
            marked += 1
    for clock in _due_clocks(session, today, until, batch):
        level = due_status(calendar, clock.due_date, today)
        if _add_mark(session, 'clock', clock.id, level, clock.due_date, clock.instance_id, worker, now):
            _notify_clock(session, recipients, clock, level, now)
            marked += 1
    return marked


def run_marking(session_factory, worker: str, now: datetime, batch: int = 200) -> int:
    """One committed round of `mark_due`; how many items were marked (0 if the database was busy)."""
    with session_factory() as session:
        try:
            marked = mark_due(session, worker, now, batch)
            session.commit()
        except OperationalError:    # SQLite: another writer held the database too long; next round
            session.rollback()
            return 0
    return marked
