"""The loan (个人住房公积金贷款): facts of record, the arithmetic the rules cannot do, documents, demo cases.

Everything else is in the loan's files: `bpmn_models/loan.bpmn`, `rules/loan_*.dmn` and
`forms/loan_*.json`. No policy figure lives here: multiples, ratios, ceilings, LTVs, rates, the
retirement-age schedule, term limits and tiers come from the DMN tables, which the model passes in
as parameters. What is here is arithmetic with `Decimal` to the fen (annuities, schedules, months
between dates) and reading the records (accounts, contributions, homes, loans, bans).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import func, or_, select

from ..errors import N_
from ..models import (CaseClock, FraudBan, FundAccount, FundContribution, FundLoan, HomeRecord, HumanTask, LoanDisbursement,
                      TaskState, User)
from ..operations import demo_cases, document, effect, lookup, refuse
from ..records import to_fen

KEY = 'loan'
CENT = Decimal('0.01')
CONSTRAINTS = ('balance', 'capacity', 'ltv', 'ceiling')   # the order ties are reported in


# -- arithmetic ------------------------------------------------------------------------------------

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


def loan_limit(*, balance, multiple, income, income_ratio, debt, rate, term_years, method, price, appraisal,
               ltv, ceiling, step, requested) -> dict:
    """The four limits, the lowest (floored to `step` yuan), which one bound it, and what may be lent.

    balance × multiple; repayment capacity (income × ratio − other monthly debt, paid by this loan's
    monthly payment); min(price, appraisal) × LTV (appraisal 0 = none yet); the city ceiling.
    """
    months = int(term_years) * 12
    value = dec(price) if dec(appraisal) <= 0 else min(dec(price), dec(appraisal))
    limits = {
        'balance': floor_fen(dec(balance) * dec(multiple)),
        'capacity': capacity_principal(dec(income) * dec(income_ratio) - dec(debt), rate, months, method),
        'ltv': floor_fen(value * dec(ltv)),
        'ceiling': floor_fen(dec(ceiling)),
    }
    binding = min(CONSTRAINTS, key=lambda name: limits[name])
    unit = dec(step)
    limit = (limits[binding] / unit).to_integral_value(ROUND_DOWN) * unit
    return {'limits': limits, 'binding': binding, 'limit': limit, 'grantable': min(dec(requested), limit),
            'months': months, 'appraised': dec(appraisal) > 0}


# -- people: ID numbers, ages, retirement ----------------------------------------------------------

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


def retirement(born: date, rule: dict) -> tuple[date, int]:
    """(retirement date, retirement age in months) under one row of the retirement table.

    The row: `base_years` (the old statutory age), `rise_from` ('YYYY-MM', the first birth month
    affected), `step_months` (births per one-month rise) and `max_rise_months` (the final rise).
    """
    first_year, first_month = (int(x) for x in str(rule['rise_from']).split('-'))
    after = (born.year * 12 + born.month - 1) - (first_year * 12 + first_month - 1)
    rise = 0 if after < 0 else min(int(rule['max_rise_months']), after // int(rule['step_months']) + 1)
    age_months = int(rule['base_years']) * 12 + rise
    return add_months(born, age_months), age_months


def age_text(months: int) -> str:
    """An age in months in words: 63岁, 60岁4个月."""
    years, rest = divmod(months, 12)
    return f'{years}岁' + (f'{rest}个月' if rest else '')


def max_term_years(application: date, persons: list[tuple[str, str, str]], rules: list[dict],
                   policy_years: int, extra_years: int) -> dict:
    """The longest whole-year term: ≤ `policy_years`, and for each borrower (role, ID number, category)
    ending no later than retirement + `extra_years`; which of them bound it."""
    by_category = {str(r['category']): r for r in rules}
    people, bound, bound_by = {}, int(policy_years), 'policy'
    for role, id_number, category in persons:
        born, _sex = id_facts(id_number)
        retires, age_months = retirement(born, by_category[category])
        years = whole_months(application, add_months(retires, int(extra_years) * 12)) // 12
        people[role] = {'born': born, 'retires': retires, 'age_months': age_months,
                        'age_now': whole_months(born, application), 'years': max(years, 0)}
        if years < bound:
            bound, bound_by = max(years, 0), role
    return {'people': people, 'max_years': bound, 'bound_by': bound_by}


# -- lookups and effects ---------------------------------------------------------------------------

_YUAN = {'x-unit': 'yuan'}


def _contribution(session, account_no, today):
    """(continuous full months up to now, whether they run to last month or later) of an account."""
    row = session.get(FundContribution, account_no) if account_no else None
    if row is None:
        return 0, False
    months = whole_months(row.continuous_since, row.paid_through) + 1
    last_month = add_months(date(today.year, today.month, 1), -1)
    return months, row.paid_through >= last_month


def _banned(session, id_number, today) -> bool:
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
    'spouse_balance': {'title': '配偶账户余额（元）', 'x-title-en': 'Spouse balance (yuan)', **_YUAN},
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


_BOUND_BY = {'enum': ['policy', 'borrower', 'spouse'],
             'x-enumNames': ['最长贷款期限', '借款人退休年龄', '配偶退休年龄'],
             'x-enumNames-en': ['Longest term allowed', "Borrower's retirement age", "Spouse's retirement age"]}


@lookup('loan.term', title='贷款期限与退休年龄', result={
    'borrower_retirement': {'title': '借款人法定退休', 'x-title-en': 'Borrower retires'},
    'spouse_retirement': {'title': '配偶法定退休', 'x-title-en': 'Spouse retires'},
    'max_years': {'title': '最长可贷期限（年）', 'x-title-en': 'Longest term (years)'},
    'bound_by': {'title': '期限约束', 'x-title-en': 'Term bound by', **_BOUND_BY},
    'term_years': {'title': '核定期限（年）', 'x-title-en': 'Term (years)'},
})
def loan_term(ctx, application_date, borrower_id_number, borrower_base, spouse_id_number, spouse_base,
              retirement_table, policy_years, extra_years, requested_years):
    """The term: the requested years, at most the policy's and each borrower's retirement bound."""
    persons = [('borrower', borrower_id_number, borrower_base)]
    if spouse_id_number:
        persons.append(('spouse', spouse_id_number, spouse_base))
    bound = max_term_years(date.fromisoformat(str(application_date)), persons, list(retirement_table),
                           int(policy_years), int(extra_years))
    term = min(int(requested_years), bound['max_years'])
    result = {'max_years': bound['max_years'], 'bound_by': bound['bound_by'], 'term_years': term,
              'term_limited': term < int(requested_years)}
    for role, person in bound['people'].items():
        result[f'{role}_retirement'] = (f'{person["retires"].isoformat()}（{age_text(person["age_months"])}）；'
                                        f'现年{age_text(person["age_now"])}')
        result[f'{role}_retires_on'] = person['retires'].isoformat()
    return result


_BINDING = {'enum': list(CONSTRAINTS),
            'x-enumNames': ['账户余额倍数', '还款能力（月还款额不超过家庭月收入的规定比例）', '房价（评估价）× 贷款成数',
                            '最高贷款额度'],
            'x-enumNames-en': ['Balance × multiple', 'Repayment capacity', 'Price (appraisal) × loan-to-value',
                               'City ceiling']}


def _first_months(rows) -> str:
    return '；'.join(f'第{r.period}期 {r.payment:,.2f}（本金{r.principal:,.2f} 利息{r.interest:,.2f}）' for r in rows)


def _summaries(amount, rate, months) -> dict:
    out = {}
    for method in ('annuity', 'linear'):
        s = schedule_summary(amount, rate, months, method)
        out.update({f'{method}_first_months': _first_months(s['first']),
                    f'{method}_last': float(s['last'].payment),
                    f'{method}_total_payment': float(s['total_payment']),
                    f'{method}_total_interest': float(s['total_interest'])})
    return out


_SCHEDULE_RESULT = {
    'annuity_first_months': {'title': '等额本息：首期还款', 'x-title-en': 'Level payments: first months'},
    'annuity_total_interest': {'title': '等额本息：利息合计（元）', 'x-title-en': 'Level payments: total interest (yuan)', **_YUAN},
    'annuity_total_payment': {'title': '等额本息：还款总额（元）', 'x-title-en': 'Level payments: total repaid (yuan)', **_YUAN},
    'linear_first_months': {'title': '等额本金：首期还款', 'x-title-en': 'Level principal: first months'},
    'linear_last': {'title': '等额本金：末期还款（元）', 'x-title-en': 'Level principal: last month (yuan)', **_YUAN},
    'linear_total_interest': {'title': '等额本金：利息合计（元）', 'x-title-en': 'Level principal: total interest (yuan)', **_YUAN},
    'linear_total_payment': {'title': '等额本金：还款总额（元）', 'x-title-en': 'Level principal: total repaid (yuan)', **_YUAN},
}


@lookup('loan.limit', title='贷款额度测算', result={
    'balance_limit': {'title': '按账户余额倍数（元）', 'x-title-en': 'By balance × multiple (yuan)', **_YUAN},
    'capacity_limit': {'title': '按还款能力（元）', 'x-title-en': 'By repayment capacity (yuan)', **_YUAN},
    'ltv_limit': {'title': '按房价（评估价）× 贷款成数（元）', 'x-title-en': 'By price × LTV (yuan)', **_YUAN},
    'ceiling_limit': {'title': '最高贷款额度（元）', 'x-title-en': 'City ceiling (yuan)', **_YUAN},
    'limit': {'title': '可贷额度（元）', 'x-title-en': 'Loan limit (yuan)', **_YUAN},
    'binding': {'title': '约束额度的规则', 'x-title-en': 'Limit bound by', **_BINDING},
    'grantable': {'title': '可核准金额（元）', 'x-title-en': 'Amount that may be approved (yuan)', **_YUAN},
    'term_years': {'title': '期限（年）', 'x-title-en': 'Term (years)'},
    'annual_rate': {'title': '年利率（%）', 'x-title-en': 'Annual rate (%)'},
    **_SCHEDULE_RESULT,
})
def loan_limit_lookup(ctx, balance, multiple, income, income_ratio, debt, rate, term_years, method, price, appraisal,
                      ltv, ceiling, step, requested):
    """The limit by the four rules, which one bound it, and the schedules of what may be lent."""
    try:
        result = loan_limit(balance=balance, multiple=multiple, income=income, income_ratio=income_ratio, debt=debt,
                            rate=rate, term_years=term_years, method=method, price=price, appraisal=appraisal,
                            ltv=ltv, ceiling=ceiling, step=step, requested=requested)
    except ValueError:
        refuse(N_('The loan limit cannot be computed from these figures.'))
    out = {f'{name}_limit': float(value) for name, value in result['limits'].items()}
    out.update({'limit': float(result['limit']), 'binding': result['binding'], 'grantable': float(result['grantable']),
                'term_years': int(term_years), 'annual_rate': str(rate), 'appraised': result['appraised']})
    if result['grantable'] > 0 and result['months'] > 0:
        out.update(_summaries(result['grantable'], rate, result['months']))
    return out


@lookup('loan.schedule', title='还款计划（合同）', result={
    'amount': {'title': '贷款金额（元）', 'x-title-en': 'Loan (yuan)', **_YUAN},
    'annual_rate': {'title': '合同年利率（%）', 'x-title-en': 'Contract rate (%)'},
    'term_years': {'title': '期限（年）', 'x-title-en': 'Term (years)'},
    **_SCHEDULE_RESULT,
})
def loan_schedule(ctx, amount, rate, term_years, contract_no):
    """Both schedules of the contract: the approved amount at the rate in force on the contract date.

    Refuses a contract number that a fund loan of record already has (shown on that field).
    """
    if ctx.session.scalar(select(FundLoan.id).where(FundLoan.contract_no == str(contract_no)).limit(1)):
        refuse(N_('A fund loan with this contract number exists already.'), param='contract_no')
    out = {'amount': float(dec(amount)), 'annual_rate': str(rate), 'term_years': int(term_years)}
    out.update(_summaries(amount, rate, int(term_years) * 12))
    return out


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


@effect('loan.disburse', title='放款（待复核）', result={
    'amount': {'title': '放款金额（元）', 'x-title-en': 'Amount (yuan)', **_YUAN},
    'payee_account': {'title': '收款账户', 'x-title-en': 'Paid to account'},
})
def loan_disburse(ctx, amount, limit, payee_name, payee_account, seller_account, voucher_no, paid_on):
    """Prepare the payment: to the seller's account of record, never above the approved amount."""
    fen_amount, limit_fen = to_fen(amount, 'amount'), to_fen(limit, 'limit')
    if fen_amount > limit_fen:
        refuse(N_('More than the approved loan (%(limit)s yuan).'), param='amount', limit=f'{limit_fen / 100:,.2f}')
    if str(payee_account).replace(' ', '') != str(seller_account).replace(' ', ''):
        refuse(N_("The loan is paid only to the seller's account given in the application."), param='payee_account')
    row = ctx.session.scalar(select(LoanDisbursement).where(LoanDisbursement.instance_id == ctx.instance.id))
    if row is None:
        row = LoanDisbursement(instance_id=ctx.instance.id)
        ctx.session.add(row)
    row.amount, row.payee_name, row.payee_account = fen_amount, str(payee_name), str(payee_account)
    row.voucher_no, row.paid_on, row.prepared_by = str(voucher_no), date.fromisoformat(str(paid_on)), ctx.actor.user_id
    row.checked_by, row.confirmed = None, False
    ctx.session.flush()
    return {'amount': fen_amount / 100, 'payee_account': str(payee_account)}


