"""Money rules: open applications reserve the balance and bar a duplicate; payment debits the account."""
import pytest
from sqlalchemy import func, select

from workflows import runtime
from workflows.actors import Actor
from workflows.errors import FormInvalid, NotAllowed
from workflows.models import FundAccount, InstanceStatus, ProcessInstance

from .helpers import TODAY, complete, open_task, register


def test_a_second_open_application_of_the_same_type_is_refused_at_registration(session, user_named):
    clerk = user_named('clerk')
    first = register(session, clerk, channel='online', withdrawal_type='rent', amount=3000)
    assert first.data['rule_decision'] == 'auto_approve' and first.status == InstanceStatus.running
    session.commit()
    with pytest.raises(FormInvalid) as info:
        register(session, clerk, withdrawal_type='rent', amount=3000)
    session.rollback()
    [(message, params)] = info.value.errors['withdrawal_type']
    assert 'already open' in message and params == {'key': first.business_key}
    assert session.scalar(select(func.count(ProcessInstance.id))) == 1     # nothing stored
    other_type = register(session, clerk, withdrawal_type='purchase', amount=1000)
    assert other_type.status == InstanceStatus.running
    assert first.business_key in other_type.data['history']['open_cases']   # shown among the open cases


def test_open_applications_reserve_the_balance(session, user_named):
    clerk = user_named('clerk')   # account 100000000002 holds 12,500 yuan
    register(session, clerk, account_no='100000000002', withdrawal_type='purchase', amount=10000)
    second = register(session, clerk, account_no='100000000002', withdrawal_type='repay_loan', amount=5000)
    assert second.data['rule_decision'] == 'reject' and '余额' in second.data['rule_reason']
    third = register(session, clerk, account_no='100000000002', withdrawal_type='build', amount=2500)
    assert third.status == InstanceStatus.running


def _approved(session, user_named, amount=5000):
    instance = register(session, user_named('clerk'), amount=amount)
    complete(session, instance, 'accept', user_named('clerk'), {'materials_complete': True})
    complete(session, instance, 'review', user_named('reviewer'), {'decision': 'approve'})
    return instance


def test_payment_debits_the_account(session, user_named):
    instance = _approved(session, user_named)
    complete(session, instance, 'pay', user_named('cashier'),
             {'voucher_no': 'ZF-0001', 'paid_amount': 5000, 'paid_on': TODAY})
    assert session.get(FundAccount, '100000000001').balance == (86000 - 5000) * 100


def test_payment_above_the_approved_amount_is_refused(session, user_named):
    instance = _approved(session, user_named)
    pay = open_task(session, instance, 'pay')
    with pytest.raises(FormInvalid) as info:
        runtime.complete_task(session, pay.id, {'voucher_no': 'ZF-1', 'paid_amount': 5000.01,
                                                'paid_on': TODAY}, Actor(user_named('cashier')))
    assert list(info.value.errors) == ['paid_amount']
    session.rollback()
    assert session.get(FundAccount, '100000000001').balance == 86000 * 100
    assert open_task(session, instance, 'pay') is not None


def test_the_registrar_may_not_pay(session, user_named):
    clerk = user_named('clerk')
    clerk.roles.append(user_named('cashier').roles[0])
    session.commit()
    instance = register(session, clerk, channel='online', withdrawal_type='rent', amount=2000)
    pay = open_task(session, instance, 'pay')
    with pytest.raises(NotAllowed, match='Separation of duties'):
        runtime.complete_task(session, pay.id, {'voucher_no': 'ZF-1', 'paid_amount': 2000,
                                                'paid_on': TODAY}, Actor(clerk))
