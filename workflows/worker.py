"""The timer worker: fires the BPMN timers that are due, through the one way a case changes.

Every change keeps `process_instance.next_timer_at` (the earliest armed timer). A worker:

1. **claims** a batch of cases whose timer is due and whose lease is free or expired, by setting
   `lease_until`/`lease_owner` with a conditional UPDATE (on PostgreSQL the candidates are read
   `FOR UPDATE SKIP LOCKED`, so workers do not queue behind each other), and commits;
2. **fires** each case's due timers in an `InstanceChange` as the system (lock, restore, refresh the
   timers, run, projections, state, audit) and clears the lease in the same transaction.

Each due action happens exactly once: a timer that fired is no longer armed in the saved state, and
two changes to one case cannot both commit (the optimistic lock). If a worker dies after claiming,
its lease expires and another worker takes the case. No request handler does this work.

Each round then marks deadlines due soon and overdue and escalates (`escalation`), and sends the
pending e-mails of notifications (`notify.send_pending_emails`) when a mailer is configured.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import OperationalError

from .actors import Actor
from .change import InstanceChange
from .errors import Conflict, DomainError
from .models import InstanceStatus, ProcessInstance, utcnow
from .operations import worker_jobs
from . import audit, escalation, notify

log = logging.getLogger(__name__)

_OPEN = (InstanceStatus.running, InstanceStatus.waiting)


def _lease_free(now):
    return or_(ProcessInstance.lease_until.is_(None), ProcessInstance.lease_until < now)


def claim_due(session_factory, worker: str, now: datetime, batch: int = 20, lease_seconds: int = 60) -> list[int]:
    """Take up to `batch` cases with a due timer for `worker` until now + lease; return their ids."""
    with session_factory() as session:
        candidates = (select(ProcessInstance.id)
                      .where(ProcessInstance.next_timer_at <= now, ProcessInstance.status.in_(_OPEN),
                             _lease_free(now))
                      .order_by(ProcessInstance.next_timer_at).limit(batch)
                      .with_for_update(skip_locked=True))
        taken = []
        try:
            for instance_id in session.scalars(candidates).all():
                result = session.execute(update(ProcessInstance)
                                         .where(ProcessInstance.id == instance_id, _lease_free(now))
                                         .values(lease_until=now + timedelta(seconds=lease_seconds),
                                                 lease_owner=worker))
                if result.rowcount == 1:
                    taken.append(instance_id)
            session.commit()
        except OperationalError:     # SQLite: another writer held the database too long; try next round
            session.rollback()
            return []
    return taken


def fire(session_factory, instance_id: int, worker: str, now: datetime) -> bool:
    """Fire one claimed case's due timers; True if this worker's change was committed."""
    with session_factory() as session:
        instance = session.get(ProcessInstance, instance_id)
        if instance is None or instance.lease_owner != worker:
            return False   # the lease expired and another worker took the case
        try:
            with InstanceChange(session, instance, Actor.system(now)) as change:
                change.fire_timers()
            instance.lease_until = instance.lease_owner = None
            session.commit()
            return True
        except Conflict:
            session.rollback()        # someone changed the case meanwhile: its next timer is recomputed
            return False
        except DomainError as exc:    # the model failed: the case stops here, visibly
            session.rollback()
            _record_failure(session, instance_id, str(exc), now)
            return False


def _record_failure(session, instance_id, message, now):
    instance = session.get(ProcessInstance, instance_id)
    instance.status, instance.error = InstanceStatus.error, f'timer: {message}'[:2000]
    instance.lease_until = instance.lease_owner = instance.next_timer_at = None
    audit.record(session, Actor.system(now), 'error', instance_id=instance_id, data={'error': instance.error})
    session.commit()


def run_once(session_factory, worker: str, now: datetime | None = None, batch: int = 20,
             lease_seconds: int = 60) -> int:
    """Claim and fire one batch; return how many cases this worker changed."""
    now = now or utcnow()
    return sum(fire(session_factory, instance_id, worker, now)
               for instance_id in claim_due(session_factory, worker, now, batch, lease_seconds))


def run_round(session_factory, worker: str, now: datetime | None = None, batch: int = 20,
              mailer=None) -> dict[str, int]:
    """One round: fire due timers, mark and escalate deadlines, run the process modules' worker jobs,
    then send pending e-mails (after commit)."""
    now = now or utcnow()
    done = {'timers': run_once(session_factory, worker, now, batch),
            'marked': escalation.run_marking(session_factory, worker, now, batch * 10)}
    for name, job in worker_jobs().items():   # the process modules' own periodic work (e.g. 内审 sampling)
        with session_factory() as session:
            done[name] = job(session, now)
            session.commit()
    done['emails'] = notify.send_pending_emails(session_factory, worker, now, mailer) if mailer else 0
    return done


def run_forever(session_factory, worker: str, interval: float = 5.0, batch: int = 20, mailer=None):
    """Poll every `interval` seconds (at once again while batches come back full)."""
    log.info('worker %s started (every %ss, e-mail %s)', worker, interval, 'on' if mailer else 'off')
    while True:
        try:
            done = run_round(session_factory, worker, batch=batch, mailer=mailer)
        except Exception:   # noqa: BLE001 -- a database hiccup must not end the worker
            log.exception('worker %s: batch failed', worker)
            done = {'timers': 0}
        if done['timers'] < batch:
            time.sleep(interval)
