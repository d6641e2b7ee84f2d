"""Every way through the loan process, driven through the engine on a real database.

Figures: the standard application (tests/loan_helpers.py) is 陈贷款, single, a first home (一手房)
at 1,500,000, asking 600,000 over 30 years; balance 60,000 × 15 = 900,000 binds the limit.
"""
from datetime import date, datetime

import pytest
from sqlalchemy import select

from tests.loan_helpers import AT, COUPLE, complete, households, open_steps, register, run_until, users
from workflows import runtime
from workflows.actors import Actor
from workflows.errors import FormInvalid, NotAllowed
from workflows.models import (CaseClock, CaseParty, ClockState, FundContribution, FundLoan, HumanTask, InstanceStatus,
                              LoanDisbursement, TaskState)
from workflows.processes import loan


@pytest.fixture(autouse=True)
def _households(session):
    households(session)


def _clock(session, instance, name='decision'):
    return session.scalars(select(CaseClock).where(CaseClock.instance_id == instance.id, CaseClock.name == name)).one()


def test_approver_tier_from_acceptance_to_disbursement(session):
    instance = register(session)
    assert instance.business_key.startswith('DK20260601') and instance.applicant_name == '陈贷款'
    assert instance.title == '陈贷款 · 公积金贷款 600,000.00 元'
    parties = session.execute(select(CaseParty.role, CaseParty.name).where(CaseParty.instance_id == instance.id)).all()
    assert sorted(parties) == [('applicant', '陈贷款'), ('borrower', '陈贷款')]
    assert open_steps(session, instance) == ['accept']
    run_until(session, instance, 'decide_approver')
    data = instance.data
    assert (data['prelim']['limit'], data['prelim']['binding'], data['assessment']['grantable']) == (900000, 'balance',
                                                                                                     600000)
    assert (data['eligibility'], data['home_class'], data['household_type'], data['tier']) == (
        'eligible', 'first', 'single', 'approver')
    assert data['term']['term_years'] == 30 and data['annual_rate'] == '2.60'
    run_until(session, instance, None, skip=[s for s, _u, _f in loan.STANDARD_STEPS[:6]])
    assert (instance.status, instance.outcome) == (InstanceStatus.completed, 'disbursed')
    # the decision clock: accepted Mon 1 June 2026, 15 calendar days → Tue 16 June; decided the same day
    clock = _clock(session, instance)
    assert (clock.started_on, clock.due_date, clock.state) == (date(2026, 6, 1), date(2026, 6, 16), ClockState.met)
    payment = session.scalars(select(LoanDisbursement).where(LoanDisbursement.instance_id == instance.id)).one()
    assert (payment.amount, payment.payee_account, payment.confirmed) == (60_000_000, '31001234567890123', True)
    fund_loan = session.scalars(select(FundLoan).where(FundLoan.instance_id == instance.id)).one()
    assert (fund_loan.contract_no, fund_loan.amount, fund_loan.term_months, fund_loan.annual_rate) == (
        'JK-2026-0001', 60_000_000, 360, '2.60')
    # the schedule of the contract: 600,000 at 2.60 % for 360 months, level payments of 2,402.04
    assert instance.data['schedule']['annuity_first_months'].startswith('第1期 2,402.04')
    # a second application by the same borrower now finds an open fund loan
    again = register(session)
    complete(session, again, 'accept')
    assert again.data['eligibility'] == 'refuse' and '未结清' in again.data['refusal_reason']


def test_director_tier(session):
    # 高额度: balance 200,000 × 15 = 3,000,000; price 2,000,000 × 0.8 = 1,600,000; ceiling 1,200,000 binds.
    instance = register(session, account_no='200000000005', amount=1000000, price=2000000)
    run_until(session, instance, 'final_review')
    assert (instance.data['assessment']['limit'], instance.data['assessment']['binding']) == (1200000, 'ceiling')
    complete(session, instance, 'final_review', recommended_amount=1000000)
    assert instance.data['tier'] == 'director' and open_steps(session, instance) == ['decide_director']
    complete(session, instance, 'decide_director', 'director',
             {'director_decision': 'approve', 'director_amount': 1000000, 'director_opinion': '同意'})
    assert open_steps(session, instance) == ['sign_contract'] and instance.data['approved_amount'] == 1000000


