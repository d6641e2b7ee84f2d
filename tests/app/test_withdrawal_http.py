"""A withdrawal through the real routes, and every refusal leaving the database exactly as it was."""
import re

import pytest
from sqlalchemy import select

from workflows.deadlines import local_date
from workflows.models import HumanTask, ProcessInstance, TaskState, utcnow

from .conftest import task_ids

APPLICATION = {'account_no': '100000000001', 'withdrawal_type': 'purchase', 'amount': '5000',
               'materials_provided': ['id_card', 'purchase_contract']}


def register(client, **overrides):
    r = client.post('/cases/new/withdrawal', data={**APPLICATION, **overrides})
    assert r.status_code == 302, r.text
    return int(r.headers['Location'].rsplit('/', 1)[1])


def ready_task(session_factory, case_id, spec_id):
    with session_factory() as s:
        return s.scalars(select(HumanTask.id).where(HumanTask.instance_id == case_id, HumanTask.spec_id == spec_id,
                                                    HumanTask.state == TaskState.ready)).one()


def test_full_manual_path_over_http(login, session_factory):
    clerk, reviewer, cashier = login('clerk'), login('reviewer'), login('cashier')
    case_id = register(clerk)
    accept = ready_task(session_factory, case_id, 'accept')
    r = clerk.get(f'/tasks/{accept}')
    assert r.status_code == 200 and '风险提示' in r.text and '一次性告知' in r.text and '柜台申请' in r.text
    assert clerk.post(f'/tasks/{accept}', data={'materials_complete': 'true'}).status_code == 302
    review = ready_task(session_factory, case_id, 'review')
    assert review in task_ids(reviewer.get('/tasks/queue').text)
    assert reviewer.post(f'/tasks/{review}/claim').status_code == 302
    assert review in task_ids(reviewer.get('/tasks/').text)
    assert reviewer.post(f'/tasks/{review}', data={'decision': 'approve', 'reason': '材料齐全'}).status_code == 302
    pay = ready_task(session_factory, case_id, 'pay')
    r = cashier.get(f'/tasks/{pay}')
    assert '6217001234567890123' in r.text          # the payee's own account on record, shown to the cashier
    r = cashier.post(f'/tasks/{pay}', data={'voucher_no': 'ZF-9', 'paid_amount': '5000',
                                            'paid_on': local_date(utcnow()).isoformat()})
    assert r.status_code == 302
    page = clerk.get(f'/cases/{case_id}').text
    assert '已办结：已支付' in page and page.count('data-step=') == 3
    assert reviewer.get('/tasks/done').text.count('data-task-id') == 1


def test_invalid_form_shows_errors_next_to_fields_and_changes_nothing(login, session_factory, snapshot):
    clerk, reviewer = login('clerk'), login('reviewer')
    case_id = register(clerk)
    clerk.post(f'/tasks/{ready_task(session_factory, case_id, "accept")}', data={'materials_complete': 'true'})
    review = ready_task(session_factory, case_id, 'review')
    before = snapshot()
    r = reviewer.post(f'/tasks/{review}', data={'decision': 'reject'})
    assert r.status_code == 422
    assert re.search(r'data-error-for="reason">此项为必填项', r.text)
    assert re.search(r'data-error-for="basis">此项为必填项', r.text)
    assert 'value="reject" checked' in r.text   # what was typed is kept
    assert snapshot() == before


def test_invalid_registration_is_422_with_field_errors(login, snapshot):
    clerk = login('clerk')
    before = snapshot()
    r = clerk.post('/cases/new/withdrawal', data={**APPLICATION, 'account_no': '12', 'amount': 'abc'})
    assert r.status_code == 422
    assert 'data-error-for="account_no"' in r.text and 'data-error-for="amount"' in r.text
    assert snapshot() == before


def test_separation_of_duties_violation_is_403_and_changes_nothing(login, session_factory, snapshot, db_engine):
    clerk = login('clerk')
    case_id = register(clerk)
    clerk.post(f'/tasks/{ready_task(session_factory, case_id, "accept")}', data={'materials_complete': 'true'})
    with session_factory() as s:   # the acceptor also holds the reviewer role
        from workflows.models import Role, User
        user = s.scalars(select(User).where(User.username == 'clerk')).one()
        user.roles.append(s.get(Role, 'reviewer'))
        s.commit()
    review = ready_task(session_factory, case_id, 'review')
    before = snapshot()
    r = clerk.post(f'/tasks/{review}/claim')
    assert r.status_code == 403 and '职责分离' in r.text
    r = clerk.post(f'/tasks/{review}', data={'decision': 'approve'})
    assert r.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize('username', ['admin', 'supervisor', 'cashier'])