@effect('loan.confirm_disbursement', title='放款复核确认', result={
    'contract_no': {'title': '借款合同编号', 'x-title-en': 'Contract no.'},
    'amount': {'title': '已放款金额（元）', 'x-title-en': 'Disbursed (yuan)', **_YUAN},
})
def loan_confirm_disbursement(ctx, contract_no, borrower_id_number, spouse_id_number, term_years, rate, opened_on):
    """The second person confirms the payment: the loan becomes an open fund loan of record."""
    row = ctx.session.scalar(select(LoanDisbursement).where(LoanDisbursement.instance_id == ctx.instance.id))
    if row is None or row.confirmed:
        refuse(N_('There is no prepared payment to confirm.'))
    row.checked_by, row.confirmed = ctx.actor.user_id, True
    ctx.session.add(FundLoan(contract_no=str(contract_no), id_number=str(borrower_id_number),
                             co_borrower_id_number=str(spouse_id_number) or None, amount=row.amount,
                             term_months=int(term_years) * 12, annual_rate=str(rate),
                             opened_on=date.fromisoformat(str(opened_on)), instance_id=ctx.instance.id))
    ctx.session.flush()
    return {'contract_no': str(contract_no), 'amount': row.amount / 100}


# -- documents -------------------------------------------------------------------------------------

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


