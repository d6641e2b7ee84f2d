"""The web layer, hardened (issue 6): each item over HTTP, with the database untouched where refused."""
import re

import pytest
from sqlalchemy import select, text

from app.auth import views as auth_views
from app.passwords import hash_password
from workflows import audit, schema
from workflows.db import make_engine
from workflows.models import User
from workflows.seed import DEMO_PASSWORD

from .test_withdrawal_http import APPLICATION, ready_task, register


def _copy_session(app, source):
    """A new client carrying a copy of `source`'s session cookie (as an eavesdropper would)."""
    thief = app.test_client()
    thief.set_cookie('session', source.get_cookie('session').value)
    return thief


# 1. Logout ends the session on the server

def test_a_cookie_saved_before_logout_no_longer_works(app, login):
    clerk = login('clerk')
    thief = _copy_session(app, clerk)
    assert thief.get('/tasks/').status_code == 200           # the copy works while the session lives
    assert clerk.post('/auth/logout').status_code == 302
    r = thief.get('/tasks/')
    assert r.status_code == 302 and r.headers['Location'].startswith('/auth/login')
    assert login('clerk').get('/tasks/').status_code == 200   # logging in again works


def test_logout_ends_the_users_other_sessions_too(login):
    desk, laptop, colleague = login('clerk'), login('clerk'), login('reviewer')
    desk.post('/auth/logout')
    assert laptop.get('/tasks/').status_code == 302
    assert colleague.get('/tasks/').status_code == 200       # other users are not affected


def test_an_identity_without_the_current_nonce_is_refused(login, session_factory):
    with session_factory() as s:
        clerk = s.scalars(select(User).where(User.username == 'clerk')).one()
        user_id, nonce = clerk.id, clerk.session_nonce
    for identity in (str(user_id), f'{user_id}:', f'{user_id}:other', f'{user_id}:{nonce}x', f'x:{nonce}',
                     f'99999999999999:{nonce}', f'{user_id}:{nonce}'):
        c = login('clerk')
        with c.session_transaction() as sess:
            assert sess['_user_id'] == f'{user_id}:{nonce}'
            sess['_user_id'] = identity
        assert c.get('/tasks/').status_code == (200 if identity == f'{user_id}:{nonce}' else 302), identity


def test_migration_gives_existing_users_a_nonce(tmp_path):
    engine = make_engine(f'sqlite:///{tmp_path / "m.db"}')
    schema.upgrade(engine, '0003')
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO app_user (username, full_name, password_hash, active, created_at) "
                          "VALUES ('old', 'Old', 'x', 1, '2026-01-01 00:00:00')"))
    schema.upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT session_nonce FROM app_user WHERE username = 'old'")).scalar()
    engine.dispose()


# 2. No 500 for a CRLF in any parameter; the login redirect stays on this site

@pytest.mark.parametrize('url', [
    '/cases/?q=a%0d%0aSet-Cookie:%20x=1', '/cases/?status=%0d%0a', '/cases/?process=x%0d%0ay',
    '/tasks/?page=1%0d%0a', '/tasks/queue?page=%0d%0a2', '/cases/?lang=en%0d%0aX:%201',
    '/cases/?%0d%0aX-Evil=1', '/auth/login?next=/tasks/%0d%0aX-Evil:%201', '/cases/new/withdrawal?x=%0d%0a',
    '/tasks/?next=%0a'])
def test_crlf_in_a_query_parameter_is_no_server_error(login, url):
    r = login('clerk').get(url)
    assert r.status_code < 500
    assert not any(name.lower() in ('x-evil', 'x') for name in r.headers.keys())


@pytest.mark.parametrize('target', ['/tasks/%0d%0aX-Evil:%201', '/tasks/%0aX-Evil:%201', '/tasks/%0d',
                                    '//evil.example/', '/%5cevil.example/', '/%5c%5cevil.example',
                                    'https://evil.example/', '%0d%0a/tasks/', '/tasks/%09', '/tasks/%7f'])
def test_login_redirect_refuses_crlf_and_other_hosts(client, target):
    r = client.post(f'/auth/login?next={target}', data={'username': 'clerk', 'password': DEMO_PASSWORD})
    assert r.status_code == 302 and r.headers['Location'] == '/'
    assert 'X-Evil' not in r.headers