def test_wrong_roles_cannot_complete_over_http(login, session_factory, snapshot, username):
    clerk = login('clerk')
    case_id = register(clerk)
    accept = ready_task(session_factory, case_id, 'accept')
    other = login(username)
    before = snapshot()
    r = other.post(f'/tasks/{accept}', data={'materials_complete': 'true'})
    assert r.status_code == 403
    assert snapshot() == before


def test_completing_a_handled_task_is_409(login, session_factory, snapshot):
    clerk, clerk2 = login('clerk'), login('clerk2')
    case_id = register(clerk)
    accept = ready_task(session_factory, case_id, 'accept')
    assert clerk.post(f'/tasks/{accept}', data={'materials_complete': 'true'}).status_code == 302
    before = snapshot()
    r = clerk2.post(f'/tasks/{accept}', data={'materials_complete': 'true'})
    assert r.status_code == 409 and '已被办理' in r.text
    assert snapshot() == before


def test_missing_task_and_case_are_404(login):
    clerk = login('clerk')
    assert clerk.get('/tasks/99999').status_code == 404
    assert clerk.get('/cases/99999').status_code == 404
    assert clerk.post('/tasks/99999', data={}).status_code == 404


def test_uninvolved_staff_cannot_open_a_case(login, session_factory):
    case_id = register(login('clerk'))
    r = login('officer').get(f'/cases/{case_id}')
    assert r.status_code == 403 and '您无权' in r.text
    assert login('officer').get(f'/cases/{case_id}/diagram.bpmn').status_code == 403
    assert login('supervisor').get(f'/cases/{case_id}').status_code == 200


def test_only_clerks_register(login):
    assert login('reviewer').get('/cases/new/withdrawal').status_code == 403
    assert login('admin').post('/cases/new/withdrawal', data=APPLICATION).status_code == 403


def test_rule_rejection_is_shown_with_reason_and_basis(login):
    clerk = login('clerk')
    r = clerk.post('/cases/new/withdrawal', data={**APPLICATION, 'account_no': '100000000004'}, follow_redirects=True)
    assert '否决' in r.text and '禁入期' in r.text and '第十八条' in r.text and '否定报备' in r.text


def test_refusal_report_and_printed_notice_over_http(login, session_factory):
    clerk, approver = login('clerk'), login('approver')
    case_id = register(clerk, account_no='100000000004', withdrawal_type='rent', amount='1000')
    report = ready_task(session_factory, case_id, 'refusal_report')
    assert approver.post(f'/tasks/{report}/claim').status_code == 302
    assert approver.post(f'/tasks/{report}', data={'report_decision': 'confirm',
                                                   'report_opinion': '禁入期内，同意不予提取'}).status_code == 302
    serve = ready_task(session_factory, case_id, 'serve_notice')
    today = local_date(utcnow()).isoformat()
    assert clerk.post(f'/tasks/{serve}', data={'notice_method': 'in_person', 'notified_on': today}).status_code == 302
    notice = clerk.get(f'/cases/{case_id}/documents/withdrawal.decision_notice').text
    assert '不予提取通知书' in notice and '沪公积金罚字〔2024〕第0117号' in notice and '六十日内' in notice
    assert f'送达：{today}，当面送达' in notice


def test_one_time_notice_over_http(login, session_factory):
    clerk = login('clerk')
    case_id = register(clerk)
    accept = ready_task(session_factory, case_id, 'accept')
    r = clerk.post(f'/tasks/{accept}', data={'materials_complete': 'false'})
    assert r.status_code == 422 and 'data-error-for="missing_items"' in r.text
    clerk.post(f'/tasks/{accept}', data={'materials_complete': 'false',
                                          'missing_items': ['purchase_invoice', 'bank_card']})
    page = clerk.get(f'/cases/{case_id}').text
    assert 'data-clock="decision"' not in page and '购房发票' in page and '本人银行卡' in page   # not yet accepted
    notice = clerk.get(f'/cases/{case_id}/documents/withdrawal.one_time_notice').text
    items = re.search(r'<ol id="missing-items">(.*?)</ol>', notice, re.S).group(1)
    assert '购房发票' in items and '本人银行卡' in items and items.count('<li>') == 2
    wait = ready_task(session_factory, case_id, 'await_materials')
    clerk.post(f'/tasks/{wait}', data={'materials_supplied': 'true'})
    page = clerk.get(f'/cases/{case_id}').text
    assert 'id="case-due"' in page and 'data-clock="decision"' in page   # accepted complete: the clock runs