def _plan(data):
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
    return {'who': who, 'when': when, 'forms': loaded.forms, 'plan': _plan(data), 'missing': missing,
            'clock': clocks.get('decision'), 'supplement': clocks.get('supplement'),
            'yuan': lambda value: f'{float(value or 0):,.2f}',
            'value': lambda code: loaded.properties.get(f'labels.{code}', code or ''),
            'bound_by': dict(zip(_BOUND_BY['enum'], _BOUND_BY['x-enumNames'])).get((data.get('term') or {})
                                                                                   .get('bound_by'), ''),
            'result_labels': {'binding': dict(zip(_BINDING['enum'], _BINDING['x-enumNames']))}}


def _has(*keys):
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


# -- demo data and the standard path ---------------------------------------------------------------

@dataclass(frozen=True)
class DemoHousehold:
    """A fund account with its contribution run, homes and loans of record (demo, tests, bench)."""
    account_no: str
    name: str
    id_number: str
    balance: int               # yuan
    months: int                # continuous full months, paid through last month
    homes: int = 0
    loans: tuple = ()          # (contract no, still open?)


# One household per rule it exercises (tests/workflows/test_loan_paths.py uses the same ones).
DEMO_HOUSEHOLDS = [
    DemoHousehold('200000000001', '陈贷款', '310104199001011234', 60_000, 96),       # balance × 15 binds
    DemoHousehold('200000000002', '林配偶', '310104199102022346', 90_000, 80),       # spouse of 陈贷款: a couple
    DemoHousehold('200000000003', '何收入', '310105198805053315', 200_000, 120),     # repayment capacity binds
    DemoHousehold('200000000004', '罗首付', '310106199203036672', 150_000, 110),     # price × LTV binds
    DemoHousehold('200000000005', '高额度', '310107198507078891', 200_000, 170),     # the ceiling binds
    DemoHousehold('200000000006', '谢二套', '310108198909094412', 120_000, 140, homes=1),   # a second home
    DemoHousehold('200000000007', '韩未清', '310109198410105533', 80_000, 150,
                  loans=(('GJJ-DK-2019-0007', True),)),                                  # an open fund loan
    DemoHousehold('200000000008', '唐新缴', '310110199506064422', 8_000, 4),          # too few months
    DemoHousehold('200000000009', '宋临退', '310111196803037714', 120_000, 300),     # near retirement: term binds
]


