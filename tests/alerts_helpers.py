"""Helpers for the escalation, notification and substitution tests: a certificate case at a known
time, the notifications sent, and a local SMTP sink."""
from __future__ import annotations

import socketserver
import threading
from datetime import datetime

from sqlalchemy import select

from tests.factories import actor, deploy_test_process, make_account
from workflows import runtime
from workflows.models import HumanTask, Notification, User

# Monday 2 March 2026, 09:00 in Shanghai (no holiday near): 'check_records' (2wd) is due on
# Wednesday 4 March, the 'answer' clock (5wd) on Monday 9 March.
MONDAY = datetime(2026, 3, 2, 1, 0)


def demo(session, username) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def certificate_case(session, clerk='clerk', at=MONDAY):
    """A committed certificate case registered by demo `clerk` at `at`; returns its id."""
    deploy_test_process(session, 'certificate')
    account = make_account(session, holder='赵证明')
    instance = runtime.start_instance(session, 'certificate', {'account_no': account.account_no, 'purpose': '购房'},
                                      actor(demo(session, clerk), at))
    session.commit()
    return instance.id


def task_of(session, instance_id, spec_id) -> HumanTask:
    return session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                   HumanTask.spec_id == spec_id)).one()


def sent(session, **where) -> list[tuple[str, str]]:
    """(username, kind) of every notification matching `where`, sorted."""
    query = select(User.username, Notification.kind).join(User, User.id == Notification.user_id)
    for name, value in where.items():
        query = query.where(getattr(Notification, name) == value)
    return sorted(session.execute(query).all())


class SmtpSink:
    """A minimal local SMTP server (tests only) that keeps every message it receives."""

    def __init__(self):
        self.messages: list[dict] = []
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                self.wfile.write(b'220 sink ready\r\n')
                mail = {'to': [], 'data': b''}
                while line := self.rfile.readline():
                    verb = line[:4].upper()
                    if verb in (b'HELO', b'EHLO'):
                        self.wfile.write(b'250 sink\r\n')
                    elif verb == b'MAIL':
                        mail['from'] = line.decode().strip()
                        self.wfile.write(b'250 ok\r\n')
                    elif verb == b'RCPT':
                        mail['to'].append(line.decode().split(':', 1)[1].strip(' <>\r\n'))
                        self.wfile.write(b'250 ok\r\n')
                    elif verb == b'DATA':
                        self.wfile.write(b'354 go on\r\n')
                        while (chunk := self.rfile.readline()) not in (b'.\r\n', b''):
                            mail['data'] += chunk
                        sink.messages.append(mail)
                        mail = {'to': [], 'data': b''}
                        self.wfile.write(b'250 queued\r\n')
                    elif verb == b'QUIT':
                        self.wfile.write(b'221 bye\r\n')
                        return
                    else:
                        self.wfile.write(b'250 ok\r\n')

        self.server = socketserver.ThreadingTCPServer(('127.0.0.1', 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
