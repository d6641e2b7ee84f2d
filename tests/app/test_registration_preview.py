"""The registration page's live check (a dry run that keeps nothing) and the duplicate refused at registration."""
import re

import pytest
from sqlalchemy import text

from app import create_app
from workflows.seed import DEMO_PASSWORD

URL = '/cases/new/withdrawal/preview'
APPLICATION = {'account_no': '100000000001', 'withdrawal_type': 'purchase', 'amount': '5000',
               'materials_provided': ['id_card', 'purchase_contract']}


def _verdict(html):
    return re.search(r'data-verdict="([a-z-]+)"', html).group(1)


def _sequence(db_engine):
    """The case id sequence's position on PostgreSQL (case numbers come from it); None on SQLite."""
    if db_engine.dialect.name != 'postgresql':
        return None
    with db_engine.connect() as conn:
        return tuple(conn.execute(text('SELECT last_value, is_called FROM process_instance_id_seq')).one())


def test_the_account_facts_and_the_route_are_shown(login):
    r = login('clerk').post(URL, data=APPLICATION)
    assert r.status_code == 200 and _verdict(r.text) == 'accepted'
    assert r.headers['Cache-Control'] == 'no-store'                 # personal data
    assert '张伟' in r.text and '86,000.00' in r.text          # holder and balance of record
    assert '可提取余额' in r.text and '在办提取占用' in r.text   # available, reserved by open cases
    assert '受理审查' in r.text and '受理员' in r.text           # where it would wait, and for whom


def test_a_rules_refusal_is_warned_with_the_rules_words(login):
    r = login('clerk').post(URL, data={**APPLICATION, 'amount': '90000'})
    assert r.status_code == 200 and _verdict(r.text) == 'rules-refuse'
    assert '规则校验 · 理由' in r.text and '申请提取金额超过住房公积金账户余额' in r.text
    assert '否定报备' in r.text and '第二十四条' in r.text      # where it would go, and the rule's basis
    banned = login('clerk').post(URL, data={**APPLICATION, 'account_no': '100000000004'})
    assert _verdict(banned.text) == 'rules-refuse' and '禁入期' in banned.text


def test_an_incomplete_form_shows_what_it_can_quietly(login):
    clerk = login('clerk')
    r = clerk.post(URL, data={'account_no': '100000000001'})
    assert r.status_code == 200 and _verdict(r.text) == 'incomplete'
    assert '张伟' in r.text and '86,000.00' in r.text          # the account as soon as its number is valid
    assert 'data-incomplete="withdrawal_type"' in r.text and 'data-incomplete="amount"' in r.text
    for partial in ({}, {'account_no': '1000'}, {'account_no': '999999999999', 'amount': 'abc'},
                    {**APPLICATION, 'amount': '５０００'}, {**APPLICATION, 'amount': '1e400'},
                    {**APPLICATION, 'withdrawal_type': 'nonsense'}, {**APPLICATION, 'heirs': '乱写'}):
        r = clerk.post(URL, data=partial)
        assert r.status_code == 200, (partial, r.text)
        assert _verdict(r.text) in ('incomplete', 'refused'), partial


def test_unknown_fields_are_422(login):
    r = login('clerk').post(URL, data={**APPLICATION, 'is_admin': '1'})
    assert r.status_code == 422 and _verdict(r.text) == 'malformed'


@pytest.mark.parametrize('username', ['reviewer', 'cashier', 'supervisor', 'admin'])
def test_only_who_may_register_may_preview(login, username, snapshot):
    client = login(username)
    before = snapshot()
    assert client.post(URL, data=APPLICATION).status_code == 403
    assert snapshot() == before


def test_the_preview_needs_the_csrf_token(db_engine, tmp_path):
    app = create_app({'TESTING': True, 'SECRET_KEY': 'x',
                      'DATABASE_URL': db_engine.url.render_as_string(hide_password=False)})
    client = app.test_client()
    page = client.get('/auth/login').text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post('/auth/login', data={'username': 'clerk', 'password': DEMO_PASSWORD,
                                            'csrf_token': token}).status_code == 302
    assert client.post(URL, data=APPLICATION).status_code == 400
    form_token = re.search(r'name="csrf_token" value="([^"]+)"', client.get('/cases/new/withdrawal').text).group(1)
    assert client.post(URL, data={**APPLICATION, 'csrf_token': form_token}).status_code == 200
    app.extensions['gjj_engine'].dispose()


def test_a_preview_writes_nothing_and_uses_no_case_number(login, snapshot, db_engine):
    clerk = login('clerk')
    clerk.post('/cases/new/withdrawal', data={**APPLICATION, 'withdrawal_type': 'rent', 'amount': '1000'})
    before, sequence = snapshot(), _sequence(db_engine)
    for data in (APPLICATION, {**APPLICATION, 'amount': '90000'}, {**APPLICATION, 'withdrawal_type': 'rent'},
                 {'account_no': '100000000001'}, {**APPLICATION, 'account_no': '100000000005'}):
        assert clerk.post(URL, data=data).status_code == 200
    assert snapshot() == before and _sequence(db_engine) == sequence
    r = clerk.post('/cases/new/withdrawal', data=APPLICATION)       # the next case gets the next number
    assert r.status_code == 302 and r.headers['Location'].endswith('/cases/2')


def test_a_duplicate_open_application_is_refused_at_registration(login, snapshot):
    clerk = login('clerk')
    first = clerk.post('/cases/new/withdrawal', data=APPLICATION)
    assert first.status_code == 302
    warned = clerk.post(URL, data=APPLICATION)
    assert _verdict(warned.text) == 'refused' and 'data-warning-for="withdrawal_type"' in warned.text
    before = snapshot()
    r = clerk.post('/cases/new/withdrawal', data=APPLICATION)
    assert r.status_code == 422
    message = re.search(r'data-error-for="withdrawal_type">([^<]+)<', r.text).group(1)
    assert '已有同一提取事项的在办申请' in message and re.search(r'TQ\d{14}', message)
    assert snapshot() == before
    assert clerk.post('/cases/new/withdrawal', data={**APPLICATION, 'withdrawal_type': 'repay_loan'}).status_code == 302
