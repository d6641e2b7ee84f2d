"""An enforcement case from lead to closure through the real pages in headless Chromium.

The short path that fits one day: the lead, the filing approval, the evidence register, the two
officers' investigation, the order, compliance, the closing approval (closed without a penalty).
The other paths' date rules are covered by tests/workflows/test_enforcement_paths.py.
"""
from datetime import date

import pytest

from workflows.processes import enforcement as enf

from .conftest import login, serve_copy

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope='module')
def server(sqlite_template, tmp_path_factory):
    with serve_copy(sqlite_template, tmp_path_factory.mktemp('browser-enforcement'), enf.add_demo_employers) as url:
        yield url


def take(page, server, case_key):
    """Open the case's task from the pool and claim it."""
    page.goto(f'{server}/tasks/queue')
    page.locator('#task-list tr', has_text=case_key).get_by_role('button', name='签收').click()
    page.wait_for_selector('#task-form')


def submit(page, server):
    page.click('#submit-task')
    page.wait_for_url(f'{server}/tasks/')


def test_enforcement_case_from_lead_to_closure(browser, server, tmp_path):
    today = date.today().isoformat()
    officer = login(browser, server, 'officer')
    officer.click('[data-start="enforcement"]')
    officer.check('#f-lead_source-complaint')
    officer.fill('#f-credit_code', '91310000MA1FL00001')
    officer.check('#f-violation-register')
    officer.fill('#f-violation_started', '2025-03-01')
    officer.check('#f-violation_continuing-true')
    officer.fill('#f-discovered_on', today)
    officer.fill('#f-employees_affected', '45')
    officer.fill('#f-lead_summary', '职工投诉：单位未为职工设立住房公积金账户')
    officer.click('#register')
    officer.wait_for_selector('#case-status')
    case_key = officer.locator('h1 .text-muted').inner_text().strip()
    assert case_key.startswith('ZF') and '上海某某贸易有限公司' in officer.locator('#case-facts').inner_text()

    approver = login(browser, server, 'approver')
    take(approver, server, case_key)
    assert '二年内未被发现' in approver.locator('#risk-hint').inner_text()
    approver.check('#f-filing_decision-approve')
    approver.fill('#f-filing_opinion', '同意立案')
    submit(approver, server)

    take(officer, server, case_key)
    officer.select_option('#f-evidence_kind', 'documentary')
    officer.fill('#f-evidence_description', '工资发放表')
    officer.fill('#f-evidence_source', '被检查单位提供')
    officer.fill('#f-collected_on', today)
    officer.fill('#f-archive_ref', 'ZJ-001')
    officer.check('#f-more_evidence-false')
    submit(officer, server)

    take(officer, server, case_key)
    for field, value in {'interviewee': '王某（人事经理）', 'interview_on': today, 'interview_place': '单位会议室',
                         'interview_record': '问：是否设立账户？答：尚未。', 'persons': '45', 'monthly_base': '6000',
                         'rate_percent': '14', 'months_owed': '15', 'findings_text': '未为45名职工设立账户'}.items():
        officer.fill(f'#f-{field}', value)
    officer.check('#f-finding-violation')
    submit(officer, server)

    # the same officer cannot be the second investigator: no form is offered
    officer.goto(f'{server}/tasks/queue')
    assert officer.locator('#task-list tr', has_text=case_key).get_by_role('button', name='签收').count() == 0 \
        or '职责分离' in officer.content()
    officer2 = login(browser, server, 'officer2')
    take(officer2, server, case_key)
    officer2.check('#f-cosign_confirmed-true')
    submit(officer2, server)

    take(officer, server, case_key)
    officer.fill('#f-order_no', '沪公积金责改〔2026〕第9号')
    officer.fill('#f-order_requirements', '限期为45名职工办理账户设立手续')
    officer.fill('#f-order_receiver', '王某')
    submit(officer, server)

    take(officer, server, case_key)
    officer.check('#f-complied-false')           # the order still runs: refused on the field, nothing saved
    officer.fill('#f-compliance_note', '尚未办理')
    officer.click('#submit-task')
    assert '期满后方可认定' in officer.locator('[data-error-for=complied]').inner_text()
    officer.check('#f-complied-true')
    officer.fill('#f-compliance_note', '已全部办理')
    submit(officer, server)

    take(approver, server, case_key)
    approver.fill('#f-closing_report', '单位已在期限内改正，不予处罚，结案')
    approver.fill('#f-archive_no', 'ZF-2026-009')
    submit(approver, server)

    supervisor = login(browser, server, 'supervisor')
    supervisor.goto(f'{server}/cases/?q={case_key}')
    supervisor.click(f'text={case_key}')
    assert supervisor.locator('#case-status').inner_text() == '已办结：结案：不予处罚'
    assert '责令改正/缴存期限' in supervisor.locator('#clocks').inner_text()
    supervisor.wait_for_selector('#diagram[data-state=ready]')
    supervisor.screenshot(path=str(tmp_path / 'enforcement_case.png'), full_page=True)
