"""The withdrawal (提取): its facts of record, its one-time notice and its demo cases.

Everything else about the withdrawal is in its files: `bpmn_models/withdrawal.bpmn`,
`rules/withdrawal_rules.dmn` and `forms/withdrawal_*.json`.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, or_, select

from ..actors import Actor
from ..models import (CaseParty, HumanTask, InstanceStatus, ProcessDefinition, ProcessInstance, TaskState,
                      User)
from ..operations import demo_cases, document, lookup

KEY = 'withdrawal'
OPEN = (InstanceStatus.running, InstanceStatus.waiting)


def _withdrawals(ctx):
    """Other withdrawal cases than the one being registered."""
    return (select(ProcessInstance).join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
            .where(ProcessDefinition.key == KEY, ProcessInstance.id != ctx.instance.id))


@lookup('withdrawal.history', title='本人提取记录', result={
    'reserved': {'title': '在办提取占用（元）', 'x-title-en': 'Reserved by open withdrawals (yuan)', 'x-unit': 'yuan'},
    'available': {'title': '可提取余额（元）', 'x-title-en': 'Available (yuan)', 'x-unit': 'yuan'},
    'prior_same_type_12m': {'title': '12个月内同类提取（笔）', 'x-title-en': 'Same type in 12 months'},
})
def withdrawal_history(ctx, account_no, id_number, withdrawal_type, balance):
    """What earlier withdrawals leave: the balance less open ones, and same-type ones in 12 months.

    Open applications reserve their amount, so applications registered before the first is paid
    cannot together overdraw the account; they also count towards the yearly limit, as paid ones do.
    """
    open_amounts = ctx.session.scalars(_withdrawals(ctx).where(
        ProcessInstance.status.in_(OPEN), ProcessInstance.data['account_no'].as_string() == str(account_no)))
    reserved = round(sum(float(i.data.get('amount', 0)) for i in open_amounts), 2)
    since = ctx.actor.at - timedelta(days=365)
    prior = ctx.session.scalar(_withdrawals(ctx).with_only_columns(func.count(ProcessInstance.id)).where(
        ProcessInstance.started_at >= since,
        ProcessInstance.data['withdrawal_type'].as_string() == str(withdrawal_type),
        ProcessInstance.id.in_(select(CaseParty.instance_id).where(CaseParty.id_number == id_number)),
        or_(ProcessInstance.status.in_(OPEN), ProcessInstance.outcome == 'paid')))
    return {'reserved': reserved, 'available': round(float(balance) - reserved, 2), 'prior_same_type_12m': prior or 0}


def _missing_items(data):
    return bool(data.get('missing_items'))


def _notice_context(session, instance, loaded):
    from ..models import AuditEvent
    issued = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance.id,
                                                      AuditEvent.action == 'clock_pause')
                             .order_by(AuditEvent.id)).first()
    handler = session.get(User, issued.actor_id) if issued and issued.actor_id else None
    return {'issued': issued, 'handler': handler}


document('withdrawal.one_time_notice', title='一次性告知书', template='withdrawal/one_time_notice.html',
         available=_missing_items, context=_notice_context)


# account, type, amount, channel, steps completed by the clerk: one case waiting at each stage
DEMO_CASES = [
    ('100000000001', 'purchase', 50000, 'window', []),                                   # acceptance
    ('100000000002', 'repay_loan', 6000, 'window', [('accept', {'materials_complete': True})]),  # review
    ('100000000003', 'renovation', 30000, 'window', [('accept', {                         # 一次性告知
        'materials_complete': False, 'missing_items': ['purchase_contract', 'bank_card'],
        'notice_note': '装修合同须注明装修地址与金额'})]),
    ('100000000003', 'rent', 3000, 'online', []),                   # approved by the rules: payment
    ('100000000004', 'rent', 2000, 'window', []),                   # fraud ban: rejected by the rules
]


@demo_cases(order=10)
def withdrawal_demo(session, users):
    """Five withdrawals, one waiting at each stage, so every demo user finds work on first login."""
    from ..runtime import complete_task, start_instance
    clerk = Actor(users['clerk'])
    for account_no, kind, amount, channel, steps in DEMO_CASES:
        data = {'account_no': account_no, 'withdrawal_type': kind, 'amount': amount,
                'materials_provided': ['id_card']}
        instance = start_instance(session, KEY, data, clerk, channel=channel)
        for spec_id, form in steps:
            task = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                           HumanTask.spec_id == spec_id,
                                                           HumanTask.state == TaskState.ready)).one()
            complete_task(session, task.id, form, clerk)
