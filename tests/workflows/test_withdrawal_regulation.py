"""The withdrawal as the regulation needs it: types as data, closing, death, bans, 否定报备, approval
limits, reduced amounts, the 补正 deadline, notices and payment checks — on a real database."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from workflows import documents, runtime, worker
from workflows.actors import Actor
from workflows.definitions import loaded_definition
from workflows.errors import FormInvalid, NotAllowed, OperationRefused
from workflows.models import AccountClosure, BankAccount, FundAccount, InstanceStatus, utcnow

from .helpers import TODAY, complete, open_task, register

ALL_MATERIALS = ['id_card', 'unit_certificate', 'bank_card', 'purchase_contract', 'purchase_invoice', 'build_permit',
                 'retirement_proof', 'incapacity_proof', 'emigration_proof', 'loan_contract', 'rent_contract',
                 'hardship_proof', 'renovation_contract', 'property_fee_invoice']

TYPES = [('purchase', '01', 20000), ('build', '02', 20000), ('retirement', '03', None), ('incapacity', '04', None),
         ('emigration', '05', None), ('repay_loan', '06', 6000), ('rent', '07', 3000), ('hardship', '09', 5000),
         ('renovation', '99', 30000), ('property_fee', '99', 2000)]


def _to_payment(session, users, instance):
    complete(session, instance, 'accept', users('clerk'), {'materials_complete': True})
    complete(session, instance, 'review', users('reviewer'), {'decision': 'approve', 'reason': '材料齐全'})
    if open_task(session, instance, 'approve') is not None:
        complete(session, instance, 'approve', users('approver'), {'decision': 'approve', 'reason': '同意'})


def _pay(session, users, instance, amount):
    complete(session, instance, 'pay', users('cashier'), {'voucher_no': 'ZF-1', 'paid_amount': amount, 'paid_on': TODAY})


@pytest.mark.parametrize('kind, code, amount', TYPES)
def test_each_type_runs_from_registration_to_payment(session, user_named, kind, code, amount):
    instance = register(session, user_named('clerk'), account_no='100000000003', withdrawal_type=kind,
                        amount=amount or 100, materials_provided=ALL_MATERIALS)
    data = instance.data
    assert (data['type_code'], data['type_in_force'], data['rule_decision']) == (code, True, 'manual')
    assert data['type_basis'] and data['type_facts'] and data['materials']['lacking'] == []
    assert '（新增）' not in data['type_name']
    # the unit's 提取证明 is either a material of the type or the rule waiving it is recorded
    assert ('unit_certificate' in data['materials']['required']) == data['unit_certificate_rule'].startswith('须提交')
    _to_payment(session, user_named, instance)
    paid = data['approved_amount'] if amount is None else amount
    _pay(session, user_named, instance, paid)
    assert (instance.status, instance.outcome) == (InstanceStatus.completed, 'paid')
    closed = session.get(AccountClosure, '100000000003')
    assert (closed is not None) == (amount is None)   # the closing types close the account


def test_closing_type_pays_the_whole_balance_and_closes_the_account(session, user_named):
    instance = register(session, user_named('clerk'), withdrawal_type='retirement', amount=100)
    assert instance.data['amount'] == 86000 and instance.data['requested_amount'] == 100
    _to_payment(session, user_named, instance)
    pay = open_task(session, instance, 'pay')
    with pytest.raises(FormInvalid):            # less than the whole balance is refused on the amount
        runtime.complete_task(session, pay.id, {'voucher_no': 'ZF-1', 'paid_amount': 80000, 'paid_on': TODAY},
                              Actor(user_named('cashier')))
    session.rollback()
    _pay(session, user_named, instance, 86000)
    assert session.get(FundAccount, '100000000001').balance == 0
    assert session.get(AccountClosure, '100000000001').destination == 'payee'
    with pytest.raises(FormInvalid):             # a closed account takes no new application
        register(session, user_named('clerk'), withdrawal_type='purchase')


def test_a_closing_withdrawal_cannot_be_reduced(session, user_named):
    instance = register(session, user_named('clerk'), account_no='100000000002', withdrawal_type='retirement', amount=1)
    complete(session, instance, 'accept', user_named('clerk'), {'materials_complete': True})
    review = open_task(session, instance, 'review')
    with pytest.raises(FormInvalid) as info:
        runtime.complete_task(session, review.id, {'decision': 'approve', 'approved_amount': 100},
                              Actor(user_named('reviewer')))
    assert list(info.value.errors) == ['approved_amount']


HEIRS = '王小明，310101200001011234，子，60\n王小红，310101200202022345，女，40'


def test_death_with_two_heirs_pays_each_share(session, user_named):
    instance = register(session, user_named('clerk'), account_no='100000000002', withdrawal_type='death', amount=1,
                        heirs=HEIRS, materials_provided=['death_certificate', 'heir_id'])
    data = instance.data
    assert data['heirs_of_record']['count'] == 2 and '王小明（子，60%）' in data['heirs_of_record']['listed']
    assert instance.applicant_name == '王小明'               # the heirs apply, not the deceased
    names = data['materials']['required']
    assert 'inheritance_proof' in names and 'unit_certificate' not in names   # 12,500 yuan: notarised proof
    assert data['materials']['lacking'] == ['inheritance_proof', 'bank_card']
    _to_payment(session, user_named, instance)
    payee = instance.data['payee']['payee']
    assert '王小明' in payee and '7,500.00元' in payee and '王小红' in payee and '5,000.00元' in payee
    assert '未登记本人银行账户' in payee
    pay = open_task(session, instance, 'pay')
    with pytest.raises(OperationRefused):        # never paid to an account not on record
        runtime.complete_task(session, pay.id, {'voucher_no': 'ZF-1', 'paid_amount': 12500, 'paid_on': TODAY},
                              Actor(user_named('cashier')))
    session.rollback()


def test_death_pays_the_heirs_whole_balance_into_their_accounts_on_record_and_closes(session, user_named):
    session.add_all([BankAccount(id_number='310101200001011234', holder_name='王小明', bank='中国银行', card_no='6216600000000001'),
                     BankAccount(id_number='310101200202022345', holder_name='王小红', bank='中国银行', card_no='6216600000000002')])
    session.commit()
    instance = register(session, user_named('clerk'), account_no='100000000002', withdrawal_type='death', amount=1,
                        heirs=HEIRS)
    _to_payment(session, user_named, instance)
    assert '6216600000000001' in instance.data['payee']['payee'] and '6216600000000002' in instance.data['payee']['payee']
    _pay(session, user_named, instance, 12500)
    assert (instance.outcome, session.get(AccountClosure, '100000000002').destination) == ('paid', 'payee')


def test_death_under_the_small_amount_takes_a_unit_certificate_instead_of_notarised_proof(session, user_named):
    session.get(FundAccount, '100000000002').balance = 950000      # 9,500 yuan
    session.commit()
    instance = register(session, user_named('clerk'), account_no='100000000002', withdrawal_type='death', amount=1,
                        heirs='王小明，310101200001011234，子，100')
    names = instance.data['materials']['required']
    assert 'unit_certificate' in names and 'inheritance_proof' not in names
    assert '代替继承权公证' in instance.data['unit_certificate_rule']


def test_death_without_heirs_goes_to_the_value_added_income(session, user_named):
    instance = register(session, user_named('clerk'), account_no='100000000002', withdrawal_type='death', amount=1)
    _to_payment(session, user_named, instance)
    assert (instance.status, instance.outcome) == (InstanceStatus.completed, 'value_added')
    assert session.get(AccountClosure, '100000000002').destination == 'value_added'
    assert session.get(FundAccount, '100000000002').balance == 0


@pytest.mark.parametrize('heirs, message', [
    ('王小明，310101200001011234，子，60', 'add up to 100'),
    ('王小明，3101012000，子，100', 'ID number'),
])
def test_bad_heirs_are_refused_on_the_field(session, user_named, heirs, message):
    with pytest.raises(FormInvalid) as info:
        register(session, user_named('clerk'), account_no='100000000002', withdrawal_type='death', amount=1, heirs=heirs)
    assert list(info.value.errors) == ['heirs'] and message in info.value.errors['heirs'][0][0]


def test_a_fraud_ban_records_its_decision_and_law_and_does_not_block_retirement(session, user_named):
    rent = register(session, user_named('clerk'), account_no='100000000004', withdrawal_type='rent', amount=1000)
    assert rent.data['rule_decision'] == 'reject'
    assert '沪公积金罚字〔2024〕第0117号' in rent.data['rule_reason']
    assert '行为时适用' in rent.data['rule_basis'] and '第十八条' in rent.data['rule_basis']
    retirement = register(session, user_named('clerk'), account_no='100000000004', withdrawal_type='retirement', amount=1)
    assert retirement.data['rule_decision'] == 'manual'


def test_monthly_standing_withdrawals_are_not_blocked_by_the_yearly_limit(session, user_named):
    clerk = user_named('clerk')
    first = register(session, clerk, withdrawal_type='repay_loan', amount=1000)
    complete(session, first, 'accept', clerk, {'materials_complete': True})
    complete(session, first, 'review', user_named('reviewer'), {'decision': 'approve'})
    complete(session, first, 'pay', user_named('cashier'), {'voucher_no': 'ZF-1', 'paid_amount': 1000,
                                                            'paid_on': TODAY})
    again = register(session, clerk, withdrawal_type='repay_loan', amount=1000)
    assert again.data['rule_decision'] == 'reject'
    complete(session, again, 'refusal_report', user_named('approver'), {'report_decision': 'confirm',
                                                                        'report_opinion': '超过频次'})
    complete(session, again, 'serve_notice', clerk, {'notice_method': 'in_person', 'notified_on': TODAY})
    monthly = register(session, clerk, withdrawal_type='repay_loan', amount=1000, recurring=True)
    assert monthly.data['rule_decision'] == 'manual'
    not_recurring_type = register(session, clerk, withdrawal_type='purchase', amount=1000, recurring=True)
    assert '按月委托' in not_recurring_type.data['rule_reason']


def test_a_type_only_a_local_rule_allows_is_refused_before_the_rule_is_in_force(session, user_named):
    instance = runtime.start_instance(session, 'withdrawal', {
        'account_no': '100000000001', 'withdrawal_type': 'renovation', 'amount': 1000},
        Actor(user_named('clerk'), at=datetime(2024, 6, 3, 2, 0)))
    assert instance.data['type_in_force'] is False and instance.data['rule_decision'] == 'reject'


def test_the_notice_may_list_only_what_the_type_still_lacks(session, user_named):
    instance = register(session, user_named('clerk'))       # purchase with ID card and contract
    assert instance.data['materials']['lacking'] == ['unit_certificate', 'purchase_invoice', 'bank_card']
    accept = open_task(session, instance, 'accept')
    for wrong in (['rent_contract'], ['purchase_contract']):   # not for this type / already provided
        with pytest.raises(FormInvalid) as info:
            runtime.complete_task(session, accept.id, {'materials_complete': False, 'missing_items': wrong},
                                  Actor(user_named('clerk')))
        assert list(info.value.errors) == ['missing_items']
        session.rollback()


def test_refusal_sent_back_by_the_approver_returns_to_the_reviewer(session, user_named):
    instance = register(session, user_named('clerk'))
    complete(session, instance, 'accept', user_named('clerk'), {'materials_complete': True})
    complete(session, instance, 'review', user_named('reviewer'), {'decision': 'reject', 'reason': '材料不符', 'basis': '规程'})
    complete(session, instance, 'refusal_report', user_named('approver'),
             {'report_decision': 'send_back', 'report_opinion': '理由不足，请重新审核'})
    assert open_task(session, instance, 'review') is not None and instance.status == InstanceStatus.running
    complete(session, instance, 'review', user_named('reviewer'), {'decision': 'approve', 'reason': '复核后齐全'})
    assert open_task(session, instance, 'pay') is not None


def test_a_rules_refusal_sent_back_goes_to_manual_acceptance(session, user_named):
    instance = register(session, user_named('clerk'), account_no='100000000004', withdrawal_type='rent', amount=1000)
    complete(session, instance, 'refusal_report', user_named('approver'),
             {'report_decision': 'send_back', 'report_opinion': '禁入记录待核实'})
    assert open_task(session, instance, 'accept') is not None


def test_amounts_above_the_threshold_need_the_approver(session, user_named):
    instance = register(session, user_named('clerk'), account_no='100000000003', amount=60000)
    complete(session, instance, 'accept', user_named('clerk'), {'materials_complete': True})
    complete(session, instance, 'review', user_named('reviewer'), {'decision': 'approve'})
    assert instance.data['needs_approver'] is True and open_task(session, instance, 'pay') is None
    approve = open_task(session, instance, 'approve')
    assert approve.role_code == 'approver'
    complete(session, instance, 'approve', user_named('approver'), {'decision': 'approve', 'reason': '同意'})
    assert open_task(session, instance, 'pay') is not None


def test_the_reviewer_may_approve_less_and_payment_never_exceeds_it(session, user_named):
    instance = register(session, user_named('clerk'), amount=5000)
    complete(session, instance, 'accept', user_named('clerk'), {'materials_complete': True})
    review = open_task(session, instance, 'review')
    with pytest.raises(FormInvalid):
        runtime.complete_task(session, review.id, {'decision': 'approve', 'approved_amount': 5000.01},
                              Actor(user_named('reviewer')))
    session.rollback()
    complete(session, instance, 'review', user_named('reviewer'),
             {'decision': 'approve', 'approved_amount': 3000, 'reason': '发票金额仅3000元'})
    pay = open_task(session, instance, 'pay')
    with pytest.raises(FormInvalid) as info:
        runtime.complete_task(session, pay.id, {'voucher_no': 'ZF-1', 'paid_amount': 3000.01, 'paid_on': TODAY},
                              Actor(user_named('cashier')))
    assert list(info.value.errors) == ['paid_amount']
    session.rollback()
    _pay(session, user_named, instance, 3000)
    assert instance.data['payment']['debited'] == 3000


@pytest.mark.parametrize('paid_on', [(date.fromisoformat(TODAY) + timedelta(days=1)).isoformat(),
                                     (date.fromisoformat(TODAY) - timedelta(days=1)).isoformat()])
def test_payment_is_dated_neither_in_the_future_nor_before_the_approval(session, user_named, paid_on):
    instance = register(session, user_named('clerk'))
    _to_payment(session, user_named, instance)
    pay = open_task(session, instance, 'pay')
    with pytest.raises(FormInvalid) as info:
        runtime.complete_task(session, pay.id, {'voucher_no': 'ZF-1', 'paid_amount': 5000, 'paid_on': paid_on},
                              Actor(user_named('cashier')))
    assert list(info.value.errors) == ['paid_on']


def test_the_cashier_is_none_of_acceptor_reviewer_approver(session, user_named):
    instance = register(session, user_named('clerk'), account_no='100000000003', amount=60000)
    complete(session, instance, 'accept', user_named('clerk'), {'materials_complete': True})
    complete(session, instance, 'review', user_named('reviewer'), {'decision': 'approve'})
    approver = user_named('approver')
    complete(session, instance, 'approve', approver, {'decision': 'approve'})
    from workflows.models import Role
    approver.roles.append(session.get(Role, 'cashier'))
    session.commit()
    with pytest.raises(NotAllowed):
        runtime.complete_task(session, open_task(session, instance, 'pay').id,
                              {'voucher_no': 'ZF-1', 'paid_amount': 60000, 'paid_on': TODAY}, Actor(approver))


def _notice(session, instance, name):
    loaded = loaded_definition(instance.definition)
    return documents.render(session, instance, loaded, name)[1]


def test_refusal_notice_states_reasons_basis_remedies_and_service(session, user_named):
    instance = register(session, user_named('clerk'))
    complete(session, instance, 'accept', user_named('clerk'), {'materials_complete': True})
    complete(session, instance, 'review', user_named('reviewer'),
             {'decision': 'reject', 'reason': '购房合同与发票金额不符', 'basis': '本市提取管理办法第八条'})
    complete(session, instance, 'refusal_report', user_named('approver'),
             {'report_decision': 'confirm', 'report_opinion': '同意'})
    complete(session, instance, 'serve_notice', user_named('clerk'),
             {'notice_method': 'in_person', 'notified_on': TODAY, 'notice_receiver': '张伟'})
    html = _notice(session, instance, 'withdrawal.decision_notice')
    for part in ('不予提取通知书', '购房合同与发票金额不符', '本市提取管理办法第八条', '六十日内', '行政复议法》第二十条',
                 '六个月内', '行政诉讼法》第四十六条', '住房公积金管理中心', '12329', f'送达：{TODAY}，当面送达', '签收人张伟'):
        assert part in html, part


def test_approval_notice_states_amount_payee_basis_and_notification(session, user_named):
    instance = register(session, user_named('clerk'))
    _to_payment(session, user_named, instance)
    _pay(session, user_named, instance, 5000)
    html = _notice(session, instance, 'withdrawal.decision_notice')
    for part in ('准予提取通知书', '5,000.00', '6217001234567890123', '第二十四条', f'通知：{TODAY}，短信通知'):
        assert part in html, part


def test_one_time_notice_gives_the_deadline_its_consequence_where_and_a_signature_line(session, user_named):
    instance = register(session, user_named('clerk'))
    complete(session, instance, 'accept', user_named('clerk'),
             {'materials_complete': False, 'missing_items': ['purchase_invoice', 'bank_card']})
    html = _notice(session, instance, 'withdrawal.one_time_notice')
    until = instance.data['supplement']['until']
    clerk_name = user_named('clerk').full_name
    for part in (until, '逾期未补正的', '终止办理', '受理窗口', '12329', '申请人签收', f'经办人：{clerk_name}', TODAY):
        assert part in html, part


def test_the_supplement_deadline_ends_the_case_with_a_written_notice(session, session_factory, user_named, monkeypatch):
    instance = register(session, user_named('clerk'))
    complete(session, instance, 'accept', user_named('clerk'), {'materials_complete': False, 'missing_items': ['bank_card']})
    assert instance.next_timer_at is not None
    later = utcnow() + timedelta(days=40)
    assert worker.run_once(session_factory, 'w1', now=utcnow()) == 0          # not due yet
    # SpiffWorkflow reads the wall clock when it checks a timer: move that clock as well
    from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + timedelta(days=40)
    monkeypatch.setattr(spiff_timer, 'datetime', Later)
    assert worker.run_once(session_factory, 'w1', now=later) == 1
    session.expire_all()
    assert (instance.status, instance.outcome) == (InstanceStatus.completed, 'lapsed')
    html = _notice(session, instance, 'withdrawal.termination_notice')
    assert '终止办理通知书' in html and instance.data['supplement']['until'] in html and '未在补正期限' in html
