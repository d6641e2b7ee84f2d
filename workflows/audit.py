"""The append-only, hash-chained audit trail (痕迹管理).

Each event's hash covers its content and the previous event's hash; `audit_head` holds the last
hash and the count. Events are queued in the session and chained at commit: updating the head row
first serialises concurrent appends on both SQLite and PostgreSQL, and a rolled-back transaction
leaves no event behind. `verify` recomputes the chain and reports edited, inserted or deleted
rows (a deleted last row shows up as a count/head mismatch).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import event as sa_event
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from .models import AuditEvent, AuditHead, utcnow

GENESIS = '0' * 64
_PENDING = 'gjj_audit_pending'


def _canonical(event: AuditEvent) -> bytes:
    body = {
        'prev': event.prev_hash, 'at': event.at.isoformat(timespec='microseconds'),
        'actor_id': event.actor_id, 'actor': event.actor_name, 'instance': event.instance_id,
        'task': event.task_id, 'action': event.action, 'basis': event.basis, 'data': event.data,
        'addr': event.client_addr,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(',', ':')).encode()


def compute_hash(event: AuditEvent) -> str:
    """The hash an event must carry, given its content and prev_hash."""
    return hashlib.sha256(_canonical(event)).hexdigest()


def ensure_head(session):
    """Create the chain head row if the database has none (idempotent)."""
    if session.get(AuditHead, 1) is None:
        session.add(AuditHead(id=1, last_hash=GENESIS, count=0))
        session.flush()


def record(session, actor, action, *, instance_id=None, task_id=None, basis=None, data=None,
           client_addr=None) -> AuditEvent:
    """Queue one event; it joins the chain when the transaction commits (see `write_pending`).

    `actor` is an `actors.Actor` (None: the system, now). An action taken for an absent colleague
    records whom it was for in the data ('on_behalf_of').
    """
    data = dict(data or {})
    if actor is not None and actor.on_behalf_of is not None:
        data['on_behalf_of'] = actor.on_behalf_of.username
    event = AuditEvent(at=actor.at if actor is not None else utcnow(),
                       actor_id=actor.user_id if actor is not None else None,
                       actor_name=actor.name if actor is not None else 'system', instance_id=instance_id,
                       task_id=task_id, action=action, basis=basis, data=data,
                       client_addr=client_addr or (actor.client_addr if actor is not None else None))
    session.info.setdefault(_PENDING, []).append(event)
    return event


_BUMP_HEAD = (update(AuditHead).where(AuditHead.id == 1).values(count=AuditHead.count + bindparam('n'))
              .returning(AuditHead.last_hash))
_SET_HEAD = update(AuditHead).where(AuditHead.id == 1).values(last_hash=bindparam('last'))
_COLUMNS = ('at', 'actor_id', 'actor_name', 'instance_id', 'task_id', 'action', 'basis', 'data', 'client_addr',
            'prev_hash', 'hash')


def write_pending(session):
    """Chain and insert the queued events: one head UPDATE … RETURNING, the inserts, one head UPDATE.

    The head row is taken last in the transaction, after the instance lock, so every writer
    takes the two locks in the same order. Core statements on the session's connection: the
    events are never read back in the same transaction, so the ORM has nothing to track.
    """
    events = session.info.pop(_PENDING, None)
    if not events:
        return
    connection = session.connection()
    prev = connection.execute(_BUMP_HEAD, {'n': len(events)}).scalar_one_or_none()
    if prev is None:
        raise RuntimeError('audit chain head missing: run the database setup')
    for event in events:
        event.prev_hash = prev
        event.hash = prev = compute_hash(event)
    connection.execute(insert(AuditEvent), [{c: getattr(e, c) for c in _COLUMNS} for e in events])
    connection.execute(_SET_HEAD, {'last': prev})


def _discard_pending(session, *args):
    session.info.pop(_PENDING, None)


sa_event.listen(Session, 'before_commit', write_pending)
sa_event.listen(Session, 'after_soft_rollback', _discard_pending)


@dataclass
class VerifyResult:
    checked: int
    problems: list[str]

    @property
    def ok(self):
        return not self.problems


def verify(session, batch=1000) -> VerifyResult:
    """Recompute the whole chain; list every row whose hash or link does not hold."""
    problems, prev, checked = [], GENESIS, 0
    query = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=batch)
    for event in session.scalars(query):
        checked += 1
        if event.prev_hash != prev:
            problems.append(f'event {event.id}: link broken (a row before it was deleted or altered)')
        if compute_hash(event) != event.hash:
            problems.append(f'event {event.id}: content does not match its hash (edited)')
        prev = event.hash
    head = session.get(AuditHead, 1, populate_existing=True)
    if head is None or head.last_hash != prev or head.count != checked:
        problems.append(f'chain head does not match the last event ({checked} events found, '
                        f'{head.count if head else "no"} recorded): events at the end were deleted')
    return VerifyResult(checked, problems)