def add_demo_households(session, today: date | None = None):
    """Insert the demo households' records (idempotent): accounts, contribution runs, homes, loans."""
    today = today or date.today()
    paid_through = add_months(date(today.year, today.month, 1), -1)
    for h in DEMO_HOUSEHOLDS:
        if session.get(FundAccount, h.account_no) is not None:
            continue
        session.add(FundAccount(account_no=h.account_no, holder_name=h.name, id_number=h.id_number,
                                balance=h.balance * 100, employer='上海某某有限公司'))
        session.flush()
        session.add(FundContribution(account_no=h.account_no, continuous_since=add_months(paid_through, 1 - h.months),
                                     paid_through=paid_through, monthly_amount=300_000))
        session.add_all(HomeRecord(id_number=h.id_number, address=f'上海市某区某路{n + 1}号', registered_on=date(2015, 5, 1))
                        for n in range(h.homes))
        session.add_all(FundLoan(contract_no=no, id_number=h.id_number, amount=50_000_000, term_months=240,
                                 annual_rate='3.25', opened_on=date(2019, 7, 1),
                                 closed_on=None if still_open else date(2023, 1, 1)) for no, still_open in h.loans)
    session.flush()


# A single borrower's first home (一手房), 600,000 yuan over 30 years: the approver decides.
STANDARD_APPLICATION = {
    'account_no': '200000000001', 'borrower_retirement_base': 'male_60', 'borrower_income': 20000,
    'marital_status': 'single', 'property_type': 'new', 'property_address': '上海市浦东新区某路100弄1号101室',
    'price': 1500000, 'seller_name': '上海某某置业有限公司', 'seller_bank': '中国建设银行上海分行',
    'seller_account': '31001234567890123', 'amount': 600000, 'term_years': 30, 'repayment_method': 'annuity',
    'monthly_debt': 0, 'credit_authorised': True,
    'materials_provided': ['id_card', 'household_register', 'marriage_proof', 'income_proof', 'credit_authorisation',
                           'purchase_contract', 'down_payment_receipt', 'seller_account_proof'],
}

