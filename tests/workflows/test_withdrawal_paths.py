"""Every branch of the withdrawal process, driven through the engine layer on a real database."""
from datetime import date, datetime

import pytest
from sqlalchemy import select

from workflows import audit, runtime
from workflows.actors import Actor
from workflows.models import AuditEvent, HumanTask, InstanceStatus, TaskState

from .helpers import APPLICATION, TODAY, complete, open_task, register


def _actions(session, instance):
    return session.scalars(select(AuditEvent.action).where(AuditEvent.instance_id == instance.id)
                           .order_by(AuditEvent.id)).all()


def test_online_low_risk_rent_is_auto_approved_then_paid(session, user_named):
    instance = register(session, user_named('clerk'), withdrawal_type='rent', amount=3000, channel='online')
    assert instance.data['rule_decision'] == 'auto_approve'
    assert open_task(session, instance, 'accept') is None
    pay = open_task(session, instance, 'pay')
    assert pay is not None and pay.role_code == 'cashier'
    complete(session, instance, 'pay', user_named('cashier'),
             {'voucher_no': 'ZF-0001', 'paid_amount': 3000, 'paid_on': TODAY})
    assert instance.status == InstanceStatus.completed and instance.outcome == 'paid'
    assert instance.data['payment']['debited'] == 3000 and '中国建设银行' in instance.data['payee']['payee']


@pytest.mark.parametrize('overrides, reason_part', [
    ({'account_no': '100000000004'}, '禁入期'),               # fraud ban on record
    ({'amount': 999999}, '超过住房公积金账户余额'),            # more than the balance
])
def test_rules_reject_with_reason_and_basis(session, user_named, overrides, reason_part):
    instance = register(session, user_named('clerk'), **overrides)
    assert instance.data['rule_decision'] == 'reject' and reason_part in instance.data['rule_reason']
    assert instance.data['rule_basis']
    report = open_task(session, instance, 'refusal_report')    # 否定报备: the approver signs off
    assert report is not None and report.role_code == 'approver'
    complete(session, instance, 'refusal_report', user_named('approver'),
             {'report_decision': 'confirm', 'report_opinion': '同意不予提取'})
    complete(session, instance, 'serve_notice', user_named('clerk'),
             {'notice_method': 'in_person', 'notified_on': TODAY})
    assert instance.status == InstanceStatus.completed and instance.outcome == 'rejected'
    rules = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance.id,
                                                     AuditEvent.action == 'rules').order_by(AuditEvent.id)).all()
    assert rules[-1].basis == instance.data['rule_basis']


def test_frequency_rule_counts_earlier_paid_withdrawals_of_the_same_type(session, user_named):
    clerk, cashier = user_named('clerk'), user_named('cashier')
    first = register(session, clerk, withdrawal_type='rent', amount=1000, channel='online')
    complete(session, first, 'pay', cashier, {'voucher_no': 'ZF-0002', 'paid_amount': 1000, 'paid_on': TODAY})
    second = register(session, clerk, withdrawal_type='rent', amount=1000, channel='online')
    assert second.data['rule_decision'] == 'reject'
    assert '频次' in second.data['rule_reason']
    other_type = register(session, clerk, withdrawal_type='purchase', amount=1000)
    assert other_type.status == InstanceStatus.running


def test_manual_path_approved_and_paid(session, user_named):
    instance = register(session, user_named('clerk'))
    accept = open_task(session, instance, 'accept')
    assert accept.role_code == 'clerk' and accept.due_date is not None
    complete(session, instance, 'accept', user_named('clerk'), {'materials_complete': True})
    complete(session, instance, 'review', user_named('reviewer'), {'decision': 'approve', 'reason': '材料齐全'})
    review = session.scalars(select(HumanTask).where(HumanTask.spec_id == 'review')).one()
    assert review.decision == 'approve' and review.completed_by == user_named('reviewer').id
    complete(session, instance, 'pay', user_named('cashier'),
             {'voucher_no': 'ZF-0003', 'paid_amount': 5000, 'paid_on': TODAY})
    assert (instance.status, instance.outcome) == (InstanceStatus.completed, 'paid')
    assert audit.verify(session).ok


