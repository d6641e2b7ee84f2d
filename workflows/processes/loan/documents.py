"""The loan's printable documents: their registrations and what their templates use beyond the case data.

The templates are in `workflows/processes/templates/loan/`, where the shared renderer looks.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from ...models import CaseClock, HumanTask, User
from ...operations import document
from .limits import BINDING, BOUND_BY
from .schedule import dec, schedule


def _handlers(session, instance) -> dict[str, list]:
    """Step id -> the completed tasks of that step (oldest first), with who completed them."""
    tasks = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                    HumanTask.completed_by.is_not(None))
                            .order_by(HumanTask.completed_at, HumanTask.id)).all()
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_({t.completed_by for t in tasks})))}
    steps: dict[str, list] = {}
    for task in tasks:
        steps.setdefault(task.spec_id, []).append({'task': task, 'user': users.get(task.completed_by),
                                                    'day': task.completed_at})
    return steps


def repayment_plan(data):
    """The full schedule of what was approved (or may be approved), at the latest rate the case has."""
    amount = data.get('approved_amount') or (data.get('assessment') or data.get('prelim') or {}).get('grantable')
    rate, method = data.get('annual_rate'), data.get('repayment_method', 'annuity')
    term = data.get('approved_term_years') or (data.get('term') or {}).get('term_years')
    if not (amount and rate and term):
        return None
    rows = schedule(amount, rate, int(term) * 12, method)
    return {'method': method, 'amount': dec(amount), 'rate': rate, 'term': int(term), 'rows': rows,
            'total_payment': sum((r.payment for r in rows), Decimal(0)),
            'total_interest': sum((r.interest for r in rows), Decimal(0))}


def _context(session, instance, loaded):
    """What the loan's templates use beyond the case data: who did each step and when, clocks, labels."""
    data = instance.data or {}
    steps = _handlers(session, instance)

    def entry(step, index):
        entries = steps.get(step) or []
        return entries[index] if entries else None

    def who(step, index=-1):
        found = entry(step, index)
        return found['user'].full_name if found and found['user'] else ''

    def when(step, index=-1):
        found = entry(step, index)
        return found['day'] if found else None
    clocks = {c.name: c for c in session.scalars(select(CaseClock).where(CaseClock.instance_id == instance.id))}
    missing = list((data.get('checklist') or {}).get('missing', []))
    missing += [m for m in data.get('missing_items', []) if m not in missing]
    return {'who': who, 'when': when, 'forms': loaded.forms, 'plan': repayment_plan(data), 'missing': missing,
            'clock': clocks.get('decision'), 'supplement': clocks.get('supplement'),
            'yuan': lambda value: f'{float(value or 0):,.2f}',
            'value': lambda code: loaded.properties.get(f'labels.{code}', code or ''),
            'bound_by': dict(zip(BOUND_BY['enum'], BOUND_BY['x-enumNames'])).get((data.get('term') or {})
                                                                                   .get('bound_by'), ''),
            'result_labels': {'binding': dict(zip(BINDING['enum'], BINDING['x-enumNames']))}}


def _has(*keys):
    """Available once every one of `keys` has a value in the case data."""
    return lambda data: all(data.get(k) not in (None, '', []) for k in keys)


document('loan.acceptance_receipt', title='受理回执', template='loan/acceptance_receipt.html',
         available=_has('materials_complete'), context=_context)
document('loan.one_time_notice', title='一次性告知书', template='loan/one_time_notice.html',
         available=_has('notice_issued'), context=_context)
document('loan.interview_record', title='面签笔录', template='loan/interview_record.html',
         available=_has('cosign_confirmed'), context=_context)
document('loan.approval_form', title='贷款审批表', template='loan/approval_form.html',
         available=_has('final_decision'), context=_context)
document('loan.committee_minutes', title='贷款审批委员会会议纪要', template='loan/committee_minutes.html',
         available=_has('committee_result'), context=_context)
document('loan.refusal_notice', title='不予贷款通知书', template='loan/refusal_notice.html',
         available=_has('report_confirmed'), context=_context)
document('loan.repayment_schedule', title='还款计划表', template='loan/repayment_schedule.html',
         available=_has('approved_amount'), context=_context)