# (step, demo user, form) from acceptance to disbursement on the approver tier; any step may be
# left out or changed by the caller (tests, bench, demo cases).
STANDARD_STEPS = [
    ('accept', 'clerk', {'materials_complete': True}),
    ('initial_review', 'reviewer', {'initial_decision': 'pass', 'income_verified': True, 'credit_checked': True,
                                    'property_verified': True, 'initial_opinion': '收入、征信、合同核对无误'}),
    ('interview', 'clerk', {'interview_on': '2026-06-03', 'identity_verified': True, 'intent_confirmed': True,
                            'video_recorded': True, 'interview_note': '借款人本人到场，确认借款金额、期限及还款方式'}),
    ('interview_cosign', 'clerk2', {'cosign_confirmed': True}),
    ('guarantee', 'clerk2', {'guarantee_kind': 'mortgage', 'guarantor': '所购住房', 'guarantee_ref': 'DB-2026-001'}),
    ('final_review', 'reviewer2', {'final_decision': 'pass', 'recommended_amount': 600000, 'exception_case': False,
                                   'final_opinion': '同意按可核准金额贷款'}),
    ('decide_approver', 'approver', {'approver_decision': 'approve', 'approver_amount': 600000,
                                     'approver_opinion': '同意'}),
    ('sign_contract', 'clerk', {'contract_no': 'JK-2026-0001', 'contract_date': '2026-06-10', 'mortgagors_signed': True,
                                'trustee_bank': '中国建设银行上海分行'}),
    ('mortgage_registration', 'clerk', {'mortgage_cert_no': '沪(2026)浦字不动产证明第0001号',
                                        'mortgage_registered_on': '2026-06-15'}),
    ('disburse', 'cashier', {'payee_name': '上海某某置业有限公司', 'payee_account': '31001234567890123',
                             'paid_amount': 600000, 'voucher_no': 'FK-2026-0001', 'paid_on': '2026-06-16'}),
    ('disburse_check', 'cashier2', {'check_decision': 'confirm'}),
]


def ready_task(session, instance, step):
    """The open task of `step` in a case, or None."""
    return session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.spec_id == step,
                                                   HumanTask.state == TaskState.ready)
                           .order_by(HumanTask.id)).first()


