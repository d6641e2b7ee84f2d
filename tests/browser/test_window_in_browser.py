"""The window clerk's day in headless Chromium: register with the live check, file a scan, and a refusal
confirmed by the approver ending in the printed 不予提取通知书."""
import os
import shutil

import pytest

from .conftest import login, open_from_pool, serve_copy

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCAN = b'%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n'


@pytest.fixture(scope='module')
def server(sqlite_template, tmp_path_factory):
    with serve_copy(sqlite_template, tmp_path_factory.mktemp('window')) as url:
        yield url


def live_verdict(page, verdict):
    """Wait for the live check to show `verdict`; return the panel's text."""
    page.wait_for_selector(f'#live-check-body [data-verdict="{verdict}"]')
    return page.locator('#live-check-body').inner_text()


def test_register_with_the_live_check_then_a_confirmed_refusal_and_its_notice(browser, server, tmp_path):
    clerk = login(browser, server, 'clerk')
    clerk.click('[data-start="withdrawal"]')
    clerk.fill('#f-account_no', '100000000001')
    panel = live_verdict(clerk, 'incomplete')            # the account as soon as its number is complete
    assert '张伟' in panel and '86,000.00' in panel and '提取事项' in panel
    clerk.select_option('#f-withdrawal_type', 'purchase')
    clerk.fill('#f-amount', '90000')
    panel = live_verdict(clerk, 'rules-refuse')          # warned before anything is submitted
    assert '规则将否决' in panel and '申请提取金额超过住房公积金账户余额' in panel and '否定报备' in panel
    clerk.fill('#f-amount', '8000')
    clerk.check('#f-materials_provided-id_card')
    panel = live_verdict(clerk, 'accepted')
    assert '受理审查' in panel and '可提取余额' in panel
    clerk.screenshot(path=str(tmp_path / 'registration.png'), full_page=True)
    clerk.click('#register')
    clerk.wait_for_selector('#case-status')
    case_key = clerk.locator('h1 .text-muted').inner_text().strip()

    scan = tmp_path / 'id-card.pdf'
    scan.write_bytes(SCAN)
    clerk.fill('#upload-label', '申请人身份证件')
    clerk.set_input_files('#upload-file', str(scan))
    clerk.click('#upload-form button')
    clerk.wait_for_selector('#attachments a:has-text("id-card.pdf")')

    clerk.goto(f'{server}/cases/new/withdrawal')          # the same type again while that case is open
    clerk.fill('#f-account_no', '100000000001')
    clerk.select_option('#f-withdrawal_type', 'purchase')
    live_verdict(clerk, 'refused')
    assert case_key in clerk.locator('[data-field="withdrawal_type"] .live-feedback').inner_text()   # on the field
    assert 'is-invalid' in clerk.locator('#f-withdrawal_type').get_attribute('class')
    clerk.select_option('#f-withdrawal_type', 'rent')
    clerk.wait_for_selector('[data-field="withdrawal_type"] .live-feedback', state='detached')
    assert 'is-invalid' not in clerk.locator('#f-withdrawal_type').get_attribute('class')

    open_from_pool(clerk, server, case_key)
    clerk.check('#f-materials_complete-true')
    clerk.click('#submit-task')
    clerk.wait_for_url(f'{server}/tasks/')

    reviewer = login(browser, server, 'reviewer')
    open_from_pool(reviewer, server, case_key)
    reviewer.check('#f-decision-reject')
    reviewer.fill('#f-reason', '购房合同未经网签备案')
    reviewer.fill('#f-basis', '本市提取管理办法第八条')
    reviewer.click('#submit-task')
    reviewer.wait_for_url(f'{server}/tasks/')

    approver = login(browser, server, 'approver')
    open_from_pool(approver, server, case_key)
    assert '购房合同未经网签备案' in approver.locator('main').inner_text()
    approver.check('#f-report_decision-confirm')
    approver.fill('#f-report_opinion', '理由充分，同意不予提取')
    approver.click('#submit-task')
    approver.wait_for_url(f'{server}/tasks/')

    clerk.goto(f'{server}/cases/?q={case_key}')
    clerk.click(f'text={case_key}')
    clerk.click('[data-document="withdrawal.decision_notice"]')
    notice = clerk.locator('#document').inner_text()
    assert '不予提取通知书' in notice and '购房合同未经网签备案' in notice and '本市提取管理办法第八条' in notice
    assert '六十日内' in notice and '行政复议' in notice and '六个月内' in notice and '行政诉讼' in notice
    clerk.emulate_media(media='print')
    assert not clerk.locator('#print').is_visible()      # the print view shows the notice alone
    clerk.pdf(path=str(tmp_path / 'notice.pdf'))
    assert (tmp_path / 'notice.pdf').read_bytes().startswith(b'%PDF')
    if os.environ.get('SCREENSHOTS'):                     # for reviewing the pages by eye
        shutil.copy(tmp_path / 'registration.png', os.environ['SCREENSHOTS'])
