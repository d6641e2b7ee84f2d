"""Effects a completed task has on the center's own records, declared in the BPMN.

A user task names its effect with the property `effect`; the code lives here. Effects run after
the instance is locked and before the workflow moves on, in the same transaction, and refuse bad
data with FormInvalid (so the task is not completed and nothing is written).
"""
from __future__ import annotations

from sqlalchemy import bindparam, update

from .errors import N_, FormInvalid
from .models import FundAccount

_DEBIT = (update(FundAccount)
          .where(FundAccount.account_no == bindparam('no'), FundAccount.balance >= bindparam('fen'))
          .values(balance=FundAccount.balance - bindparam('fen')))


def _refuse(field, message, **params):
    raise FormInvalid(N_('Please correct the marked fields.'), {field: [(message, params)]})


def debit_account(session, instance, data) -> dict:
    """Pay a withdrawal out of the fund account: never more than approved, never below zero."""
    approved = float(instance.summary.get('amount', 0))
    paid = float(data['paid_amount'])
    if round(paid * 100) > round(approved * 100):
        _refuse('paid_amount', N_('More than the approved amount (%(limit)s).'), limit=f'{approved:.2f}')
    fen = round(paid * 100)
    account_no = instance.summary['account_no']
    result = session.connection().execute(_DEBIT, {'no': account_no, 'fen': fen})
    if result.rowcount != 1:
        _refuse('paid_amount', N_('More than the balance of the fund account.'))
    session.expire(session.get(FundAccount, account_no))
    return {'account_no': account_no, 'debited': paid}


EFFECTS = {'debit_account': debit_account}


def run_effect(session, name, instance, data) -> dict | None:
    """Run a task's declared effect, if any; return what it did (for the audit trail)."""
    return EFFECTS[name](session, instance, data) if name else None
