"""The checks that refuse: materials handed in, the amount against the limit, the guarantee, send-backs.

A refusal names the parameter the model fed from the form just submitted, so it is shown on that field.
"""
from __future__ import annotations

from ...errors import N_
from ...operations import effect, lookup, refuse
from ...records import to_fen


@lookup('loan.checklist', title='申请材料核对', result={
    'required_text': {'title': '应交材料', 'x-title-en': 'Required materials'},
    'missing_text': {'title': '尚缺材料', 'x-title-en': 'Missing materials'},
})
def loan_checklist(ctx, required, names, provided):
    """Which of the materials the checklist table requires for this case were not handed in."""
    labels = dict(zip(required, names))
    missing = [code for code in required if code not in (provided or [])]
    return {'required_text': '、'.join(labels[c] for c in required), 'missing': missing,
            'missing_text': '、'.join(labels[c] for c in missing) or '无'}


@lookup('loan.check_amount', title='核对金额不超过可贷额度')
def loan_check_amount(ctx, amount, limit):
    """Refuse an amount above the computed limit (shown on the amount field)."""
    if to_fen(amount, 'amount') > to_fen(limit, 'limit'):
        refuse(N_('More than the loan limit (%(limit)s yuan).'), param='amount', limit=f'{float(limit):,.2f}')
    return {}


@lookup('loan.check_guarantee', title='核对担保方式')
def loan_check_guarantee(ctx, kind, required):
    """Refuse a guarantee other than the one the rules require for this property (shown on the field)."""
    if kind != required:
        refuse(N_('This property needs a different kind of guarantee.'), param='kind')
    return {}


@effect('loan.send_back', title='退回补充', result={
    'count': {'title': '已退回次数', 'x-title-en': 'Times sent back'},
    'reason': {'title': '退回理由', 'x-title-en': 'Reason'},
})
def loan_send_back(ctx, decision, count, limit, reason):
    """Count one more send-back; refuse once the case has been sent back `limit` times (on the decision)."""
    if int(count) >= int(limit):
        refuse(N_('This case has been sent back %(limit)s times already; decide it.'), param='decision',
               limit=int(limit))
    return {'count': int(count) + 1, 'reason': str(reason), 'decision': str(decision)}
