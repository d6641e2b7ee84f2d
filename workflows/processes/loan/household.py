"""The household: who the borrower and spouse are (ID numbers, birth dates, months) and their records.

The lookup `loan.household` reads the accounts, contribution runs, homes, fund loans and bans of
the borrower and (if married) the spouse, and registers both as parties of the case.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select

from ...errors import N_
from ...models import FraudBan, FundAccount, FundContribution, FundLoan, HomeRecord
from ...operations import lookup, refuse
from .schedule import YUAN


def id_facts(id_number: str) -> tuple[date, str]:
    """(birth date, 'male'|'female') from an 18-digit resident ID number; ValueError if it has none."""
    text = str(id_number or '').strip().upper()
    if len(text) != 18 or not text[:17].isdigit() or not (text[17].isdigit() or text[17] == 'X'):
        raise ValueError('not an 18-digit ID number')
    born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))   # ValueError if no such day
    return born, ('male' if int(text[16]) % 2 else 'female')


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has no such day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError('unreachable')


def whole_months(start: date, end: date) -> int:
    """Complete months from `start` to `end` (negative if `end` is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if months > 0 and add_months(start, months) > end:
        months -= 1
    elif months < 0 and add_months(start, months) < end:
        months += 1
    return months


def _contribution(session, account_no, today):
    """(continuous full months up to now, whether they run to last month or later) of an account."""
    row = session.get(FundContribution, account_no) if account_no else None
    if row is None:
        return 0, False
    months = whole_months(row.continuous_since, row.paid_through) + 1
    last_month = add_months(date(today.year, today.month, 1), -1)
    return months, row.paid_through >= last_month


def _banned(session, id_number, today) -> bool:
    """Whether a person is under a fraud ban on `today`."""
    return session.scalar(select(FraudBan.id).where(FraudBan.id_number == id_number,
                                                    FraudBan.until >= today).limit(1)) is not None


def _check_category(id_number, category, id_param, category_param):
    """Refuse an ID number without a birth date, or a retirement category of the other sex."""
    try:
        _born, sex = id_facts(id_number)
    except ValueError:
        refuse(N_('Not a valid 18-digit resident ID number.'), param=id_param)
    if (sex == 'male') != (category == 'male_60'):
        refuse(N_('The retirement category does not match the sex in the ID number.'), param=category_param)


@lookup('loan.household', title='家庭住房与贷款记录', result={
    'borrower_contribution_months': {'title': '借款人连续足额缴存（月）', 'x-title-en': 'Borrower: months contributed'},
    'spouse_contribution_months': {'title': '配偶连续足额缴存（月）', 'x-title-en': 'Spouse: months contributed'},
    'spouse_balance': {'title': '配偶账户余额（元）', 'x-title-en': 'Spouse balance (yuan)', **YUAN},
    'homes_owned': {'title': '家庭名下住房（套）', 'x-title-en': 'Homes owned by the household'},
    'fund_loans_used': {'title': '已使用公积金贷款（笔）', 'x-title-en': 'Fund loans used'},
    'open_fund_loans': {'title': '未结清公积金贷款（笔）', 'x-title-en': 'Open fund loans'},
    'spouse_banned': {'title': '配偶处于骗提骗贷禁入期', 'x-title-en': 'Spouse under a fraud ban', 'type': 'boolean'},
})
def loan_household(ctx, borrower_account_no, borrower_base, marital_status, spouse_name='', spouse_id_number='',
                   spouse_base='', spouse_account_no=''):
    """The household's facts of record; registers the borrower and spouse as parties of the case."""
    borrower = ctx.session.get(FundAccount, str(borrower_account_no))
    if borrower is None:
        refuse(N_('No fund account with this number.'), param='borrower_account_no')
    _check_category(borrower.id_number, borrower_base, None, 'borrower_base')
    ctx.add_party(borrower.id_number, borrower.holder_name, 'borrower')
    ids, spouse_balance, spouse_months, spouse_current = [borrower.id_number], 0.0, 0, False
    if marital_status == 'married':
        spouse_id_number = str(spouse_id_number).strip().upper()
        _check_category(spouse_id_number, spouse_base, 'spouse_id_number', 'spouse_base')
        if spouse_id_number == borrower.id_number:
            refuse(N_('The spouse cannot be the borrower.'), param='spouse_id_number')
        if spouse_account_no:
            spouse = ctx.session.get(FundAccount, str(spouse_account_no))
            if spouse is None or spouse.id_number != spouse_id_number:
                refuse(N_('No fund account with this number belongs to the spouse.'), param='spouse_account_no')
            spouse_balance = spouse.balance / 100
            spouse_months, spouse_current = _contribution(ctx.session, spouse.account_no, ctx.today)
        ctx.add_party(spouse_id_number, str(spouse_name), 'spouse')
        ids.append(spouse_id_number)
    months, current = _contribution(ctx.session, borrower.account_no, ctx.today)
    mine = or_(FundLoan.id_number.in_(ids), FundLoan.co_borrower_id_number.in_(ids))
    loans = ctx.session.scalar(select(func.count(FundLoan.id)).where(mine)) or 0
    open_loans = ctx.session.scalar(select(func.count(FundLoan.id)).where(mine, FundLoan.closed_on.is_(None))) or 0
    homes = ctx.session.scalar(select(func.count(HomeRecord.id)).where(HomeRecord.id_number.in_(ids))) or 0
    return {'application_date': ctx.today.isoformat(), 'borrower_id_number': borrower.id_number,
            'borrower_balance': borrower.balance / 100, 'borrower_contribution_months': months,
            'borrower_contribution_current': current, 'spouse_id_number': ids[1] if len(ids) > 1 else '',
            'spouse_balance': spouse_balance, 'spouse_contribution_months': spouse_months if spouse_current else 0,
            'homes_owned': homes, 'fund_loans_used': loans, 'open_fund_loans': open_loans,
            'spouse_banned': len(ids) > 1 and _banned(ctx.session, ids[1], ctx.today)}
