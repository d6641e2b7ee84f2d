"""Facts the rules need, gathered from the center's own tables when a case is registered.

The DMN tables decide; this module only looks things up (account, balance, fraud ban, earlier
withdrawals) so that the decision inputs are facts of record, not what the applicant typed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select

from .errors import N_, FormInvalid
from .models import FraudBan, FundAccount, InstanceStatus, ProcessDefinition, ProcessInstance, utcnow


@dataclass
class Applicant:
    name: str
    id_number: str
    facts: dict
    title: str


OPEN = (InstanceStatus.running, InstanceStatus.waiting)


def _withdrawals(key='withdrawal'):
    return (select(ProcessInstance)
            .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
            .where(ProcessDefinition.key == key))


def _prior_same_type(session, id_number, withdrawal_type, since: datetime) -> int:
    """Withdrawals of the same type by the same person since a date: paid, or still open."""
    query = (_withdrawals().with_only_columns(func.count(ProcessInstance.id))
             .where(ProcessInstance.applicant_id_number == id_number, ProcessInstance.started_at >= since,
                    ProcessInstance.summary['withdrawal_type'].as_string() == withdrawal_type,
                    or_(ProcessInstance.status.in_(OPEN), ProcessInstance.outcome == 'paid')))
    return session.scalar(query) or 0


def _reserved(session, account_no) -> float:
    """Amounts of open withdrawals on an account: not paid yet, but not available either."""
    query = _withdrawals().where(ProcessInstance.status.in_(OPEN),
                                 ProcessInstance.summary['account_no'].as_string() == account_no)
    return sum(float(i.summary.get('amount', 0)) for i in session.scalars(query))


def withdrawal_facts(session, data: dict, today: date) -> Applicant:
    """Look up the account named in a withdrawal application; raise FormInvalid if unknown.

    `balance` is what is available: the account balance less open withdrawals on it, so that
    applications registered before the first is paid cannot together overdraw the account.
    """
    account = session.get(FundAccount, data['account_no'], with_for_update=True)  # serialise per account
    if account is None:
        raise FormInvalid(N_('Please correct the marked fields.'),
                          {'account_no': [(N_('No fund account with this number.'), {})]})
    ban = session.scalar(select(FraudBan).where(FraudBan.id_number == account.id_number,
                                                FraudBan.until >= today).limit(1))
    reserved = _reserved(session, account.account_no)
    facts = {
        'applicant_name': account.holder_name,
        'account_balance': account.balance / 100,
        'reserved': reserved,
        'balance': round(account.balance / 100 - reserved, 2),
        'fraud_banned': ban is not None,
        'fraud_ban_reason': ban.reason if ban else '',
        'prior_same_type_12m': _prior_same_type(session, account.id_number, data['withdrawal_type'],
                                                utcnow() - timedelta(days=365)),
    }
    return Applicant(name=account.holder_name, id_number=account.id_number, facts=facts,
                     title=f'{account.holder_name} · {data["amount"]:,.2f} 元')


FACT_PROVIDERS = {'withdrawal': withdrawal_facts}
