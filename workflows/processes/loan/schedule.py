"""Money to the fen: Decimal arithmetic, repayment schedules and the contract's schedule (`loan.schedule`).

Every amount goes through its text into `Decimal`, so floats keep their written digits. Rates are
annual percentages (2.60); a schedule's last instalment clears the balance exactly.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import select

from ...errors import N_
from ...models import FundLoan
from ...operations import lookup, refuse

CENT = Decimal('0.01')
YUAN = {'x-unit': 'yuan'}    # marks a result field as an amount in yuan


def dec(value) -> Decimal:
    """A number (or numeric text) as Decimal, through its text so floats keep their written digits."""
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f'not a number: {value!r}') from None
    if not result.is_finite():
        raise ValueError(f'not a finite number: {value!r}')
    return result


def fen(amount: Decimal) -> Decimal:
    """Rounded half up to the fen (a payment or an interest amount)."""
    return amount.quantize(CENT, ROUND_HALF_UP)


def floor_fen(amount: Decimal) -> Decimal:
    """Rounded down to the fen (a ceiling on what may be lent)."""
    return amount.quantize(CENT, ROUND_DOWN)


def monthly_rate(annual_percent) -> Decimal:
    """The monthly rate of an annual percentage (2.60 → 0.0026/12)."""
    return dec(annual_percent) / 100 / 12


def annuity_payment(principal, annual_percent, months: int) -> Decimal:
    """等额本息: the level monthly payment P·r·(1+r)^n / ((1+r)^n − 1), to the fen."""
    p, r = dec(principal), monthly_rate(annual_percent)
    if r == 0:
        return fen(p / months)
    growth = (1 + r) ** months
    return fen(p * r * growth / (growth - 1))


@dataclass(frozen=True)
class Instalment:
    """One month of a repayment schedule."""
    period: int
    payment: Decimal
    principal: Decimal
    interest: Decimal
    balance: Decimal   # outstanding after this payment


def schedule(principal, annual_percent, months: int, method: str) -> list[Instalment]:
    """The whole repayment schedule, to the fen; the last instalment clears the balance exactly.

    annuity (等额本息): the level payment; interest = balance × r (to the fen); principal = the rest.
    linear (等额本金): principal = P/n (to the fen; the last month takes the remainder) + balance × r.
    """
    if method not in ('annuity', 'linear'):
        raise ValueError(f'unknown repayment method {method!r}')
    balance, r = dec(principal), monthly_rate(annual_percent)
    level = annuity_payment(balance, annual_percent, months) if method == 'annuity' else fen(balance / months)
    rows = []
    for period in range(1, months + 1):
        interest = fen(balance * r)
        if period == months:
            part = balance
        else:
            part = level - interest if method == 'annuity' else level
        balance -= part
        rows.append(Instalment(period, part + interest, part, interest, balance))
    return rows


def schedule_summary(principal, annual_percent, months: int, method: str, head: int = 3) -> dict:
    """First instalments, the last one and the totals of a schedule."""
    rows = schedule(principal, annual_percent, months, method)
    return {'first': rows[:head], 'last': rows[-1], 'total_payment': sum((r.payment for r in rows), Decimal(0)),
            'total_interest': sum((r.interest for r in rows), Decimal(0))}


def capacity_principal(monthly_capacity, annual_percent, months: int, method: str) -> Decimal:
    """The largest principal whose (first) monthly payment fits `monthly_capacity`, floored to the fen.

    annuity: C·((1+r)^n − 1) / (r·(1+r)^n); linear: the first month is the largest, C / (1/n + r).
    """
    c, r = dec(monthly_capacity), monthly_rate(annual_percent)
    if c <= 0:
        return Decimal('0.00')
    if method == 'annuity':
        if r == 0:
            return floor_fen(c * months)
        growth = (1 + r) ** months
        return floor_fen(c * (growth - 1) / (r * growth))
    return floor_fen(c / (Decimal(1) / months + r))


def _first_months(rows) -> str:
    return '；'.join(f'第{r.period}期 {r.payment:,.2f}（本金{r.principal:,.2f} 利息{r.interest:,.2f}）' for r in rows)


def summaries(amount, rate, months) -> dict:
    """Both schedules of `amount` as lookup result fields: first months, last month and totals."""
    out = {}
    for method in ('annuity', 'linear'):
        s = schedule_summary(amount, rate, months, method)
        out.update({f'{method}_first_months': _first_months(s['first']),
                    f'{method}_last': float(s['last'].payment),
                    f'{method}_total_payment': float(s['total_payment']),
                    f'{method}_total_interest': float(s['total_interest'])})
    return out


SCHEDULE_RESULT = {
    'annuity_first_months': {'title': '等额本息：首期还款', 'x-title-en': 'Level payments: first months'},
    'annuity_total_interest': {'title': '等额本息：利息合计（元）', 'x-title-en': 'Level payments: total interest (yuan)', **YUAN},
    'annuity_total_payment': {'title': '等额本息：还款总额（元）', 'x-title-en': 'Level payments: total repaid (yuan)', **YUAN},
    'linear_first_months': {'title': '等额本金：首期还款', 'x-title-en': 'Level principal: first months'},
    'linear_last': {'title': '等额本金：末期还款（元）', 'x-title-en': 'Level principal: last month (yuan)', **YUAN},
    'linear_total_interest': {'title': '等额本金：利息合计（元）', 'x-title-en': 'Level principal: total interest (yuan)', **YUAN},
    'linear_total_payment': {'title': '等额本金：还款总额（元）', 'x-title-en': 'Level principal: total repaid (yuan)', **YUAN},
}


@lookup('loan.schedule', title='还款计划（合同）', result={
    'amount': {'title': '贷款金额（元）', 'x-title-en': 'Loan (yuan)', **YUAN},
    'annual_rate': {'title': '合同年利率（%）', 'x-title-en': 'Contract rate (%)'},
    'term_years': {'title': '期限（年）', 'x-title-en': 'Term (years)'},
    **SCHEDULE_RESULT,
})
def loan_schedule(ctx, amount, rate, term_years, contract_no):
    """Both schedules of the contract: the approved amount at the rate in force on the contract date.

    Refuses a contract number that a fund loan of record already has (shown on that field).
    """
    if ctx.session.scalar(select(FundLoan.id).where(FundLoan.contract_no == str(contract_no)).limit(1)):
        refuse(N_('A fund loan with this contract number exists already.'), param='contract_no')
    out = {'amount': float(dec(amount)), 'annual_rate': str(rate), 'term_years': int(term_years)}
    out.update(summaries(amount, rate, int(term_years) * 12))
    return out
