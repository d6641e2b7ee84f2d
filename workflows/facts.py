"""Facts the rules need, gathered from the center's own tables when a case is registered.

The DMN tables decide; this module only looks things up (account, balance, fraud ban, earlier
withdrawals) so that the decision inputs are facts of record, not what the applicant typed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from .errors import N_, FormInvalid
from .models import FraudBan, FundAccount, InstanceStatus, ProcessDefinition, ProcessInstance


@dataclass
class Applicant:
    name: str
    id_number: str
    facts: dict
    title: str


def _prior_same_type(session, key, id_number, withdrawal_type, since: datetime) -> int:
    """Completed, paid withdrawals of the same type by the same person since a date."""
    query = (select(func.count(ProcessInstance.id))
             .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
             .where(ProcessDefinition.key == key, ProcessInstance.applicant_id_number == id_number,
                    ProcessInstance.status == InstanceStatus.completed, ProcessInstance.outcome == 'paid',
                    ProcessInstance.started_at >= since,
                    ProcessInstance.summary['withdrawal_type'].as_string() == withdrawal_type))
    return session.scalar(query) or 0


def withdrawal_facts(session, data: dict, today: date) -> Applicant:
    """Look up the account named in a withdrawal application; raise FormInvalid if unknown."""
    account = session.get(FundAccount, data['account_no'])
    if account is None:
        raise FormInvalid(N_('Please correct the marked fields.'),
                          {'account_no': [(N_('No fund account with this number.'), {})]})
    ban = session.scalar(select(FraudBan).where(FraudBan.id_number == account.id_number,
                                                FraudBan.until >= today).limit(1))
    since = datetime.combine(today - timedelta(days=365), datetime.min.time())
    facts = {
        'applicant_name': account.holder_name,
        'balance': account.balance / 100,
        'fraud_banned': ban is not None,
        'fraud_ban_reason': ban.reason if ban else '',
        'prior_same_type_12m': _prior_same_type(session, 'withdrawal', account.id_number,
                                                data['withdrawal_type'], since),
    }
    return Applicant(name=account.holder_name, id_number=account.id_number, facts=facts,
                     title=f'{account.holder_name} · {data["amount"]:,.2f} 元')


FACT_PROVIDERS = {'withdrawal': withdrawal_facts}
