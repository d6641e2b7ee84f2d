"""The 否定报备 register, from refusals run through the real withdrawal and loan models."""
from datetime import date

import pytest

from tests import loan_helpers as loans
from tests.workflows.helpers import complete, register
from workflows import refusals
from workflows.stats import Filters


def test_declarations_are_read_from_process_properties():
    rules = refusals.rules_of({'refusal.outcomes': 'refused, rejected',
                               'refusal.decisions': 'a:x=no, a:x=never b:y=refuse',
                               'refusal.confirmedBy': 'report'})
    assert rules.outcomes == {'refused', 'rejected'}
    assert rules.decisions == {'a': ('x', {'no', 'never'}), 'b': ('y', {'refuse'})}
    assert rules.confirm_steps == {'report'}
    assert not refusals.rules_of({}).declared


def test_register_lists_refusals_with_reason_basis_refuser_and_confirmer(session, user_named):
    clerk, reviewer = user_named('clerk'), user_named('reviewer')
    # a withdrawal refused by the reviewer
    manual = register(session, clerk)
    complete(session, manual, 'accept', clerk, {'materials_complete': True})
    complete(session, manual, 'review', reviewer,
             {'decision': 'reject', 'reason': '购房合同与发票金额不符', 'basis': '本市提取管理办法第八条'})
    # a withdrawal refused by the rules (more than the balance): nobody refused in person
    by_rules = register(session, clerk, withdrawal_type='build', amount=999999)   # not a second open purchase
    # a withdrawal approved (another applicant: one open case per type and person): not a refusal
    approved = register(session, clerk, account_no='100000000003')
    complete(session, approved, 'accept', clerk, {'materials_complete': True})
    complete(session, approved, 'review', reviewer, {'decision': 'approve', 'reason': '材料齐全'})
    # a loan refused by the approver, waiting for the 否定报备, then another one confirmed and served
    loans.households(session)
    waiting = loans.register(session)
    loans.run_until(session, waiting, 'decide_approver')
    loans.complete(session, waiting, 'decide_approver', 'approver', {
        'approver_decision': 'refuse', 'approver_reason': '购房用途存疑', 'approver_basis': '贷款管理办法第十二条'})
    served = loans.register(session)
    loans.complete(session, served, 'accept')
    loans.complete(session, served, 'initial_review', form={
        'initial_decision': 'refuse', 'income_verified': True, 'credit_checked': False, 'property_verified': True,
        'initial_reason': '征信报告显示连续逾期', 'initial_basis': '贷款管理办法第十条'})
    loans.complete(session, served, 'refusal_report', 'approver2', {'report_confirmed': True, 'report_opinion': '同意'})
    loans.complete(session, served, 'refusal_notice', 'clerk',
                   {'notified_on': '2026-06-03', 'notice_method': 'post', 'notice_receiver': '陈贷款'})
    users = loans.users(session)

    rows = {r['case']: r for r in refusals.register(session, Filters())}
    assert set(rows) == {manual.business_key, by_rules.business_key, waiting.business_key, served.business_key}
    m = rows[manual.business_key]
    assert (m['state'], m['refused_by'], m['reason'], m['basis'], m['confirmed_by']) == (   # at 否定报备 now
        'awaiting_confirmation', [reviewer.full_name], '购房合同与发票金额不符', '本市提取管理办法第八条', [])
    r = rows[by_rules.business_key]
    assert r['refused_by'] == [] and '超过住房公积金账户余额' in r['reason'] and r['basis']
    w = rows[waiting.business_key]
    assert (w['state'], w['refused_by'], w['reason'], w['basis'], w['confirmed_by']) == (
        'awaiting_confirmation', [users['approver'].full_name], '购房用途存疑', '贷款管理办法第十二条', [])
    s = rows[served.business_key]
    assert (s['state'], s['refused_by'], s['reason'], s['basis'], s['confirmed_by']) == (
        'refused', [users['reviewer'].full_name], '征信报告显示连续逾期', '贷款管理办法第十条',
        [users['approver2'].full_name])

    loan_only = refusals.register(session, Filters(process='loan'))
    assert {r['case'] for r in loan_only} == {waiting.business_key, served.business_key}
    confirmed_by_approver2 = refusals.register(session, Filters(user_id=users['approver2'].id))
    assert [r['case'] for r in confirmed_by_approver2] == [served.business_key]
    # the loans closed on 2026-06-01; a range after that keeps only what still waits for confirmation
    later = refusals.register(session, Filters(process='loan', start=date(2026, 7, 1), end=date(2026, 7, 31)))
    assert [r['case'] for r in later] == [waiting.business_key]


def test_refusals_by_rules_and_by_the_committee_take_the_cases_refusal_fields(session):
    loans.households(session)
    users = loans.users(session)
    committee = loans.register(session, **loans.COUPLE, price=3000000, amount=1600000, borrower_income=30000)
    loans.run_until(session, committee, 'final_review')
    loans.complete(session, committee, 'final_review', recommended_amount=1600000)
    for seat, (username, vote) in enumerate([('director', 'reject'), ('director2', 'approve'),
                                             ('director3', 'reject')], 1):
        loans.complete(session, committee, f'committee_vote_{seat}', username,
                       {f'vote_{seat}': vote, f'vote_opinion_{seat}': '意见'})
    row, = [r for r in refusals.register(session, Filters()) if r['case'] == committee.business_key]
    assert row['state'] == 'awaiting_confirmation'
    assert row['reason'] == committee.data['refusal_reason'] == '贷款审批委员会表决未通过（同意1票，不同意2票）'
    assert sorted(row['refused_by']) == sorted([users['director'].full_name, users['director3'].full_name])
    assert row['basis'] == committee.data['refusal_basis']
    assert row['decided_at'] is not None