def advance(session, instance, steps, users, at=None):
    """Complete `steps` ((step, username, form) …) in order as those users; the caller commits."""
    from ..actors import Actor
    from ..runtime import complete_task
    for step, username, form in steps:
        task = ready_task(session, instance, step)
        if task is None:
            raise LookupError(f'{instance.business_key}: no open task {step!r}')
        complete_task(session, task.id, form, Actor(users[username], at) if at else Actor(users[username]))


@demo_cases(order=20)
def loan_demo(session, users):
    """Demo households, and a loan waiting at each stage, so every demo user finds loan work."""
    from ..actors import Actor
    from ..runtime import start_instance
    add_demo_households(session)
    clerk = Actor(users['clerk'])
    waits = ['accept', 'initial_review', 'interview_cosign', 'final_review', 'decide_approver', 'sign_contract',
             'disburse', 'disburse_check']
    for n, step in enumerate(waits):
        instance = start_instance(session, KEY, {**STANDARD_APPLICATION, 'amount': 300000 + 10000 * n}, clerk)
        steps = [(s, u, {**f, 'recommended_amount': 300000 + 10000 * n} if s == 'final_review' else
                  {**f, 'approver_amount': 300000 + 10000 * n} if s == 'decide_approver' else
                  {**f, 'paid_amount': 300000 + 10000 * n, 'voucher_no': f'FK-DEMO-{n}'} if s == 'disburse' else
                  {**f, 'contract_no': f'JK-DEMO-{n}'} if s == 'sign_contract' else f)
                 for s, u, f in STANDARD_STEPS]
        advance(session, instance, steps[:[s for s, _u, _f in steps].index(step)], users)
    first_review = STANDARD_STEPS[:1]
    before_valuation = STANDARD_STEPS[:4]
    decided = lambda amount: STANDARD_STEPS[:5] + [   # noqa: E731 -- up to the decision, recommending `amount`
        ('final_review', 'reviewer2', {**STANDARD_STEPS[5][2], 'recommended_amount': amount})]
    extra = STANDARD_APPLICATION['materials_provided']
    others = [
        # the director: 高额度 asks 1,000,000; the ceiling (1,200,000) binds
        ({'account_no': '200000000005', 'amount': 1000000, 'price': 2000000}, decided(1000000)),
        # the committee: 陈贷款 and his wife 林配偶 ask 1,600,000; their balances × 15 (2,250,000) bind
        ({'marital_status': 'married', 'spouse_name': '林配偶', 'spouse_id_number': '310104199102022346',
          'spouse_retirement_base': 'female_55', 'spouse_income': 25000, 'spouse_contributes': True,
          'spouse_account_no': '200000000002', 'price': 3000000, 'amount': 1600000, 'borrower_income': 30000},
         decided(1600000)),
        # 补正: 何收入 handed in only the ID cards; the one-time notice lists the rest
        ({'account_no': '200000000003', 'materials_provided': ['id_card']},
         [('accept', 'clerk', {'materials_complete': False, 'notice_note': '收入证明须加盖单位公章'})]),
        # repayment capacity binds: 8,000 a month with 1,000 of other debt
        ({'account_no': '200000000003', 'borrower_income': 8000, 'monthly_debt': 1000}, first_review),
        # the rules refuse: an open fund loan; too few months of contributions
        ({'account_no': '200000000007'}, first_review),
        ({'account_no': '200000000008', 'borrower_retirement_base': 'female_55'}, first_review),
        # a resale: price × 0.8 binds before the valuation; the valuation and the guarantee wait in parallel
        ({'account_no': '200000000004', 'property_type': 'resale', 'price': 700000,
          'materials_provided': extra + ['title_certificate']}, before_valuation),
        # an off-plan home near retirement: the term is cut to 7 years (asked 20)
        ({'account_no': '200000000009', 'property_type': 'presale', 'term_years': 20,
          'materials_provided': extra + ['presale_permit', 'developer_guarantee']}, STANDARD_STEPS[:2]),
        # a second home: LTV 0.6, the second-home rate
        ({'account_no': '200000000006', 'price': 900000, 'amount': 500000}, first_review),
    ]
    for changes, steps in others:
        advance(session, start_instance(session, KEY, {**STANDARD_APPLICATION, **changes}, clerk), steps, users)
