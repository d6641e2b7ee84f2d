"""A final decision asks for confirmation in the browser, naming the decision; cancelling submits nothing."""

import pytest

from .conftest import login, serve_copy

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope='module')
def server(sqlite_template, tmp_path_factory):
    with serve_copy(sqlite_template, tmp_path_factory.mktemp('confirm')) as url:
        yield url


def test_a_refusal_is_confirmed_before_it_is_submitted(browser, server):
    clerk = login(browser, server, 'clerk')
    clerk.goto(f'{server}/cases/new/withdrawal')
    clerk.fill('#f-account_no', '100000000001')
    clerk.select_option('#f-withdrawal_type', 'purchase')
    clerk.fill('#f-amount', '5000')
    clerk.check('#f-materials_provided-id_card')
    clerk.check('#f-materials_provided-purchase_contract')
    clerk.click('#register')
    case_key = clerk.locator('h1 .text-muted').inner_text().strip()
    clerk.goto(f'{server}/tasks/queue')
    clerk.locator('#task-list tr', has_text=case_key).get_by_role('button', name='签收').click()
    clerk.check('#f-materials_complete-true')
    clerk.click('#submit-task')                           # acceptance is no final decision: no question
    clerk.wait_for_url(f'{server}/tasks/')

    reviewer = login(browser, server, 'reviewer', accept_dialogs=False)
    reviewer.goto(f'{server}/tasks/queue')
    reviewer.locator('#task-list tr', has_text=case_key).get_by_role('button', name='签收').click()
    task_url = reviewer.url
    reviewer.check('#f-decision-reject')
    reviewer.fill('#f-reason', '购房合同与备案不符')
    reviewer.fill('#f-basis', '管理条例第二十四条')
    asked = []

    def answer(dialog, ok):
        asked.append((dialog.type, dialog.message))
        dialog.accept() if ok else dialog.dismiss()

    reviewer.once('dialog', lambda d: answer(d, False))
    reviewer.click('#submit-task')
    assert asked == [('confirm', '确认提交决定“不予提取”？提交后不能撤回。')]
    assert reviewer.url == task_url and reviewer.locator('#f-decision-reject').is_checked()
    reviewer.goto(task_url)
    assert reviewer.locator('#task-form').count() == 1    # still open: nothing was submitted

    reviewer.check('#f-decision-reject')
    reviewer.fill('#f-reason', '购房合同与备案不符')
    reviewer.fill('#f-basis', '管理条例第二十四条')
    reviewer.once('dialog', lambda d: answer(d, True))
    reviewer.click('#submit-task')
    reviewer.wait_for_url(f'{server}/tasks/')
    assert len(asked) == 2 and '已办理' in reviewer.locator('.alert-success').inner_text()
