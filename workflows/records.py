"""Operations on the center's shared records (fund accounts, fraud bans), usable by any process.

Facts come from the records, never from what a clerk types: the model passes an account number,
the lookup returns the holder, balance and bans of record and registers the holder as a party.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import bindparam, select, update

from .errors import N_
from .models import FraudBan, FundAccount
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


@lookup('fund.account', title='个人住房公积金账户', result={
    'account_no': {'title': '个人公积金账号', 'x-title-en': 'Fund account number'},
    'holder_name': {'title': '账户持有人', 'x-title-en': 'Account holder'},
    'employer': {'title': '缴存单位', 'x-title-en': 'Employer'},
    'balance': {'title': '账户余额（元）', 'x-title-en': 'Balance (yuan)', 'x-unit': 'yuan'},
    'fraud_banned': {'title': '处于骗提骗贷禁入期', 'x-title-en': 'Under a fraud ban', 'type': 'boolean'},
    'fraud_ban_reason': {'title': '禁入原因', 'x-title-en': 'Reason for the ban'},
})
def fund_account(ctx, account_no, party_role='applicant'):
    """The account of record, its holder registered as a party; refuses an unknown number."""
    account = ctx.session.get(FundAccount, str(account_no), with_for_update=True)  # serialise per account
    if account is None:
        refuse(N_('No fund account with this number.'), param='account_no')
    ban = ctx.session.scalar(select(FraudBan).where(FraudBan.id_number == account.id_number,
                                                    FraudBan.until >= ctx.today).limit(1))
    ctx.add_party(account.id_number, account.holder_name, party_role)
    return {'account_no': account.account_no, 'holder_name': account.holder_name, 'id_number': account.id_number,
            'employer': account.employer, 'balance': account.balance / 100, 'fraud_banned': ban is not None,
            'fraud_ban_reason': ban.reason if ban else ''}


_DEBIT = (update(FundAccount)
          .where(FundAccount.account_no == bindparam('no'), FundAccount.balance >= bindparam('fen'))
          .values(balance=FundAccount.balance - bindparam('fen')))


@effect('fund.debit', title='从住房公积金账户支付', result={
    'account_no': {'title': '个人公积金账号', 'x-title-en': 'Fund account number'},
    'debited': {'title': '支付金额（元）', 'x-title-en': 'Paid (yuan)', 'x-unit': 'yuan'},
})
def fund_debit(ctx, account_no, amount, limit):
    """Pay `amount` out of the account: never more than `limit` (the approved amount), never below zero."""
    fen, limit_fen = to_fen(amount, 'amount'), to_fen(limit, 'limit')
    if fen > limit_fen:
        refuse(N_('More than the approved amount (%(limit)s).'), param='amount', limit=f'{limit_fen / 100:,.2f}')
    result = ctx.session.connection().execute(_DEBIT, {'no': str(account_no), 'fen': fen})
    if result.rowcount != 1:
        refuse(N_('More than the balance of the fund account.'), param='amount')
    cached = ctx.session.identity_map.get(ctx.session.identity_key(FundAccount, str(account_no)))
    if cached is not None:
        ctx.session.expire(cached)
    return {'account_no': str(account_no), 'debited': fen / 100}
