"""Login, language and CSRF."""
import pytest

from app import create_app
from workflows.seed import DEMO_PASSWORD


def test_login_page_speaks_chinese_by_default(client):
    r = client.get('/auth/login')
    assert r.status_code == 200
    assert '登录' in r.text and '用户名' in r.text and 'lang="zh-CN"' in r.text


def test_english_on_request_is_remembered(client):
    r = client.get('/auth/login?lang=en')
    assert 'Log in' in r.text and 'Username' in r.text
    assert 'Log in' in client.get('/auth/login').text   # cookie keeps the choice


def test_wrong_password_is_refused(client):
    r = client.post('/auth/login', data={'username': 'clerk', 'password': 'nope'})
    assert r.status_code == 401 and '用户名或密码错误' in r.text
    assert client.get('/tasks/').status_code == 302


def test_login_logout(client):
    r = client.post('/auth/login', data={'username': 'clerk', 'password': DEMO_PASSWORD})
    assert r.status_code == 302
    assert client.get('/tasks/').status_code == 200
    client.post('/auth/logout')
    assert client.get('/tasks/').headers['Location'].startswith('/auth/login')


def test_open_redirect_is_ignored(client):
    r = client.post('/auth/login?next=https://evil.example/', data={'username': 'clerk', 'password': DEMO_PASSWORD})
    assert r.headers['Location'] == '/'


@pytest.mark.parametrize('url', ['/tasks/', '/tasks/queue', '/tasks/done', '/cases/', '/cases/new/withdrawal', '/cases/1',
                                 '/tasks/1', '/cases/1/diagram.bpmn'])
def test_pages_need_login(client, url):
    r = client.get(url)
    assert r.status_code == 302 and '/auth/login' in r.headers['Location']


def test_csrf_is_enforced(db_engine, tmp_path):
    app = create_app({'TESTING': True, 'SECRET_KEY': 'x',
                      'DATABASE_URL': db_engine.url.render_as_string(hide_password=False)})
    c = app.test_client()
    r = c.post('/auth/login', data={'username': 'clerk', 'password': DEMO_PASSWORD})
    assert r.status_code == 400 and '安全令牌' in r.text
    app.extensions['gjj_engine'].dispose()


def test_security_headers(client):
    r = client.get('/auth/login')
    assert "default-src 'self'" in r.headers['Content-Security-Policy']
    assert r.headers['X-Frame-Options'] == 'DENY'


def test_repeated_failures_lock_the_username_for_a_while(client):
    for _ in range(5):
        assert client.post('/auth/login', data={'username': 'clerk', 'password': 'guess'}).status_code == 401
    r = client.post('/auth/login', data={'username': 'clerk', 'password': DEMO_PASSWORD})
    assert r.status_code == 429 and '尝试次数过多' in r.text
    assert client.post('/auth/login', data={'username': 'clerk2', 'password': DEMO_PASSWORD}).status_code == 302
    other_desk = client.post('/auth/login', data={'username': 'clerk', 'password': DEMO_PASSWORD},
                             environ_base={'REMOTE_ADDR': '10.0.0.8'})
    assert other_desk.status_code == 302   # the clerk's own desk is not locked out