def _committee_case(session):
    instance = register(session, **COUPLE, price=3000000, amount=1600000, borrower_income=30000)
    parties = set(session.execute(select(CaseParty.role, CaseParty.name).where(CaseParty.instance_id == instance.id)))
    assert ('spouse', '林配偶') in parties
    run_until(session, instance, 'final_review')
    # a couple: 60,000 + 90,000 = 150,000 × 15 = 2,250,000 binds (ceiling 2,400,000; 3,000,000 × 0.8 = 2,400,000)
    assert (instance.data['household_type'], instance.data['assessment']['limit']) == ('couple', 2250000)
    # the spouse (a woman formerly retiring at 55, born 2 Feb 1991) retires at 58 on 2049-02-02; + 5 years =
    # 2054-02-02: 27 years 8 months from 1 June 2026, so the spouse binds the 30 years asked for to 27
    assert (instance.data['term']['term_years'], instance.data['term']['bound_by']) == (27, 'spouse')
    complete(session, instance, 'final_review', recommended_amount=1600000)
    assert instance.data['tier'] == 'committee'
    return instance


def _votes(session, instance, votes):
    for seat, (username, vote) in enumerate(votes, 1):
        complete(session, instance, f'committee_vote_{seat}', username,
                 {f'vote_{seat}': vote, f'vote_opinion_{seat}': f'{username}的意见'})


def test_committee_approves_by_majority(session):
    instance = _committee_case(session)
    seats = ['committee_vote_1', 'committee_vote_2', 'committee_vote_3']
    assert open_steps(session, instance) == seats                        # three members vote in parallel
    _votes(session, instance, [('director', 'approve'), ('director2', 'reject'), ('director3', 'approve')])
    assert (instance.data['committee_votes'], instance.data['votes_for']) == (['approve', 'reject', 'approve'], 2)
    assert instance.data['approved_amount'] == 1600000 and open_steps(session, instance) == ['sign_contract']
    voters = session.scalars(select(HumanTask.completed_by).where(HumanTask.instance_id == instance.id,
                                                                  HumanTask.spec_id.in_(seats))).all()
    assert len(set(voters)) == 3


def test_committee_rejects_by_majority_then_refusal_is_reported_and_served(session):
    instance = _committee_case(session)
    _votes(session, instance, [('director', 'reject'), ('director2', 'approve'), ('director3', 'reject')])
    assert instance.data['committee_result'] == 'reject'
    assert instance.data['refusal_reason'] == '贷款审批委员会表决未通过（同意1票，不同意2票）'
    assert open_steps(session, instance) == ['refusal_report']
    complete(session, instance, 'refusal_report', 'approver', {'report_confirmed': True, 'report_opinion': '同意报备'})
    complete(session, instance, 'refusal_notice', 'clerk',
             {'notified_on': '2026-06-05', 'notice_method': 'in_person', 'notice_receiver': '陈贷款'})
    assert (instance.status, instance.outcome) == (InstanceStatus.completed, 'refused')
    assert _clock(session, instance).state == ClockState.met


def test_a_committee_member_votes_once(session):
    instance = _committee_case(session)
    _votes(session, instance, [('director', 'approve')])
    with pytest.raises(NotAllowed, match='Separation of duties'):
        complete(session, instance, 'committee_vote_2', 'director', {'vote_2': 'approve', 'vote_opinion_2': '再投一票'})


def test_an_exception_goes_to_the_committee_whatever_the_amount(session):
    instance = register(session)
    run_until(session, instance, 'final_review')
    complete(session, instance, 'final_review', exception_case=True, exception_reason='借款人为引进人才，特殊情形')
    assert instance.data['tier'] == 'committee'
    assert open_steps(session, instance) == ['committee_vote_1', 'committee_vote_2', 'committee_vote_3']


