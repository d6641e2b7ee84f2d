"""Operations on the center's shared records (fund accounts, fraud bans), usable by any process.

Facts come from the records, never from what a clerk types: the model passes an account number,
the lookup returns the holder, balance and bans of record and registers the holder as a party.
"""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import bindparam, select, update

from .errors import N_
from .models import AccountClosure, BankAccount, FraudBan, FundAccount
from .operations import effect, lookup, refuse

_T = {'type': 'string'}


def to_fen(value, param) -> int:
    """Yuan (number or numeric text) to whole fen; refuse anything else or anything finer than a fen."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        refuse(N_('Not an amount of money.'), param=param)
    if not amount.is_finite() or amount != amount.quantize(Decimal('0.01')):
        refuse(N_('Amounts are in yuan with at most two decimals.'), param=param)
    return int((amount * 100).to_integral_value(ROUND_HALF_UP))


def active_ban(session, id_number, today, scope=''):
    """The fraud ban in force for a person on `today` (for `scope`, if given), or None."""
    bans = session.scalars(select(FraudBan).where(FraudBan.id_number == id_number, FraudBan.until >= today)
                           .order_by(FraudBan.until.desc())).all()
    return next((b for b in bans if (b.starts is None or b.starts <= today)
                 and (not scope or scope in b.scope.split(','))), None)


def account_holder(account_no: str):
    """A select of the ID number of the holder of a fund account (none for an unknown number): how
    the case list finds the cases of an account, through the parties the lookups registered."""
    return select(FundAccount.id_number).where(FundAccount.account_no == account_no)


def bank_account_of(session, id_number):
    """A person's own bank account on record, or None."""
    return session.scalars(select(BankAccount).where(BankAccount.id_number == id_number)
                           .order_by(BankAccount.id)).first()


@lookup('fund.account', title='个人住房公积金账户', result={
    'account_no': {'title': '个人公积金账号', 'x-title-en': 'Fund account number'},
    'holder_name': {'title': '账户持有人', 'x-title-en': 'Account holder'},
    'employer': {'title': '缴存单位', 'x-title-en': 'Employer'},
    'balance': {'title': '账户余额（元）', 'x-title-en': 'Balance (yuan)', 'x-unit': 'yuan'},
    'fraud_banned': {'title': '处于骗提骗贷禁入期', 'x-title-en': 'Under a fraud ban', 'type': 'boolean'},
    'fraud_ban_reason': {'title': '禁入原因', 'x-title-en': 'Reason for the ban'},
    'fraud_ban_decision': {'title': '禁入决定书文号', 'x-title-en': 'Ban decision number'},
    'fraud_ban_until': {'title': '禁入期至', 'x-title-en': 'Ban until'},
    'fraud_ban_law': {'title': '行为时适用的规定', 'x-title-en': 'Law in force at the time of the conduct'},
})
def fund_account(ctx, account_no, party_role='applicant', scope=''):
    """The account of record, its holder registered as a party; refuses an unknown or closed account.

    `scope` (the business asked for, as the bans record it) limits the bans that count to those barring it.
    """
    account = ctx.session.get(FundAccount, str(account_no), with_for_update=True)  # serialise per account
    if account is None:
        refuse(N_('No fund account with this number.'), param='account_no')
    if ctx.session.get(AccountClosure, account.account_no) is not None:
        refuse(N_('This fund account is closed.'), param='account_no')
    ban = active_ban(ctx.session, account.id_number, ctx.today, scope)
    ctx.add_party(account.id_number, account.holder_name, party_role)
    return {'account_no': account.account_no, 'holder_name': account.holder_name, 'id_number': account.id_number,
            'employer': account.employer, 'balance': account.balance / 100, 'fraud_banned': ban is not None,
            'fraud_ban_reason': ban.reason if ban else '', 'fraud_ban_decision': ban.decision_no if ban else '',
            'fraud_ban_until': ban.until.isoformat() if ban else '',
            'fraud_ban_basis': ban.basis if ban else '', 'fraud_ban_law': ban.law_in_force if ban else ''}


