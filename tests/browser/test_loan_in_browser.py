"""One loan through the real pages in headless Chromium, from acceptance to disbursement, by seven people."""
from datetime import date

import pytest

from workflows.processes import loan

from .conftest import login, serve_copy

pytestmark = [pytest.mark.browser, pytest.mark.slow]
STEPS = {step: form for step, _username, form in loan.STANDARD_STEPS}


@pytest.fixture(scope='module')
def server(sqlite_template, tmp_path_factory):
    def households(session):
        loan.add_demo_households(session, date.today())

    with serve_copy(sqlite_template, tmp_path_factory.mktemp('loan_browser'), households) as url:
        yield url


def fill(page, form):
    """Fill a generated form: radios and check boxes by value, selects, text, numbers and dates."""
    for name, value in form.items():
        if isinstance(value, bool):
            page.check(f'#f-{name}-{"true" if value else "false"}')
        elif isinstance(value, list):
            for item in value:
                page.check(f'#f-{name}-{item}')
        elif page.locator(f'#f-{name}').count() == 0:
            page.check(f'#f-{name}-{value}')
        elif page.locator(f'select#f-{name}').count():
            page.select_option(f'#f-{name}', str(value))
        else:
            page.fill(f'#f-{name}', str(value))


def work(browser, server, username, case_key, step, **changes):
    """Claim the case's task from the pool as `username`, fill the step's form and submit it."""
    page = login(browser, server, username)
    page.goto(f'{server}/tasks/queue')
    page.locator('#task-list tr', has_text=case_key).get_by_role('button', name='签收').first.click()
    page.wait_for_selector('#task-form')
    fill(page, {**STEPS[step], **changes})
    page.click('#submit-task')
    page.wait_for_url(f'{server}/tasks/')
    return page


def test_a_loan_from_acceptance_to_disbursement(browser, server, tmp_path):
    clerk = login(browser, server, 'clerk')
    clerk.click('[data-start="loan"]')
    fill(clerk, loan.STANDARD_APPLICATION)
    clerk.click('#register')
    clerk.wait_for_selector('#case-status')
    case_key = clerk.locator('h1 .text-muted').inner_text().strip()
    assert case_key.startswith('DK')
    facts = clerk.locator('#case-facts').inner_text()
    assert '陈贷款' in facts and '连续足额缴存' in facts

    work(browser, server, 'clerk', case_key, 'accept')
    reviewer = login(browser, server, 'reviewer')
    reviewer.goto(f'{server}/tasks/queue')
    reviewer.locator('#task-list tr', has_text=case_key).get_by_role('button', name='签收').first.click()
    reviewer.wait_for_selector('#task-form')
    facts = reviewer.locator('#case-facts').inner_text()
    assert '900,000.00' in facts and '账户余额倍数' in facts and '等额本息：首期还款' in facts
    assert '否定报备' in reviewer.locator('#risk-hint').inner_text()
    fill(reviewer, STEPS['initial_review'])
    reviewer.click('#submit-task')
    reviewer.wait_for_url(f'{server}/tasks/')

    work(browser, server, 'clerk', case_key, 'interview', interview_on=date.today().isoformat())
    work(browser, server, 'clerk2', case_key, 'interview_cosign')
    work(browser, server, 'clerk2', case_key, 'guarantee')
    work(browser, server, 'reviewer2', case_key, 'final_review')
    work(browser, server, 'approver', case_key, 'decide_approver')
    work(browser, server, 'clerk', case_key, 'sign_contract', contract_date=date.today().isoformat())
    work(browser, server, 'clerk', case_key, 'mortgage_registration')

    cashier = login(browser, server, 'cashier')       # more than approved: refused next to the amount
    cashier.goto(f'{server}/tasks/queue')
    cashier.locator('#task-list tr', has_text=case_key).get_by_role('button', name='签收').first.click()
    cashier.wait_for_selector('#task-form')
    fill(cashier, {**STEPS['disburse'], 'paid_amount': 700000})
    cashier.click('#submit-task')
    assert cashier.locator('[data-error-for=paid_amount]').count() == 1
    cashier.fill('#f-paid_amount', '600000')
    cashier.click('#submit-task')
    cashier.wait_for_url(f'{server}/tasks/')
    work(browser, server, 'cashier2', case_key, 'disburse_check')

    supervisor = login(browser, server, 'supervisor')
    supervisor.goto(f'{server}/cases/?q={case_key}')
    supervisor.click(f'text={case_key}')
    assert supervisor.locator('#case-status').inner_text() == '已办结：已放款'
    handlers = supervisor.locator('#task-history tbody tr td:nth-child(3)').all_inner_texts()
    assert len(set(handlers)) == 7                 # 王受理 孙受理 李审核 周审核 吴审批 赵财务 许财务
    supervisor.wait_for_selector('#diagram[data-state=ready]')
    supervisor.screenshot(path=str(tmp_path / 'loan.png'), full_page=True)
    supervisor.click('[data-document="loan.repayment_schedule"]')
    supervisor.wait_for_selector('#schedule')
    assert supervisor.locator('#schedule tbody tr').count() == 360