def test_a_refusal_at_first_review_goes_through_the_refusal_report(session):
    instance = register(session)
    complete(session, instance, 'accept')
    complete(session, instance, 'initial_review', form={
        'initial_decision': 'refuse', 'income_verified': True, 'credit_checked': False, 'property_verified': True,
        'initial_reason': '征信报告显示连续逾期', 'initial_basis': '本市个人住房公积金贷款管理办法第十条'})
    assert (instance.data['refused_at'], instance.data['refusal_basis']) == ('initial_review', '本市个人住房公积金贷款管理办法第十条')
    complete(session, instance, 'refusal_report', 'approver', {'report_confirmed': True, 'report_opinion': '理由依据充分'})
    complete(session, instance, 'refusal_notice', 'clerk',
             {'notified_on': '2026-06-03', 'notice_method': 'post', 'notice_receiver': '陈贷款'})
    assert instance.outcome == 'refused'


def test_the_approver_who_refused_does_not_report_their_own_refusal(session):
    instance = register(session)
    run_until(session, instance, 'decide_approver')
    complete(session, instance, 'decide_approver', 'approver', {
        'approver_decision': 'refuse', 'approver_reason': '购房用途存疑', 'approver_basis': '本市个人住房公积金贷款管理办法'})
    with pytest.raises(NotAllowed, match='Separation of duties'):
        complete(session, instance, 'refusal_report', 'approver', {'report_confirmed': True, 'report_opinion': '同意'})
    session.rollback()
    complete(session, instance, 'refusal_report', 'approver2', {'report_confirmed': True, 'report_opinion': '同意'})
    assert open_steps(session, instance) == ['refusal_notice']


def test_send_backs_go_one_step_back_and_are_bounded(session):
    instance = register(session)
    run_until(session, instance, 'final_review')
    complete(session, instance, 'final_review', final_decision='return', final_reason='请补充核实收入')
    assert open_steps(session, instance) == ['initial_review'] and instance.data['rework_count'] == 1
    complete(session, instance, 'initial_review', initial_decision='return', initial_reason='收入证明须重新提交')
    assert open_steps(session, instance) == ['accept'] and instance.data['rework_count'] == 2
    complete(session, instance, 'accept')
    before = instance.version
    with pytest.raises(FormInvalid) as refused:         # the third send-back (max_rework = 2) is refused …
        complete(session, instance, 'initial_review', initial_decision='return', initial_reason='再次退回')
    assert list(refused.value.errors) == ['initial_decision']    # … on the decision field, changing nothing
    session.rollback()
    assert session.get(type(instance), instance.id).version == before
    complete(session, instance, 'initial_review')
    assert open_steps(session, instance) == ['interview']


def test_missing_materials_pause_the_decision_clock(session):
    instance = register(session, materials_provided=['id_card', 'income_proof'])
    assert 'purchase_contract' in instance.data['checklist']['missing']
    # the clerk ticks "complete", but the checklist of the property type is not: the notice lists it all
    complete(session, instance, 'accept', form={'materials_complete': True})
    assert open_steps(session, instance) == ['await_materials'] and instance.status == InstanceStatus.waiting
    assert _clock(session, instance).state == ClockState.paused
    complete(session, instance, 'await_materials', 'clerk', {'materials_supplied': True},
             at=datetime(2026, 6, 8, 2, 0))          # supplied Mon 8 June
    clock = _clock(session, instance)
    # paused (1 June, 8 June] = 7 calendar days: 15 + 7 = 22 days from 1 June = Tue 23 June
    assert (clock.state, clock.paused_days, clock.due_date) == (ClockState.running, 7, date(2026, 6, 23))
    # the notice's own deadline for the missing materials (30 calendar days: 1 July) was met
    supplement = _clock(session, instance, 'supplement')
    assert (supplement.due_date, supplement.state) == (date(2026, 7, 1), ClockState.met)
    assert open_steps(session, instance) == ['initial_review']


def test_materials_never_supplied_end_the_application(session):
    instance = register(session)
    complete(session, instance, 'accept', form={'materials_complete': False, 'missing_items': ['income_proof']})
    complete(session, instance, 'await_materials', 'clerk', {'materials_supplied': False})
    assert (instance.status, instance.outcome) == (InstanceStatus.completed, 'withdrawn')


