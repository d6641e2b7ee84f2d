"""Administrators' operations on a case: suspend, resume, terminate, retry a failed step.

Each takes a required reason, goes through the one way a case changes (`InstanceChange`, with its
lock) and is audited. An administrator never acts on business: these operations do not complete,
claim or decide a task.

- **suspend** (running or waiting → suspended): every other change is refused while suspended
  (`change.refuse_if_halted`), so nobody can claim or complete its tasks and the worker skips its
  timers (it only takes running or waiting cases). Legal clocks keep running: a suspension is an
  internal matter, not a legal pause.
- **resume** (suspended → running, or waiting while an open task holds a clock paused): timers that fell due meanwhile fire on the worker's
  next round.
- **terminate** (running, waiting, suspended or error → terminated): open tasks are cancelled, the
  clocks stop, no timer remains; the case is closed without an end event, on record as terminated.
- **retry** (error → running/waiting): runs the engine again from where the failed step left it
  (due timers are refreshed first); if it fails again, nothing changes and the error is shown.
"""
from __future__ import annotations

from sqlalchemy import select, update

from . import audit
from .change import InstanceChange
from .clocks import ClockBook
from .deadlines import LazyCalendar, local_date
from .errors import N_, Conflict, DomainError, FormInvalid
from .models import HumanTask, InstanceStatus, ProcessInstance, TaskState

MAX_REASON = 500

OPEN = (InstanceStatus.running, InstanceStatus.waiting)
# operation → the statuses it applies to
ALLOWED_FROM = {
    'suspend': OPEN,
    'resume': (InstanceStatus.suspended,),
    'terminate': (*OPEN, InstanceStatus.suspended, InstanceStatus.error),
    'retry': (InstanceStatus.error,),
}
REFUSED = {
    'suspend': N_('Only a running or waiting case can be suspended; this one is %(status)s.'),
    'resume': N_('Only a suspended case can be resumed; this one is %(status)s.'),
    'terminate': N_('A completed or terminated case cannot be terminated; this one is %(status)s.'),
    'retry': N_('Only a case stopped by an error can be retried; this one is %(status)s.'),
}


def operations_for(instance: ProcessInstance) -> list[str]:
    """The operations that apply to the case in its current status (for the page's buttons)."""
    return [op for op, statuses in ALLOWED_FROM.items() if instance.status in statuses]


def _check(instance, operation, reason) -> str:
    reason = (reason or '').strip()
    if not reason:
        raise FormInvalid(N_('Please correct the marked fields.'),
                          {'reason': [(N_('Give the reason for this operation.'), {})]})
    if len(reason) > MAX_REASON:
        raise FormInvalid(N_('Please correct the marked fields.'),
                          {'reason': [(N_('At most %(n)s characters.'), {'n': MAX_REASON})]})
    if instance.status not in ALLOWED_FROM[operation]:
        raise Conflict(REFUSED[operation], status=instance.status.value)
    return reason


def suspend(session, instance, actor, reason):
    reason = _check(instance, 'suspend', reason)
    with InstanceChange(session, instance, actor, halted_ok=True):
        before = instance.status
        instance.status = InstanceStatus.suspended
        audit.record(session, actor, 'case_suspend', instance_id=instance.id, basis=reason,
                     data={'from': before.value})


def _status_before_suspension(session, instance, loaded) -> InstanceStatus:
    """Waiting if an open task is one that pauses a clock (as `InstanceChange` decides, whether or not
    that clock has started yet, e.g. a 补正 wait before acceptance), else running."""
    open_steps = session.scalars(select(HumanTask.spec_id).where(HumanTask.instance_id == instance.id,
                                                                 HumanTask.state == TaskState.ready)).all()
    pausing = any(loaded.elements[s].clocks.pauses for s in open_steps if s in loaded.elements)
    return InstanceStatus.waiting if pausing else InstanceStatus.running


def resume(session, instance, actor, reason):
    reason = _check(instance, 'resume', reason)
    with InstanceChange(session, instance, actor, halted_ok=True) as change:
        instance.status = _status_before_suspension(session, instance, change.loaded)
        audit.record(session, actor, 'case_resume', instance_id=instance.id, basis=reason,
                     data={'to': instance.status.value})


def terminate(session, instance, actor, reason):
    reason = _check(instance, 'terminate', reason)
    with InstanceChange(session, instance, actor, halted_ok=True) as change:
        before = instance.status
        cancelled = session.scalars(select(HumanTask.id).where(HumanTask.instance_id == instance.id,
                                                               HumanTask.state == TaskState.ready)).all()
        session.execute(update(HumanTask).where(HumanTask.id.in_(cancelled)).values(state=TaskState.cancelled),
                        execution_options={'synchronize_session': 'fetch'})
        book = ClockBook(session, instance, change.loaded.clocks, LazyCalendar(session), local_date(actor.at),
                         actor)
        book.stop_all()
        instance.status, instance.outcome, instance.closed_at = InstanceStatus.terminated, 'terminated', actor.at
        instance.next_timer_at = instance.lease_until = instance.lease_owner = None
        instance.due_date, instance.due_provisional = None, False
        audit.record(session, actor, 'case_terminate', instance_id=instance.id, basis=reason,
                     data={'from': before.value, 'cancelled_tasks': list(cancelled)})


def retry(session, instance, actor, reason):
    """Run the failed case again; a DomainError (it failed again) leaves it for the caller to roll back."""
    reason = _check(instance, 'retry', reason)
    error = instance.error
    with InstanceChange(session, instance, actor, halted_ok=True) as change:
        instance.status, instance.error = InstanceStatus.running, None
        instance.lease_until = instance.lease_owner = None
        change.fire_timers()
        audit.record(session, actor, 'case_retry', instance_id=instance.id, basis=reason,
                     data={'error': error})


OPERATIONS = {'suspend': suspend, 'resume': resume, 'terminate': terminate, 'retry': retry}


def apply(session, instance, actor, operation, reason):
    """Run one named operation (the web layer's single entry)."""
    if operation not in OPERATIONS:
        raise DomainError(N_('Unknown operation.'))
    OPERATIONS[operation](session, instance, actor, reason)
