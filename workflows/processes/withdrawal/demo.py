"""The withdrawal's demo cases: one waiting at each stage, so every demo user finds work on first login."""
from __future__ import annotations

from sqlalchemy import select

from ...actors import Actor
from ...models import HumanTask, TaskState
from ...operations import demo_cases
from .checks import KEY

# account, type, amount, channel, steps completed by the clerk: one case waiting at each stage
DEMO_CASES = [
    ('100000000001', 'purchase', 50000, 'window', []),                                   # acceptance
    ('100000000002', 'repay_loan', 6000, 'window', [('accept', {'materials_complete': True})]),  # review
    ('100000000003', 'renovation', 30000, 'window', [('accept', {                         # 一次性告知
        'materials_complete': False, 'missing_items': ['renovation_contract', 'unit_certificate'],
        'notice_note': '装修合同须注明装修地址与金额'})]),
    ('100000000003', 'rent', 3000, 'online', []),                   # approved by the rules: payment
    ('100000000004', 'rent', 2000, 'window', []),                   # fraud ban: refused by the rules, 否定报备
]


@demo_cases(order=10)
def withdrawal_demo(session, users):
    """Five withdrawals, one waiting at each stage."""
    from ...runtime import complete_task, start_instance
    clerk = Actor(users['clerk'])
    for account_no, kind, amount, channel, steps in DEMO_CASES:
        data = {'account_no': account_no, 'withdrawal_type': kind, 'amount': amount,
                'materials_provided': ['id_card', 'bank_card']}
        instance = start_instance(session, KEY, data, clerk, channel=channel)
        for spec_id, form in steps:
            task = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                           HumanTask.spec_id == spec_id,
                                                           HumanTask.state == TaskState.ready)).one()
            complete_task(session, task.id, form, clerk)