def test_the_checklist_offers_exactly_what_this_application_lacks(login, session_factory):
    clerk = login('clerk')
    case_id = register(clerk)          # a purchase with the ID card and the contract
    accept = ready_task(session_factory, case_id, 'accept')
    page = clerk.get(f'/tasks/{accept}').text
    offered = re.findall(r'id="f-missing_items-(\w+)"', page)
    assert offered == ['unit_certificate', 'bank_card', 'purchase_invoice']   # in the checklist's order
    r = clerk.post(f'/tasks/{accept}', data={'materials_complete': 'false', 'missing_items': ['rent_contract']})
    assert r.status_code == 422 and re.search(r'data-error-for="missing_items">请从所列选项中选择', r.text)


def test_no_notice_for_a_complete_application(login):
    clerk = login('clerk')
    assert clerk.get(f'/cases/{register(clerk)}/notice').status_code == 404


def test_inbox_sorts_by_due_date_and_flags_overdue(login, session_factory):
    clerk = login('clerk')
    register(clerk)
    second = register(clerk, withdrawal_type='repay_loan')
    with session_factory() as s:
        from datetime import date
        t = s.get(HumanTask, ready_task(session_factory, second, 'accept'))
        t.due_date = date(2020, 1, 2)
        s.commit()
    html = clerk.get('/tasks/queue').text
    ids = task_ids(html)
    assert ids[0] == ready_task(session_factory, second, 'accept')
    assert 'due-overdue' in html and '已超期' in html


def test_diagram_is_the_cases_own_version(login, session_factory):
    clerk = login('clerk')
    case_id = register(clerk)
    r = clerk.get(f'/cases/{case_id}/diagram.bpmn')
    assert r.status_code == 200 and r.mimetype == 'application/xml' and b'id="accept"' in r.data
    page = clerk.get(f'/cases/{case_id}').text
    assert 'data-active=\'["accept"]\'' in page


def test_bad_heirs_and_an_empty_refusal_report_are_422_and_change_nothing(login, session_factory, snapshot):
    clerk, approver = login('clerk'), login('approver')
    before = snapshot()
    r = clerk.post('/cases/new/withdrawal', data={**APPLICATION, 'account_no': '100000000002', 'withdrawal_type': 'death',
                                                   'heirs': '王小明，310101200001011234，子，60'})
    assert r.status_code == 422 and 'data-error-for="heirs"' in r.text and '份额合计须为100' in r.text
    assert snapshot() == before
    case_id = register(clerk, account_no='100000000004', withdrawal_type='rent', amount='1000')
    report = ready_task(session_factory, case_id, 'refusal_report')
    before = snapshot()
    r = approver.post(f'/tasks/{report}', data={'report_decision': 'confirm'})
    assert r.status_code == 422 and 'data-error-for="report_opinion"' in r.text
    assert snapshot() == before


def test_a_reduced_amount_above_the_request_is_422_on_its_field(login, session_factory, snapshot):
    clerk, reviewer = login('clerk'), login('reviewer')
    case_id = register(clerk)
    clerk.post(f'/tasks/{ready_task(session_factory, case_id, "accept")}', data={'materials_complete': 'true'})
    review = ready_task(session_factory, case_id, 'review')
    before = snapshot()
    r = reviewer.post(f'/tasks/{review}', data={'decision': 'approve', 'approved_amount': '5000.01'})
    assert r.status_code == 422 and re.search(r'data-error-for="approved_amount">超过申请金额', r.text)
    assert snapshot() == before


def test_a_task_page_lists_the_applicants_other_cases(login, session_factory):
    clerk = login('clerk')
    earlier = register(clerk)
    other_person = register(clerk, account_no='100000000002')
    case_id = register(clerk, withdrawal_type='rent', amount='1000', materials_provided=['id_card'])
    page = clerk.get(f'/tasks/{ready_task(session_factory, case_id, "accept")}').text
    panel = re.search(r'<div class="card mb-3" id="party-cases">(.*?)</table>', page, re.S).group(1)
    with session_factory() as s:
        keys = dict(s.execute(select(ProcessInstance.id, ProcessInstance.business_key)).all())
    assert keys[earlier] in panel and keys[other_person] not in panel and keys[case_id] not in panel
    assert '住房公积金提取' in panel and '办理中' in panel


def test_the_risk_hint_speaks_the_pages_language(login, session_factory):
    clerk = login('clerk')
    accept = ready_task(session_factory, register(clerk), 'accept')
    hint = re.compile(r'<div class="alert alert-warning risk-hint py-2" id="risk-hint">(.*?)</div>', re.S)
    assert '一次性列明全部缺件' in hint.search(clerk.get(f'/tasks/{accept}').text).group(1)
    english = hint.search(clerk.get(f'/tasks/{accept}?lang=en').text).group(1)
    assert 'list only what this type still lacks' in english and '缺件' not in english