@pytest.mark.parametrize('first', ['valuation', 'guarantee'])
def test_valuation_and_guarantee_run_in_parallel_in_either_order(session, first):
    # 罗首付, a resale at 700,000 appraised at 650,000: min × 0.8 = 520,000 binds the limit
    instance = register(session, account_no='200000000004', property_type='resale', price=700000, amount=600000,
                        materials_provided=loan.STANDARD_APPLICATION['materials_provided'] + ['title_certificate'])
    run_until(session, instance, 'guarantee')
    assert instance.data['prelim']['ltv_limit'] == 560000          # before the valuation: the price × 0.8
    assert open_steps(session, instance) == ['guarantee', 'valuation']
    forms = {'valuation': ('clerk', {'appraiser': '上海某某房地产估价有限公司', 'valuation_report_no': 'PG-2026-018',
                                     'appraised_value': 650000, 'valued_on': '2026-06-04'}),
             'guarantee': ('clerk2', {'guarantee_kind': 'mortgage', 'guarantor': '所购住房', 'guarantee_ref': 'DB-2026-9'})}
    second = 'guarantee' if first == 'valuation' else 'valuation'
    complete(session, instance, first, *forms[first])
    assert open_steps(session, instance) == [second]
    complete(session, instance, second, *forms[second])
    assert open_steps(session, instance) == ['final_review']
    assert (instance.data['assessment']['limit'], instance.data['assessment']['binding']) == (520000, 'ltv')
    assert instance.data['assessment']['grantable'] == 520000 and instance.data['guarantee_ref'] == 'DB-2026-9'


def test_a_presale_needs_the_developers_guarantee_and_an_advance_notice(session):
    instance = register(session, property_type='presale',
                        materials_provided=loan.STANDARD_APPLICATION['materials_provided'] + ['presale_permit',
                                                                                              'developer_guarantee'])
    run_until(session, instance, 'guarantee')
    assert open_steps(session, instance) == ['guarantee']
    with pytest.raises(FormInvalid) as refused:
        complete(session, instance, 'guarantee')                      # 'mortgage' is not enough for 期房
    assert list(refused.value.errors) == ['guarantee_kind']
    session.rollback()
    complete(session, instance, 'guarantee', guarantee_kind='stage_guarantee', guarantor='上海某某置业有限公司')
    run_until(session, instance, 'mortgage_registration', skip=[s for s, _u, _f in loan.STANDARD_STEPS[:5]])
    assert open_steps(session, instance) == ['pre_registration']


def test_the_rate_is_the_one_in_force_on_the_contract_date(session):
    at = datetime(2025, 5, 6, 2, 0)
    instance = register(session, at=at)
    for step, username, form in loan.STANDARD_STEPS[:7]:
        complete(session, instance, step, username, form, at=at)
    # applied on 6 May 2025: first home over 5 years 2.85 % (the period from 18 May 2024)
    assert instance.data['assessment']['annual_rate'] == '2.85'
    complete(session, instance, 'sign_contract', contract_date='2025-05-08', at=datetime(2025, 5, 8, 2, 0))
    # signed on 8 May 2025, the first day of the new rates: 2.60 %
    assert instance.data['annual_rate'] == '2.60' and instance.data['schedule']['annual_rate'] == '2.60'


@pytest.mark.parametrize('account_no, overrides, reason', [
    ('200000000007', {}, '未结清的住房公积金贷款'),
    ('200000000008', {'borrower_retirement_base': 'female_55'}, '不满6个月'),
    ('100000000004', {'borrower_retirement_base': 'female_50'}, '骗提骗贷禁入期'),   # the demo ban; ID digit 17 even
])
def test_the_rules_refuse_with_reason_and_basis(session, account_no, overrides, reason):
    instance = register(session, account_no=account_no, **overrides)
    complete(session, instance, 'accept')
    assert instance.data['eligibility'] == 'refuse' and reason in instance.data['refusal_reason']
    assert instance.data['refusal_basis'] and open_steps(session, instance) == ['refusal_report']


