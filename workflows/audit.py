"""The append-only, hash-chained audit trail (痕迹管理).

Each event's hash covers its content and the previous event's hash; `audit_head` holds the last
hash and the count, and appending first updates that row, which serialises concurrent appends on
both SQLite and PostgreSQL. `verify` recomputes the chain and reports edited, inserted or deleted
rows (a deleted last row shows up as a count/head mismatch).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select, update

from .models import AuditEvent, AuditHead, utcnow

GENESIS = '0' * 64


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
    """Append one event to the chain; `actor` is a User or None for the system."""
    bumped = session.execute(update(AuditHead).where(AuditHead.id == 1)
                             .values(count=AuditHead.count + 1)
                             .execution_options(synchronize_session=False))
    if bumped.rowcount != 1:
        raise RuntimeError('audit chain head missing: run the database setup')
    head = session.execute(select(AuditHead.last_hash).where(AuditHead.id == 1)).scalar_one()
    event = AuditEvent(at=utcnow(), actor_id=actor.id if actor else None,
                       actor_name=actor.username if actor else 'system', instance_id=instance_id,
                       task_id=task_id, action=action, basis=basis, data=data or {},
                       client_addr=client_addr, prev_hash=head)
    event.hash = compute_hash(event)
    session.add(event)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=event.hash)
                    .execution_options(synchronize_session=False))
    return event


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
    head = session.get(AuditHead, 1)
    if head is None or head.last_hash != prev or head.count != checked:
        problems.append(f'chain head does not match the last event ({checked} events found, '
                        f'{head.count if head else "no"} recorded): events at the end were deleted')
    return VerifyResult(checked, problems)