_DEBIT = (update(FundAccount)
          .where(FundAccount.account_no == bindparam('no'), FundAccount.balance >= bindparam('fen'))
          .values(balance=FundAccount.balance - bindparam('fen')))


def _day(value, param):
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        refuse(N_('Not a date.'), param=param)


@effect('fund.debit', title='从住房公积金账户支付', result={
    'account_no': {'title': '个人公积金账号', 'x-title-en': 'Fund account number'},
    'debited': {'title': '支付金额（元）', 'x-title-en': 'Paid (yuan)', 'x-unit': 'yuan'},
    'closed': {'title': '已销户', 'x-title-en': 'Account closed', 'type': 'boolean'},
})
def fund_debit(ctx, account_no, amount, limit, paid_on='', not_before='', close_account=False, to_accounts=None):
    """Pay `amount` out of the account: never more than `limit` (the approved amount), never below zero.

    With `paid_on`, the payment date may be neither after today nor before `not_before` (the approval);
    with `close_account`, the payment must be the whole balance and the account is closed; with
    `to_accounts` (the payees' bank accounts on record), each payee must have one.
    """
    if to_accounts is not None and (not to_accounts or not all(to_accounts)):
        refuse(N_('The payee has no own bank account on record.'))
    fen, limit_fen = to_fen(amount, 'amount'), to_fen(limit, 'limit')
    if fen > limit_fen:
        refuse(N_('More than the approved amount (%(limit)s).'), param='amount', limit=f'{limit_fen / 100:,.2f}')
    if paid_on:
        day = _day(paid_on, 'paid_on')
        if day > ctx.today:
            refuse(N_('The payment date cannot be in the future.'), param='paid_on')
        if not_before and day < _day(not_before, 'not_before'):
            refuse(N_('The payment date cannot be before the approval (%(day)s).'), param='paid_on',
                   day=str(not_before))
    if close_account:
        balance = ctx.session.scalar(select(FundAccount.balance).where(FundAccount.account_no == str(account_no)))
        if fen != balance:
            refuse(N_('Closing the account pays the whole balance (%(balance)s).'), param='amount',
                   balance=f'{(balance or 0) / 100:,.2f}')
    result = ctx.session.connection().execute(_DEBIT, {'no': str(account_no), 'fen': fen})
    if result.rowcount != 1:
        refuse(N_('More than the balance of the fund account.'), param='amount')
    _forget(ctx.session, account_no)
    if close_account:
        ctx.session.add(AccountClosure(account_no=str(account_no), closed_on=ctx.today, destination='payee',
                                       amount=fen, instance_id=ctx.instance.id))
    return {'account_no': str(account_no), 'debited': fen / 100, 'closed': bool(close_account)}


@effect('fund.close', title='注销住房公积金账户', result={
    'account_no': {'title': '个人公积金账号', 'x-title-en': 'Fund account number'},
    'amount': {'title': '转出余额（元）', 'x-title-en': 'Balance transferred (yuan)', 'x-unit': 'yuan'},
})
def fund_close(ctx, account_no, destination):
    """Close the account, its whole balance going to `destination` ('value_added': the fund's income)."""
    account = ctx.session.get(FundAccount, str(account_no), with_for_update=True)
    if account is None:
        refuse(N_('No fund account with this number.'), param='account_no')
    if ctx.session.get(AccountClosure, account.account_no) is not None:
        refuse(N_('This fund account is closed.'), param='account_no')
    amount, account.balance = account.balance, 0
    ctx.session.add(AccountClosure(account_no=account.account_no, closed_on=ctx.today, destination=str(destination),
                                   amount=amount, instance_id=ctx.instance.id))
    return {'account_no': account.account_no, 'amount': amount / 100}


def _forget(session, account_no):
    cached = session.identity_map.get(session.identity_key(FundAccount, str(account_no)))
    if cached is not None:
        session.expire(cached)
