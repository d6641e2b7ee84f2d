"""The 电子监察 feed: the window's work as it happens, read from the audit trail (see docs/FEED.md).

Each event is one audit entry about a case (registration, claim, release, completion, closing, timer
and clock entries …) with the case, the step and its actor, the times, and the deadline state of the
step at that moment. Events are numbered by the audit trail's ids, which only grow, so a consumer
polls with ``after`` = the last id it has seen. Form values are never part of the feed.

Deadline state of an event about a step with a due date:
- a completion: 'met' if completed on or before the due date (center's calendar days), else 'missed';
- anything else: `deadlines.due_status` on the event's day ('overdue', 'soon', 'normal').
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from .deadlines import CENTER_TZ, due_status, local_date
from .models import AuditEvent, HumanTask, ProcessDefinition, ProcessInstance, User
from .stats import Filters, in_range

MAX_LIMIT = 1000
MET, MISSED = 'met', 'missed'
COLUMNS = ('id', 'at', 'action', 'case', 'process', 'step', 'step_name', 'actor', 'actor_name', 'actor_id',
           'task_created_at', 'task_completed_at', 'due_date', 'deadline_state')


def iso_local(value: datetime | None) -> str | None:
    """A stored naive UTC timestamp as ISO 8601 in the center's time zone (+08:00)."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc).astimezone(CENTER_TZ).isoformat(timespec='seconds')


def deadline_state(calendar, action: str, at: datetime, due) -> str | None:
    """The state of a step's deadline when the event happened (see the module docstring)."""
    if due is None:
        return None
    day = local_date(at)
    if action == 'complete':
        return MET if day <= due else MISSED
    return due_status(calendar, due, day)


def events(session, calendar, after: int = 0, limit: int = 500, f: Filters | None = None) -> list[dict]:
    """Events with id > `after`, oldest first, at most `limit` (≤ MAX_LIMIT)."""
    f = f or Filters()
    limit = max(1, min(limit, MAX_LIMIT))
    query = (select(AuditEvent.id, AuditEvent.at, AuditEvent.action, AuditEvent.actor_name, User.full_name,
                    AuditEvent.actor_id,
                    ProcessInstance.business_key, ProcessDefinition.key, HumanTask.spec_id, HumanTask.name,
                    HumanTask.created_at, HumanTask.completed_at, HumanTask.due_date)
             .join(ProcessInstance, AuditEvent.instance_id == ProcessInstance.id)
             .join(ProcessDefinition, ProcessInstance.definition_id == ProcessDefinition.id)
             .outerjoin(HumanTask, AuditEvent.task_id == HumanTask.id)
             .outerjoin(User, AuditEvent.actor_id == User.id)
             .where(AuditEvent.id > after).order_by(AuditEvent.id).limit(limit))
    if f.process:
        query = query.where(ProcessDefinition.key == f.process)
    query = query.where(*in_range(AuditEvent.at, f))
    if f.user_id is not None:
        query = query.where(AuditEvent.actor_id == f.user_id)
    if f.team_id is not None:
        query = query.where(AuditEvent.actor_id.in_(select(User.id).where(User.team_id == f.team_id)))
    return [{'id': id_, 'at': iso_local(at), 'action': action, 'case': case, 'process': key, 'step': step,
             'step_name': step_name, 'actor': actor, 'actor_name': actor_name, 'actor_id': actor_id,
             'task_created_at': iso_local(created), 'task_completed_at': iso_local(completed),
             'due_date': due.isoformat() if due else None,
             'deadline_state': deadline_state(calendar, action, at, due)}
            for (id_, at, action, actor, actor_name, actor_id, case, key, step, step_name, created, completed, due)
            in session.execute(query)]
