"""The loan's printable documents: each one carries the case number, the parties, dates and its basis."""
from datetime import datetime

import pytest

from tests.loan_helpers import COUPLE, complete, households, register, run_until
from workflows import documents
from workflows.definitions import loaded_definition
from workflows.processes.loan.documents import repayment_plan


@pytest.fixture(autouse=True)
def _households(session):
    households(session)


def _render(session, instance, name):
    loaded = loaded_definition(instance.definition)
    assert name in dict(documents.available(instance, loaded))
    title, body = documents.render(session, instance, loaded, name)
    assert instance.business_key in body and '陈贷款' in body
    return title, body


def test_documents_of_a_disbursed_loan(session):
    instance = register(session, materials_provided=['id_card'])
    complete(session, instance, 'accept', form={'materials_complete': False, 'missing_items': ['household_register'],
                                                'notice_note': '收入证明须加盖单位公章'})
    _title, notice = _render(session, instance, 'loan.one_time_notice')
    # the checklist's missing items and the clerk's, once each; the deadline of the notice (30 days: 1 July)
    assert notice.count('<li>') == 7 and '户口簿' in notice and '购房合同（网签备案）' in notice
    assert '2026-07-01' in notice and '收入证明须加盖单位公章' in notice
    complete(session, instance, 'await_materials', 'clerk', {'materials_supplied': True})
    run_until(session, instance, None, skip=['accept'])
    _title, receipt = _render(session, instance, 'loan.acceptance_receipt')
    assert '第二十六条' in receipt and '2026-06-16' in receipt and '王受理' in receipt
    _title, record = _render(session, instance, 'loan.interview_record')
    assert '王受理' in record and '孙受理' in record           # both officers named
    _title, form = _render(session, instance, 'loan.approval_form')
    assert '账户余额倍数' in form and '900,000.00' in form and '李审核' in form and '周审核' in form and '吴审批' in form
    title, schedule = _render(session, instance, 'loan.repayment_schedule')
    assert title == '还款计划表' and schedule.count('<tr><td>') == 360
    assert '2,402.04' in schedule and '264,733.47' in schedule     # level payments of 600,000 at 2.60 % over 30 years
    available = dict(documents.available(instance, loaded_definition(instance.definition)))
    assert 'loan.refusal_notice' not in available and 'loan.committee_minutes' not in available


def test_minutes_and_refusal_notice_of_a_loan_the_committee_refused(session):
    instance = register(session, **COUPLE, price=3000000, amount=1600000, borrower_income=30000)
    run_until(session, instance, 'final_review')
    complete(session, instance, 'final_review', recommended_amount=1600000)
    for seat, (who, vote) in enumerate([('director', 'reject'), ('director2', 'approve'), ('director3', 'reject')], 1):
        complete(session, instance, f'committee_vote_{seat}', who, {f'vote_{seat}': vote, f'vote_opinion_{seat}': f'{who}意见'})
    _title, minutes = _render(session, instance, 'loan.committee_minutes')
    assert all(name in minutes for name in ('郑主任', '冯副主任', '曹副主任')) and '同意1票，不同意2票' in minutes
    assert '林配偶' in minutes
    complete(session, instance, 'refusal_report', 'approver', {'report_confirmed': True, 'report_opinion': '同意报备'})
    complete(session, instance, 'refusal_notice', 'clerk', {'notified_on': '2026-06-05', 'notice_method': 'in_person',
                                                            'notice_receiver': '陈贷款'}, at=datetime(2026, 6, 5, 2))
    _title, notice = _render(session, instance, 'loan.refusal_notice')
    assert '贷款审批委员会表决未通过' in notice and '150万元以上' in notice
    assert '六十日' in notice and '行政复议法》第二十条' in notice and '六个月' in notice and '第四十六条' in notice
    assert '2026-06-05' in notice and '吴审批' in notice


def test_the_schedule_before_approval_shows_what_may_be_approved(session):
    instance = register(session)
    run_until(session, instance, 'decide_approver')
    assert repayment_plan(instance.data)['amount'] == 600000