def test_two_homes_and_age_are_refused_and_a_second_home_is_classed(session):
    second = register(session, account_no='200000000006')
    complete(session, second, 'accept')
    assert (second.data['home_class'], second.data['ltv'], second.data['annual_rate']) == ('second', 0.6, '3.075')
    session.get(FundContribution, '200000000009').paid_through = date(2033, 5, 1)   # still contributing in 2033
    session.commit()
    old = register(session, account_no='200000000009', term_years=20, at=datetime(2033, 6, 1, 2, 0))
    complete(session, old, 'accept', at=datetime(2033, 6, 1, 2, 0))
    # born March 1968: retires January 2029; + 5 years = January 2034: less than a year left in June 2033
    assert old.data['term']['term_years'] == 0 and '可贷期限不足1年' in old.data['refusal_reason']


def test_near_retirement_the_term_is_cut_to_what_is_left(session):
    instance = register(session, account_no='200000000009', term_years=20)
    complete(session, instance, 'accept')
    assert (instance.data['term']['term_years'], instance.data['term']['bound_by']) == (7, 'borrower')
    assert instance.data['term']['borrower_retirement'].startswith('2029-01-03（60岁10个月）')


def test_the_category_must_match_the_sex_in_the_id_number(session):
    with pytest.raises(FormInvalid) as refused:
        register(session, **{**COUPLE, 'spouse_retirement_base': 'male_60'})
    assert list(refused.value.errors) == ['spouse_retirement_base']


def test_the_two_interview_officers_are_distinct(session):
    instance = register(session)
    run_until(session, instance, 'interview_cosign')
    with pytest.raises(NotAllowed, match='Separation of duties'):
        complete(session, instance, 'interview_cosign', 'clerk')


def test_disbursement_never_above_the_approved_amount_nor_to_another_account(session):
    instance = register(session)
    run_until(session, instance, 'disburse')
    for change, field in (({'paid_amount': 600000.01}, 'paid_amount'), ({'payee_account': '62220000000000001'},
                                                                        'payee_account')):
        with pytest.raises(FormInvalid) as refused:
            complete(session, instance, 'disburse', **change)
        assert list(refused.value.errors) == [field]
        session.rollback()
    assert session.scalars(select(LoanDisbursement)).all() == []
    complete(session, instance, 'disburse', paid_amount=550000)
    with pytest.raises(NotAllowed, match='Separation of duties'):      # 双人复核: not the same cashier
        complete(session, instance, 'disburse_check', 'cashier')
    session.rollback()
    complete(session, instance, 'disburse_check', 'cashier2', {'check_decision': 'return', 'check_note': '凭证号有误'})
    assert open_steps(session, instance) == ['disburse']
    complete(session, instance, 'disburse', voucher_no='FK-2026-0002')
    complete(session, instance, 'disburse_check', 'cashier2')
    assert instance.outcome == 'disbursed'
    assert session.scalars(select(LoanDisbursement.amount)).one() == 60_000_000


def test_staff_who_are_the_spouse_cannot_act_on_the_loan(session):
    staff = users(session)['reviewer']
    spouse = {k: v for k, v in COUPLE.items() if k != 'spouse_account_no'}
    instance = register(session, **{**spouse, 'spouse_id_number': staff.id_number, 'spouse_contributes': False,
                                    'spouse_retirement_base': 'male_60'})     # 李审核's ID: 17th digit 3, a man
    complete(session, instance, 'accept')
    task = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                   HumanTask.state == TaskState.ready)).one()
    with pytest.raises(NotAllowed, match='party'):
        runtime.claim_task(session, task.id, Actor(staff, AT))


def test_a_contract_number_is_used_once(session):
    first = register(session)
    run_until(session, first, None)
    second = register(session, account_no='200000000005')
    run_until(session, second, 'sign_contract')
    with pytest.raises(FormInvalid) as refused:
        complete(session, second, 'sign_contract')                    # JK-2026-0001 again
    assert list(refused.value.errors) == ['contract_no']
