"""Odd input over HTTP: a precise 4xx, every error next to its field, and the database untouched."""
import re

import pytest

from .test_withdrawal_http import APPLICATION, ready_task, register


@pytest.mark.parametrize('field, value, message', [
    ('amount', '0', '不得小于 0.01'),
    ('amount', '20000000', '不得大于 10000000'),
    ('amount', 'NaN', '请输入有效的值'),
    ('amount', 'inf', '请输入有效的值'),
    ('note', '备' * 501, '最多输入 500 个字符'),
    ('account_no', '12345', '格式不正确'),
])
def test_registration_field_limits(login, snapshot, field, value, message):
    clerk = login('clerk')
    before = snapshot()
    r = clerk.post('/cases/new/withdrawal', data={**APPLICATION, field: value})
    assert r.status_code == 422
    assert re.search(rf'data-error-for="{field}">{re.escape(message)}', r.text), r.text[-3000:]
    assert snapshot() == before


def test_limits_in_task_forms(login, session_factory, snapshot):
    clerk, reviewer = login('clerk'), login('reviewer')
    case_id = register(clerk)
    accept = ready_task(session_factory, case_id, 'accept')
    r = clerk.post(f'/tasks/{accept}', data={'materials_complete': 'true', 'missing_items': 'bank_card'})
    assert r.status_code == 422 and re.search(r'data-error-for="missing_items">最多选择 0 项', r.text)
    clerk.post(f'/tasks/{accept}', data={'materials_complete': 'true'})
    review = ready_task(session_factory, case_id, 'review')
    before = snapshot()
    r = reviewer.post(f'/tasks/{review}', data={'decision': 'reject', 'reason': '否', 'basis': '第八条'})
    assert r.status_code == 422 and re.search(r'data-error-for="reason">至少输入 2 个字符', r.text)
    assert snapshot() == before


@pytest.mark.parametrize('url', ['/cases/2147483648', '/tasks/99999999999999999999', '/cases/0', '/tasks/-1',
                                 '/cases/abc'])
def test_ids_out_of_range_are_not_found(login, url):
    assert login('clerk').get(url).status_code == 404


@pytest.mark.parametrize('url', ['/no/such/page', '/cases/999999', '/tasks/999999', '/cases/new/nosuch'])
def test_every_not_found_page_has_the_same_title(login, url):
    """Whether the router or the engine found nothing, the page says so the same way."""
    r = login('clerk').get(url)
    assert r.status_code == 404
    assert '<title>404 · 未找到 · ' in r.text and '<h1 class="h5">404 · 未找到</h1>' in r.text


def test_nul_bytes_are_refused_before_any_work(client, login, snapshot):
    clerk = login('clerk')
    before = snapshot()
    assert client.post('/auth/login', data={'username': 'cl\x00erk', 'password': 'x'}).status_code == 400
    assert clerk.get('/cases/?q=%00').status_code == 400
    assert clerk.post('/cases/new/withdrawal', data={**APPLICATION, 'note': 'a\x00b'}).status_code == 400
    assert snapshot() == before