def test_login_redirect_keeps_a_path_on_this_site(client):
    r = client.post('/auth/login?next=/cases/%3Fq%3D%E5%BC%A0', data={'username': 'clerk', 'password': DEMO_PASSWORD})
    assert r.status_code == 302 and r.headers['Location'] == '/cases/?q=%E5%BC%A0'


# 3. A request size limit

def test_a_request_above_the_size_limit_gets_413_and_the_error_page(app, login, snapshot):
    assert app.config['MAX_CONTENT_LENGTH'] == 2 * 1024 * 1024
    clerk = login('clerk')
    before = snapshot()
    # Eight fields of 400 kB: each below Werkzeug's per-field limit, together above ours.
    data = {**APPLICATION, **{f'note{i}': 'x' * 400_000 for i in range(8)}}
    r = clerk.post('/cases/new/withdrawal', data=data, content_type='multipart/form-data')
    assert r.status_code == 413
    assert '请求过大' in r.text and '2 MB' in r.text and 'id="error-message"' in r.text
    assert snapshot() == before


def test_a_request_below_the_limit_is_served(login):
    clerk = login('clerk')
    assert clerk.post('/cases/new/withdrawal', data={**APPLICATION, 'note': '备注'},
                      content_type='multipart/form-data').status_code == 302


# 4. Unknown form fields refused

UNKNOWN = '表单中含有不属于本表单的字段'


def test_registration_with_an_unknown_field_is_refused(login, snapshot):
    clerk = login('clerk')
    before = snapshot()
    r = clerk.post('/cases/new/withdrawal', data={**APPLICATION, 'started_by': '1', 'status': 'completed'})
    assert r.status_code == 422 and UNKNOWN in r.text
    assert snapshot() == before


def test_registration_with_a_csrf_token_is_accepted(login):
    assert login('clerk').post('/cases/new/withdrawal',
                               data={**APPLICATION, 'csrf_token': 'x'}).status_code == 302


def test_task_with_an_unknown_field_is_refused(login, session_factory, snapshot):
    clerk = login('clerk')
    case_id = register(clerk)
    accept = ready_task(session_factory, case_id, 'accept')
    before = snapshot()
    r = clerk.post(f'/tasks/{accept}', data={'materials_complete': 'true', 'approved_amount': '999999'})
    assert r.status_code == 422 and UNKNOWN in r.text
    assert snapshot() == before
    assert clerk.post(f'/tasks/{accept}', data={'materials_complete': 'true'}).status_code == 302


# 5. Amounts: ASCII digits, at most two decimals

BAD_AMOUNT = '请用半角数字 0-9 填写金额（元），最多两位小数。'


@pytest.mark.parametrize('amount', ['５０００', '5000.001', '50.001', '5_000', '1e3', '5000.', '.5', '+5000',
                                    '٥٠٠٠', '5,000'])
def test_registration_amount_must_be_ascii_with_two_decimals(login, snapshot, amount):
    clerk = login('clerk')
    before = snapshot()
    r = clerk.post('/cases/new/withdrawal', data={**APPLICATION, 'amount': amount})
    assert r.status_code == 422
    assert re.search(rf'data-error-for="amount">{re.escape(BAD_AMOUNT)}', r.text), r.text[-3000:]
    assert snapshot() == before


@pytest.mark.parametrize('amount', ['5000', '5000.5', '5000.50', ' 5000.05 '])
def test_plain_amounts_are_accepted(login, amount):
    assert login('clerk').post('/cases/new/withdrawal', data={**APPLICATION, 'amount': amount}).status_code == 302


def test_payment_to_the_fen(login, session_factory, snapshot):
    clerk, reviewer, cashier = login('clerk'), login('reviewer'), login('cashier')
    case_id = register(clerk)
    clerk.post(f'/tasks/{ready_task(session_factory, case_id, "accept")}', data={'materials_complete': 'true'})
    review = ready_task(session_factory, case_id, 'review')
    reviewer.post(f'/tasks/{review}/claim')
    reviewer.post(f'/tasks/{review}', data={'decision': 'approve', 'reason': '材料齐全'})
    pay = ready_task(session_factory, case_id, 'pay')
    before = snapshot()
    r = cashier.post(f'/tasks/{pay}', data={'voucher_no': 'ZF-9', 'paid_amount': '50.001', 'paid_on': ''})
    assert r.status_code == 422
    assert re.search(rf'data-error-for="paid_amount">{re.escape(BAD_AMOUNT)}', r.text)
    assert re.search(r'data-error-for="paid_on">', r.text)      # the other fields' errors are shown at once
    assert snapshot() == before


