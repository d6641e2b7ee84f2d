"""The worker's cost per due item: marking a deadline overdue with its escalation, and one e-mail.

N cases of the test process `tests/data/processes/certificate.bpmn` are registered on a Monday; on
the Thursday after, each has one overdue task (told to its 2 role holders, the chief and the
supervisor: 4 notifications) — the answer clock is not yet due. Rows (ms):

* ``mark+escalate per item``: `escalation.run_marking` rounds (batch 200) until nothing is left,
  total time / items marked, with one worker and with two workers at once (threads).
* ``e-mail per message``: `notify.send_pending_emails` to a local SMTP sink, total / sent
  (reviewer and supervisor have an address: 2 e-mails per case).

    .venv/bin/python bench/bench_escalation.py [--n 1000]
    .venv/bin/python bench/bench_escalation.py --n 1000 --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""
from __future__ import annotations

import argparse
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, update  # noqa: E402

from tests.alerts_helpers import SmtpSink  # noqa: E402
from workflows import escalation, notify, runtime, schema, seed  # noqa: E402
from workflows.actors import Actor  # noqa: E402
from workflows.bundles import collect_bundle  # noqa: E402
from workflows.db import make_engine, make_session_factory  # noqa: E402
from workflows.definitions import deploy  # noqa: E402
from workflows.models import DeadlineMark, FundAccount, Notification, UserContact  # noqa: E402

from bench.timing import scratch_database, user_named  # noqa: E402

MONDAY = datetime(2026, 3, 2, 1, 0)
THURSDAY = MONDAY + timedelta(days=3)
DATA = ROOT / 'tests' / 'data'


def _prepare(factory, n):
    with factory() as session:
        seed.seed_reference(session)
        seed.seed_demo(session, 'x')
        deploy(session, collect_bundle(DATA / 'processes' / 'certificate.bpmn', DATA / 'processes',
                                       DATA / 'rules', DATA / 'forms'))
        session.add(FundAccount(account_no='700000000001', holder_name='赵证明', id_number='320101198501010001',
                                balance=100_000, employer='测试单位'))
        for username in ('reviewer', 'supervisor'):
            session.add(UserContact(user_id=user_named(session, username).id, email=f'{username}@example.org'))
        session.commit()
        clerk = user_named(session, 'clerk')
        for _ in range(n):
            runtime.start_instance(session, 'certificate', {'account_no': '700000000001', 'purpose': '购房'},
                                   Actor(clerk, MONDAY))
            session.commit()


def _reset(factory):
    with factory() as session:
        session.execute(delete(Notification))
        session.execute(delete(DeadlineMark))
        session.commit()


def _drain(factory, name):
    total = 0
    while (marked := escalation.run_marking(factory, name, THURSDAY)):
        total += marked
    return total


def _timed(jobs):
    results = []
    threads = [threading.Thread(target=lambda j=j: results.append(j())) for j in jobs]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start, sum(results)


def run(url, n):
    engine = make_engine(url)
    schema.upgrade(engine)
    factory = make_session_factory(engine)
    _prepare(factory, n)
    print(f'{engine.dialect.name}, {n} cases, one overdue task each (4 notifications per item)')
    for workers in (1, 2):
        _reset(factory)
        seconds, marked = _timed([lambda i=i: _drain(factory, f'w{i}') for i in range(workers)])
        print(f'mark+escalate, {workers} worker(s): {marked} items, {seconds * 1000 / marked:.2f} ms per item')
    sink = SmtpSink()
    mailer = notify.SmtpMailer(notify.SmtpSettings(host='127.0.0.1', port=sink.port),
                               render=lambda note, user: ('subject', 'body'))
    with factory() as session:   # only the e-mails of the last round are pending
        session.execute(update(Notification).where(Notification.email_state.is_not(None)).values(email_state='pending'))
        session.commit()
    start, sent = time.perf_counter(), 0
    while (batch := notify.send_pending_emails(factory, 'm1', THURSDAY, mailer)):
        sent += batch
    seconds = time.perf_counter() - start
    print(f'e-mail: {sent} messages, {seconds * 1000 / max(sent, 1):.2f} ms per message (local SMTP sink)')
    sink.close()
    engine.dispose()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--n', type=int, default=1000)
    parser.add_argument('--database-url')
    args = parser.parse_args(argv)
    with scratch_database(args.database_url) as url:
        run(url, args.n)


if __name__ == '__main__':
    main()
