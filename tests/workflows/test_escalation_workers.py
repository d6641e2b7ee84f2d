"""Exactly once with several workers: marking and escalation, and e-mail, also after a worker is killed."""
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.alerts_helpers import MONDAY, SmtpSink, certificate_case, demo
from tests.factories import actor
from workflows import escalation, notify, substitution
from workflows.models import DeadlineMark, Notification, UserContact

THURSDAY = MONDAY + timedelta(days=3)
CASES = 6
ROOT = Path(__file__).resolve().parents[2]


def _cases(session_factory, n=CASES):
    with session_factory() as session:
        for _ in range(n):
            certificate_case(session)


def _counts(session_factory):
    """(marks, notifications, the largest number of copies of one (user, task, kind) notification)."""
    with session_factory() as session:
        marks = session.scalar(select(func.count()).select_from(DeadlineMark))
        rows = session.execute(select(Notification.user_id, Notification.task_id, Notification.kind)).all()
        return marks, len(rows), max(Counter(rows).values(), default=0)


def _together(*jobs):
    barrier, results, errors = threading.Barrier(len(jobs)), [], []

    def run(job):
        barrier.wait()
        try:
            results.append(job())
        except Exception as exc:   # noqa: BLE001 -- reported by the assertion of the caller
            errors.append(repr(exc))
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    return results


def test_two_workers_at_once_mark_and_escalate_each_task_exactly_once(session_factory):
    _cases(session_factory)
    results = _together(lambda: escalation.run_marking(session_factory, 'w1', THURSDAY, batch=4),
                        lambda: escalation.run_marking(session_factory, 'w2', THURSDAY, batch=4))
    while (more := escalation.run_marking(session_factory, 'w3', THURSDAY, batch=4)):
        results.append(more)
    # each overdue task: reviewer + reviewer2 (holders), approver + supervisor (escalated)
    assert sum(results) == CASES and _counts(session_factory) == (CASES, CASES * 4, 1)


def _kill_mid_batch(url):
    """Start a worker process that marks every due item but has not committed, then kill it."""
    code = ('import sys, time\n'
            'from datetime import datetime\n'
            'from workflows.db import make_engine, make_session_factory\n'
            'from workflows import escalation\n'
            'session = make_session_factory(make_engine(sys.argv[1]))()\n'
            f'n = escalation.mark_due(session, "doomed", datetime.fromisoformat("{THURSDAY.isoformat()}"))\n'
            'session.flush()\n'
            'print(n, flush=True)\n'
            'time.sleep(60)\n')
    process = subprocess.Popen([sys.executable, '-c', code, url], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    return process, int(process.stdout.readline())


def test_a_worker_killed_mid_batch_leaves_its_items_to_the_next_worker_once(session_factory, db_engine):
    if db_engine.dialect.name != 'postgresql':
        pytest.skip('several workers at once need PostgreSQL (SQLite serialises writers)')
    _cases(session_factory)
    process, held = _kill_mid_batch(db_engine.url.render_as_string(hide_password=False))
    try:
        assert held == CASES
        assert escalation.run_marking(session_factory, 'w2', THURSDAY) == 0   # SKIP LOCKED: not queued behind it
        assert _counts(session_factory) == (0, 0, 0)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    marked, deadline = 0, time.monotonic() + 20
    while marked < CASES and time.monotonic() < deadline:   # the server ends the dead session's transaction
        marked += escalation.run_marking(session_factory, 'w2', THURSDAY)
        time.sleep(0.05)
    assert marked == CASES
    assert escalation.run_marking(session_factory, 'w3', THURSDAY) == 0
    assert _counts(session_factory) == (CASES, CASES * 4, 1)


# -- e-mail ------------------------------------------------------------------------------------------

@pytest.fixture
def sink():
    server = SmtpSink()
    yield server
    server.close()


def _mailer(sink):
    return notify.SmtpMailer(notify.SmtpSettings(host='127.0.0.1', port=sink.port, sender='gjj@example.org'),
                             render=lambda n, u: (f'[{n.kind}]', f'{u.full_name}: {n.params}'))


def _with_addresses(session_factory):
    with session_factory() as session:
        for username in ('reviewer', 'supervisor'):
            session.add(UserContact(user_id=demo(session, username).id, email=f'{username}@example.org'))
        session.commit()


def test_emails_go_after_commit_once_each_to_those_with_an_address(session_factory, sink):
    _with_addresses(session_factory)
    _cases(session_factory, 2)
    escalation.run_marking(session_factory, 'w1', THURSDAY)
    assert sink.messages == []                              # marking sends nothing itself
    mailer = _mailer(sink)
    sent = _together(lambda: notify.send_pending_emails(session_factory, 'w1', THURSDAY, mailer, batch=2),
                     lambda: notify.send_pending_emails(session_factory, 'w2', THURSDAY, mailer, batch=2))
    while (more := notify.send_pending_emails(session_factory, 'w3', THURSDAY, mailer)):
        sent.append(more)
    assert sum(sent) == 4 and len(sink.messages) == 4
    assert sorted(m['to'][0] for m in sink.messages) == ['reviewer@example.org'] * 2 + ['supervisor@example.org'] * 2
    assert b'Subject: [task_overdue]' in next(m['data'] for m in sink.messages if m['to'] == ['reviewer@example.org'])
    with session_factory() as session:
        states = Counter(session.scalars(select(Notification.email_state)).all())
        assert states == {'sent': 4, None: 4}               # reviewer2 and approver left no address


def test_an_email_claimed_by_a_dead_worker_is_sent_by_another_after_the_lease(session_factory, sink):
    _with_addresses(session_factory)
    _cases(session_factory, 1)
    escalation.run_marking(session_factory, 'w1', THURSDAY)
    assert len(notify.claim_emails(session_factory, 'dead', THURSDAY, lease_seconds=120)) == 2
    mailer = _mailer(sink)
    assert notify.send_pending_emails(session_factory, 'w2', THURSDAY, mailer) == 0        # still leased
    later = THURSDAY + timedelta(seconds=121)
    assert notify.send_pending_emails(session_factory, 'w2', later, mailer) == 2
    assert notify.send_pending_emails(session_factory, 'w3', later, mailer) == 0
    assert len(sink.messages) == 2


def test_an_unreachable_smtp_server_marks_the_email_failed_and_keeps_the_notification(session_factory):
    _with_addresses(session_factory)
    with session_factory() as session:
        reviewer = demo(session, 'reviewer')
        substitution.name_backup(session, demo(session, 'reviewer2'), reviewer.id, MONDAY.date(), MONDAY.date(), '',
                                 actor(demo(session, 'reviewer2'), MONDAY))
        session.commit()
    dead = notify.SmtpMailer(notify.SmtpSettings(host='127.0.0.1', port=1, timeout=2), render=lambda n, u: ('s', 'b'))
    assert notify.send_pending_emails(session_factory, 'w1', MONDAY, dead) == 0
    with session_factory() as session:
        note = session.scalars(select(Notification)).one()
        assert (note.kind, note.email_state, note.read_at) == (notify.BACKUP_NAMED, 'failed', None)