# 6. Cache-Control: no-store for a logged-in user's pages

@pytest.mark.parametrize('url', ['/tasks/', '/cases/', '/cases/new/withdrawal', '/cases/999999', '/nowhere'])
def test_pages_for_a_logged_in_user_are_not_stored(login, url):
    assert login('clerk').get(url).headers.get('Cache-Control') == 'no-store'


def test_case_pages_are_not_stored(login):
    clerk = login('clerk')
    case_id = register(clerk)
    assert clerk.get(f'/cases/{case_id}').headers['Cache-Control'] == 'no-store'


def test_static_files_and_anonymous_pages_may_be_cached(client, login):
    clerk = login('clerk')
    for c in (client, clerk):
        r = c.get('/static/css/app.css')
        assert r.status_code == 200 and 'no-store' not in r.headers.get('Cache-Control', '')
        r.close()
    assert 'no-store' not in client.get('/auth/login').headers.get('Cache-Control', '')


# 7. Unknown usernames take as long as wrong passwords

@pytest.fixture
def hash_checks(monkeypatch):
    calls = []
    real = auth_views.check_password

    def counting(stored_hash, password):
        calls.append(stored_hash)
        return real(stored_hash, password)
    monkeypatch.setattr(auth_views, 'check_password', counting)
    return calls


@pytest.mark.parametrize('username, password', [('clerk', 'wrong'), ('nobody', 'wrong'), ('nobody', DEMO_PASSWORD)])
def test_every_failed_login_checks_one_hash(client, hash_checks, username, password):
    r = client.post('/auth/login', data={'username': username, 'password': password})
    assert r.status_code == 401 and '用户名或密码错误' in r.text
    assert len(hash_checks) == 1


def test_an_inactive_user_is_checked_against_the_dummy_hash(client, hash_checks, session_factory):
    with session_factory() as s:
        s.scalars(select(User).where(User.username == 'clerk')).one().active = False
        s.commit()
    r = client.post('/auth/login', data={'username': 'clerk', 'password': DEMO_PASSWORD})
    assert r.status_code == 401 and hash_checks == [auth_views.DUMMY_HASH]


def test_the_dummy_hash_uses_the_method_of_real_hashes():
    assert auth_views.DUMMY_HASH.split('$')[0] == hash_password('x').split('$')[0]


# 8. Failed logins throttled per address as well

def test_many_usernames_from_one_address_are_throttled(client, session_factory):
    # Earlier failures from this address, four usernames each below the per-username limit of 5.
    with session_factory() as s:
        for i in range(19):
            audit.record(s, None, 'login_failed', data={'username': f'guess{i % 4}'}, client_addr='127.0.0.1')
        s.commit()
    assert client.post('/auth/login', data={'username': 'guess9', 'password': 'x'}).status_code == 401  # 20th
    r = client.post('/auth/login', data={'username': 'clerk', 'password': DEMO_PASSWORD})
    assert r.status_code == 429 and '尝试次数过多' in r.text
    other = client.post('/auth/login', data={'username': 'clerk', 'password': DEMO_PASSWORD},
                        environ_base={'REMOTE_ADDR': '10.0.0.8'})
    assert other.status_code == 302


def test_failures_below_the_address_limit_do_not_throttle(client):
    for i in range(19):
        assert client.post('/auth/login', data={'username': f'guess{i}', 'password': 'x'}).status_code == 401
    assert client.post('/auth/login', data={'username': 'clerk', 'password': DEMO_PASSWORD}).status_code == 302


# 9. favicon

def test_favicon(client, login):
    r = client.get('/favicon.ico')
    assert r.status_code == 200 and r.data[:4] == b'\x00\x00\x01\x00'
    assert r.mimetype == 'image/vnd.microsoft.icon'
    r.close()
    page = login('clerk').get('/tasks/').text
    svg = re.search(r'<link rel="icon" href="([^"]+\.svg)"', page).group(1)
    r = client.get(svg)
    assert r.status_code == 200 and r.mimetype == 'image/svg+xml'
    r.close()
