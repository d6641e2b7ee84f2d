"""Notifications over HTTP: the list, the unread badge, mark read / all read, the e-mail setting."""
import re

import pytest
from sqlalchemy import select

from tests.alerts_helpers import demo
from workflows import notify
from workflows.models import Notification, UserContact, utcnow


@pytest.fixture
def db(app):
    with app.extensions['gjj_sessions']() as session:
        yield session


def _notify(db, username, n=1):
    user = demo(db, username)
    rows = [notify.send(db, user, notify.TASK_OVERDUE, at=utcnow(), case=f'GJJ{i}', step='复核', due='2026-11-20')
            for i in range(n)]
    db.commit()
    return [r.id for r in rows]


def _badge(html):
    match = re.search(r'href="/me/notifications"[^>]*>.*?(?:badge[^>]*>(\d+)</span>)?</a>', html, re.S)
    return int(match.group(1) or 0)


def test_the_list_shows_my_notifications_in_chinese_with_an_unread_badge(login, db):
    _notify(db, 'reviewer', 3)
    _notify(db, 'clerk', 1)
    page = login('reviewer').get('/me/notifications').text
    assert page.count('data-notification-id=') == 3 and '已逾期' in page and 'GJJ2' in page
    assert _badge(login('reviewer').get('/tasks/').text) == 3
    assert _badge(login('clerk').get('/tasks/').text) == 1
    assert _badge(login('cashier').get('/tasks/').text) == 0


def test_mark_read_and_mark_all_read(login, db):
    first, *_ = _notify(db, 'reviewer', 3)
    client = login('reviewer')
    assert client.post(f'/me/notifications/{first}/read').status_code == 302
    db.expire_all()
    assert db.get(Notification, first).read_at is not None
    assert _badge(client.get('/tasks/').text) == 2
    assert client.post('/me/notifications/read-all').status_code == 302
    assert _badge(client.get('/me/notifications').text) == 0
    assert client.post(f'/me/notifications/{first}/read').status_code == 404     # already read


def test_another_users_notification_cannot_be_marked(login, db, snapshot):
    theirs, = _notify(db, 'clerk')
    client = login('reviewer')
    before = snapshot()
    assert client.post(f'/me/notifications/{theirs}/read').status_code == 404
    assert client.post('/me/notifications/99999999/read').status_code == 404
    assert snapshot() == before


def test_anonymous_users_are_sent_to_the_login(client):
    assert client.get('/me/notifications').status_code == 302
    assert client.post('/me/notifications/read-all').status_code == 302


def test_the_email_setting_is_saved_validated_and_cleared(login, db, snapshot):
    client = login('reviewer')
    before = snapshot()
    for bad in ('not-an-address', 'a@b', 'x' * 250 + '@example.org'):
        response = client.post('/me/email', data={'email': bad})
        assert response.status_code == 422 and '电子邮件地址' in response.text
    assert snapshot() == before
    assert client.post('/me/email', data={'email': 'li@example.org'}).status_code == 302
    reviewer = demo(db, 'reviewer')
    assert db.get(UserContact, reviewer.id).email == 'li@example.org'
    assert client.post('/me/email', data={'email': ''}).status_code == 302
    db.expire_all()
    assert db.scalars(select(UserContact)).all() == []


def test_a_notification_for_a_user_with_an_address_waits_for_the_worker(login, db):
    login('reviewer').post('/me/email', data={'email': 'li@example.org'})
    _notify(db, 'reviewer')
    assert db.scalars(select(Notification.email_state)).all() == ['pending']


def test_the_worker_command_marks_escalates_and_emails_in_the_readers_language(app, db):
    from email import message_from_bytes, policy
    from datetime import timedelta
    from tests.alerts_helpers import SmtpSink, certificate_case
    sink = SmtpSink()
    try:
        app.config.update(MAIL_ENABLED=True, MAIL_SERVER='127.0.0.1', MAIL_PORT=sink.port, MAIL_SENDER='gjj@example.org')
        db.add(UserContact(user_id=demo(db, 'supervisor').id, email='wei@example.org'))
        certificate_case(db, at=utcnow() - timedelta(days=20))           # its review is long overdue
        result = app.test_cli_runner().invoke(args=['worker', '--once'])
        # the review task and the answer clock are overdue: the supervisor is told of both
        assert result.exit_code == 0 and '2 deadlines marked, 2 e-mails sent' in result.output, result.output
        mails = sorted((message_from_bytes(m['data'], policy=policy.default) for m in sink.messages),
                       key=lambda m: '期限' not in m['Subject'])
        assert {m['to'][0] for m in sink.messages} == {'wei@example.org'} and mails[0]['From'] == 'gjj@example.org'
        assert all(m['Subject'].startswith('【住房公积金审批】案件') for m in mails)
        assert '的期限“答复期限”已届满' in mails[0]['Subject'] and '“核对缴存记录”环节' in mails[1]['Subject']
        assert '卫监察 您好' in mails[1].get_content() and '已逾期' in mails[1].get_content()
        again = app.test_cli_runner().invoke(args=['worker', '--once'])
        assert '0 deadlines marked, 0 e-mails sent' in again.output and len(sink.messages) == 2
    finally:
        sink.close()
