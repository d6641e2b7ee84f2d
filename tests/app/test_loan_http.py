"""The loan through the real routes: what the reviewers see, and every separation-of-duties refusal
leaving the database exactly as it was."""
from datetime import date

import pytest
from sqlalchemy import select

from workflows.models import Role, User
from workflows.processes import loan

from .test_withdrawal_http import ready_task

STEPS = {step: (username, form) for step, username, form in loan.STANDARD_STEPS}


@pytest.fixture(autouse=True)
def _households(session_factory):
    with session_factory() as session:
        loan.add_demo_households(session, date.today())
        session.commit()


def _fields(form: dict) -> dict:
    """A form as a browser posts it: text, 'true'/'false', one value per ticked box."""
    return {k: ('true' if v else 'false') if isinstance(v, bool) else v if isinstance(v, list) else str(v)
            for k, v in form.items()}


def register(client, **overrides):
    r = client.post('/cases/new/loan', data=_fields({**loan.STANDARD_APPLICATION, **overrides}))
    assert r.status_code == 302, r.text
    return int(r.headers['Location'].rsplit('/', 1)[1])


def do(login, session_factory, case_id, step, username=None, **changes):
    """Complete `step` over HTTP as in the standard path (or as `username`, with `changes`)."""
    default_user, form = STEPS[step]
    r = login(username or default_user).post(f'/tasks/{ready_task(session_factory, case_id, step)}',
                                             data=_fields({**form, **changes}))
    assert r.status_code == 302, r.text
    return r


def until(login, session_factory, case_id, stop):
    for step, _username, _form in loan.STANDARD_STEPS:
        if step == stop:
            return
        do(login, session_factory, case_id, step)


def _grant(session_factory, username, role):
    with session_factory() as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        user.roles.append(s.get(Role, role))
        s.commit()


def test_reviewers_see_the_limit_the_rule_that_bound_it_and_the_schedules(login, session_factory):
    clerk = login('clerk')
    assert 'data-start="loan"' in clerk.get('/tasks/').text
    case_id = register(clerk)
    do(login, session_factory, case_id, 'accept')
    page = login('reviewer').get(f'/tasks/{ready_task(session_factory, case_id, "initial_review")}').text
    assert '可贷额度（元）' in page and '900,000.00' in page
    assert '约束额度的规则' in page and '账户余额倍数' in page
    assert '等额本息：首期还款' in page and '第1期 2,402.04' in page and '等额本金：首期还款' in page
    assert '风险提示' in page and '否定报备' in page and '首套住房' in page
    english = login('reviewer').get(f'/tasks/{ready_task(session_factory, case_id, "initial_review")}?lang=en').text
    assert 'Limit bound by' in english and 'Balance × multiple' in english and 'First review' in english


def test_a_loan_through_the_pages_with_its_documents(login, session_factory):
    case_id = register(login('clerk'))
    until(login, session_factory, case_id, None)
    clerk = login('clerk')
    page = clerk.get(f'/cases/{case_id}').text
    assert '已办结：已放款' in page and 'data-clock="decision"' in page
    for name in ('acceptance_receipt', 'interview_record', 'approval_form', 'repayment_schedule'):
        r = clerk.get(f'/cases/{case_id}/documents/loan.{name}')
        assert r.status_code == 200 and '住房公积金' in r.text, name
    assert clerk.get(f'/cases/{case_id}/documents/loan.refusal_notice').status_code == 404


SOD = {
    # step, who tries, role to grant first (or None), how far the case is
    'acceptor_is_not_first_reviewer': ('initial_review', 'clerk', 'reviewer'),
    'two_distinct_interview_officers': ('interview_cosign', 'clerk', None),
    'first_reviewer_is_not_second_reviewer': ('final_review', 'reviewer', None),
    'second_reviewer_does_not_decide': ('decide_approver', 'reviewer2', 'approver'),
    'approver_is_not_the_cashier': ('disburse', 'approver', 'cashier'),
    'the_cashier_does_not_check_their_own_payment': ('disburse_check', 'cashier', None),
}


@pytest.mark.parametrize('case', list(SOD))
def test_separation_of_duties_is_403_and_changes_nothing(login, session_factory, snapshot, case):
    step, username, role = SOD[case]
    case_id = register(login('clerk'))
    until(login, session_factory, case_id, step)
    if role:
        _grant(session_factory, username, role)
    task_id = ready_task(session_factory, case_id, step)
    client = login(username)
    before = snapshot()
    r = client.post(f'/tasks/{task_id}/claim')
    assert r.status_code == 403 and '职责分离' in r.text
    r = client.post(f'/tasks/{task_id}', data=_fields(STEPS[step][1]))
    assert r.status_code == 403
    assert snapshot() == before
    assert 'id="not-workable"' in client.get(f'/tasks/{task_id}').text     # no form the server would refuse


def test_staff_may_neither_register_nor_handle_a_loan_where_they_are_the_spouse(login, session_factory, snapshot):
    clerk = login('clerk')
    spouse_of_clerk = {'marital_status': 'married', 'spouse_name': '王受理', 'spouse_id_number': '310101198501010011',
                       'spouse_retirement_base': 'male_60', 'spouse_income': 9000, 'spouse_contributes': False}
    before = snapshot()
    r = clerk.post('/cases/new/loan', data=_fields({**loan.STANDARD_APPLICATION, **spouse_of_clerk}))
    assert r.status_code == 403
    assert snapshot() == before
    case_id = register(login('clerk2'), **{**spouse_of_clerk, 'spouse_name': '李审核',
                                           'spouse_id_number': '310101198701010033'})   # the reviewer's ID number
    do(login, session_factory, case_id, 'accept', 'clerk2')
    task_id, reviewer = ready_task(session_factory, case_id, 'initial_review'), login('reviewer')
    before = snapshot()
    r = reviewer.post(f'/tasks/{task_id}/claim')
    assert r.status_code == 403 and '当事人' in r.text
    assert snapshot() == before


def test_more_than_the_approved_amount_is_refused_on_its_field(login, session_factory, snapshot):
    case_id = register(login('clerk'))
    until(login, session_factory, case_id, 'disburse')
    task_id, cashier = ready_task(session_factory, case_id, 'disburse'), login('cashier')
    before = snapshot()
    r = cashier.post(f'/tasks/{task_id}', data=_fields({**STEPS['disburse'][1], 'paid_amount': 600001}))
    assert r.status_code == 422 and 'data-error-for="paid_amount"' in r.text
    r = cashier.post(f'/tasks/{task_id}', data=_fields({**STEPS['disburse'][1],
                                                                 'payee_account': '6222000000000001'}))
    assert r.status_code == 422 and 'data-error-for="payee_account"' in r.text
    assert snapshot() == before


def test_a_third_send_back_is_refused_on_the_decision_field(login, session_factory, snapshot):
    case_id = register(login('clerk'))
    until(login, session_factory, case_id, 'final_review')
    do(login, session_factory, case_id, 'final_review', final_decision='return', final_reason='请核实收入')
    do(login, session_factory, case_id, 'initial_review', initial_decision='return', initial_reason='补充收入证明')
    do(login, session_factory, case_id, 'accept')
    task_id, reviewer = ready_task(session_factory, case_id, 'initial_review'), login('reviewer')
    before = snapshot()
    r = reviewer.post(f'/tasks/{task_id}', data=_fields({**STEPS['initial_review'][1],
                                                                  'initial_decision': 'return',
                                                                  'initial_reason': '第三次退回'}))
    assert r.status_code == 422 and 'data-error-for="initial_decision"' in r.text
    assert snapshot() == before