def test_manual_reject_records_reason_and_basis(session, user_named):
    instance = register(session, user_named('clerk'))
    complete(session, instance, 'accept', user_named('clerk'), {'materials_complete': True})
    complete(session, instance, 'review', user_named('reviewer'),
             {'decision': 'reject', 'reason': '购房合同与发票金额不符', 'basis': '本市提取管理办法第八条'})
    complete(session, instance, 'refusal_report', user_named('approver'),
             {'report_decision': 'confirm', 'report_opinion': '理由充分'})
    complete(session, instance, 'serve_notice', user_named('clerk'), {'notice_method': 'post', 'notified_on': TODAY})
    assert (instance.status, instance.outcome) == (InstanceStatus.completed, 'rejected')
    assert open_task(session, instance, 'pay') is None
    close = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance.id,
                                                     AuditEvent.action == 'close')).one()
    assert close.basis == '本市提取管理办法第八条'
    assert close.data['reason'] == '购房合同与发票金额不符'


def test_the_clock_starts_at_acceptance_of_a_complete_application(session, user_named):
    clerk = user_named('clerk')
    instance = register(session, clerk)
    assert instance.due_date is None                    # received, not yet accepted
    complete(session, instance, 'accept', clerk,
             {'materials_complete': False, 'missing_items': ['purchase_invoice', 'bank_card']})
    assert instance.status == InstanceStatus.waiting and instance.due_date is None
    wait = open_task(session, instance, 'await_materials')
    assert wait is not None and wait.due_date is None   # no time limit runs against the applicant …
    assert instance.data['supplement']['until']         # … but the 补正 has its own deadline
    notice = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance.id,
                                                      AuditEvent.action == 'complete')).one()
    assert notice.data['after']['missing_items'] == ['purchase_invoice', 'bank_card']
    complete(session, instance, 'await_materials', clerk, {'materials_supplied': True})
    assert instance.status == InstanceStatus.running and instance.due_date is not None
    assert open_task(session, instance, 'review') is not None
    assert 'clock_start' in _actions(session, instance)


def test_the_decision_limit_counts_from_the_day_the_missing_items_were_supplied(session, user_named):
    clerk = user_named('clerk')
    instance = runtime.start_instance(session, 'withdrawal', {**APPLICATION, 'amount': 100}, Actor(clerk, at=datetime(2026, 9, 28, 2, 0)))   # Mon 28 Sep 2026, 10:00 Shanghai
    accept = open_task(session, instance, 'accept')
    runtime.complete_task(session, accept.id, {'materials_complete': False, 'missing_items': ['bank_card']}, Actor(clerk, at=datetime(2026, 9, 28, 3, 0)))
    wait = open_task(session, instance, 'await_materials')
    runtime.complete_task(session, wait.id, {'materials_supplied': True}, Actor(clerk, at=datetime(2026, 10, 13, 3, 0)))   # Tue 13 Oct
    session.commit()
    # Accepted complete on Tue 13 Oct: 3 working days are 14, 15, 16 Oct.
    assert instance.due_date == date(2026, 10, 16)
    review = open_task(session, instance, 'review')
    assert review.due_date == date(2026, 10, 15)   # 2 working days after Tue 13 Oct


def test_not_supplied_ends_the_case(session, user_named):
    clerk = user_named('clerk')
    instance = register(session, clerk)
    complete(session, instance, 'accept', clerk, {'materials_complete': False, 'missing_items': ['bank_card']})
    complete(session, instance, 'await_materials', clerk, {'materials_supplied': False})
    assert (instance.status, instance.outcome) == (InstanceStatus.completed, 'withdrawn')


def test_completed_task_rows_and_due_dates(session, user_named):
    instance = register(session, user_named('clerk'))
    accept = open_task(session, instance, 'accept')
    assert accept.time_limit == '1wd'
    assert accept.due_date > accept.created_at.date()
    complete(session, instance, 'accept', user_named('clerk'), {'materials_complete': True})
    session.refresh(accept)
    assert accept.state == TaskState.completed
