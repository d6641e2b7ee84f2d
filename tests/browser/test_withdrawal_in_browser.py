"""A person's walk through the real pages in headless Chromium: register, accept, review, pay."""

import pytest

from workflows.deadlines import local_date
from workflows.models import utcnow

from .conftest import login, open_from_pool, serve_copy

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope='module')
def server(sqlite_template, tmp_path_factory):
    with serve_copy(sqlite_template, tmp_path_factory.mktemp('browser')) as url:
        yield url


def test_withdrawal_from_registration_to_payment(browser, server, tmp_path):
    clerk = login(browser, server, 'clerk')
    assert clerk.locator('nav').inner_text().count('我的待办') == 1
    clerk.click('[data-start="withdrawal"]')
    clerk.fill('#f-account_no', '100000000002')
    clerk.select_option('#f-withdrawal_type', 'purchase')
    clerk.fill('#f-amount', '8000')
    clerk.check('#f-materials_provided-id_card')
    clerk.check('#f-materials_provided-purchase_contract')
    clerk.click('#register')
    clerk.wait_for_selector('#case-status')
    case_key = clerk.locator('h1 .text-muted').inner_text().strip()
    assert '已登记' in clerk.locator('.alert').first.inner_text()
    assert '转人工受理审核' in clerk.locator('#case-facts').inner_text()   # the rules' result, in words
    assert clerk.locator('#diagram').get_attribute('data-state') in ('loading', 'ready')
    clerk.wait_for_selector('#diagram[data-state=ready]')
    assert clerk.locator('#diagram .gjj-active').count() == 1   # the current step is highlighted

    open_from_pool(clerk, server, case_key)
    assert '风险提示' in clerk.locator('#risk-hint').inner_text()
    clerk.click('#submit-task')          # nothing chosen: errors next to the field, nothing saved
    assert clerk.locator('[data-error-for=materials_complete]').inner_text() == '此项为必填项。'
    clerk.check('#f-materials_complete-true')
    clerk.click('#submit-task')
    clerk.wait_for_url(f'{server}/tasks/')
    assert '已办理' in clerk.locator('.alert-success').inner_text()

    reviewer = login(browser, server, 'reviewer')
    open_from_pool(reviewer, server, case_key)
    assert '柜台申请' in reviewer.locator('#case-facts').inner_text()
    reviewer.check('#f-decision-approve')
    reviewer.fill('#f-reason', '购房合同、身份证明齐全')
    reviewer.click('#submit-task')
    reviewer.wait_for_url(f'{server}/tasks/')

    cashier = login(browser, server, 'cashier')
    open_from_pool(cashier, server, case_key)
    cashier.fill('#f-voucher_no', 'ZF-20261123-01')
    cashier.fill('#f-paid_amount', '8000')
    cashier.fill('#f-paid_on', local_date(utcnow()).isoformat())
    cashier.click('#submit-task')
    cashier.wait_for_url(f'{server}/tasks/')

    supervisor = login(browser, server, 'supervisor')
    supervisor.goto(f'{server}/cases/?q={case_key}')
    supervisor.click(f'text={case_key}')
    assert supervisor.locator('#case-status').inner_text() == '已办结：已支付'
    history = supervisor.locator('#task-history tbody tr')
    assert history.count() == 3
    assert [a for a in supervisor.locator('#audit-trail tr[data-action]').evaluate_all(
        'rows => rows.map(r => r.dataset.action)') if a == 'complete'] == ['complete'] * 3
    supervisor.wait_for_selector('#diagram[data-state=ready]')
    supervisor.screenshot(path=str(tmp_path / 'case.png'), full_page=True)


def test_a_rules_refusal_goes_to_the_approver_and_its_notice_is_printed(browser, server):
    clerk = login(browser, server, 'clerk')
    clerk.click('[data-start="withdrawal"]')
    clerk.fill('#f-account_no', '100000000004')           # under a fraud ban for withdrawals
    clerk.select_option('#f-withdrawal_type', 'rent')
    clerk.fill('#f-amount', '1500')
    clerk.click('#register')
    clerk.wait_for_selector('#case-status')
    case_key = clerk.locator('h1 .text-muted').inner_text().strip()
    facts = clerk.locator('#case-facts').inner_text()
    assert '否决' in facts and '沪公积金罚字〔2024〕第0117号' in facts

    approver = login(browser, server, 'approver')
    open_from_pool(approver, server, case_key)
    assert '否定报备' in approver.locator('h1').inner_text()
    approver.check('#f-report_decision-confirm')
    approver.fill('#f-report_opinion', '禁入期内，同意不予提取')
    approver.click('#submit-task')
    approver.wait_for_url(f'{server}/tasks/')

    open_from_pool(clerk, server, case_key)
    clerk.check('#f-notice_method-in_person')
    clerk.fill('#f-notified_on', local_date(utcnow()).isoformat())
    clerk.click('#submit-task')
    clerk.wait_for_url(f'{server}/tasks/')
    clerk.goto(f'{server}/cases/?q={case_key}')
    clerk.click(f'text={case_key}')
    clerk.click('[data-document="withdrawal.decision_notice"]')
    notice = clerk.locator('#document').inner_text()
    assert '不予提取通知书' in notice and '六十日内' in notice and '六个月内' in notice and '当面送达' in notice
    assert clerk.locator('#print').is_visible()
