"""How much and how long: the lowest of the four limits (and which bound it) and the longest term.

No policy figure lives here: multiples, ratios, LTVs, the ceiling, the retirement-age schedule and
the term limits come from the DMN tables, which the model passes in as parameters.
"""
from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN

from ...errors import N_
from ...operations import lookup, refuse
from .household import add_months, id_facts, whole_months
from .schedule import SCHEDULE_RESULT, YUAN, capacity_principal, dec, floor_fen, summaries

CONSTRAINTS = ('balance', 'capacity', 'ltv', 'ceiling')   # the order ties are reported in


# -- the amount ------------------------------------------------------------------------------------


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


BINDING = {'enum': list(CONSTRAINTS),
           'x-enumNames': ['账户余额倍数', '还款能力（月还款额不超过家庭月收入的规定比例）', '房价（评估价）× 贷款成数',
                           '最高贷款额度'],
           'x-enumNames-en': ['Balance × multiple', 'Repayment capacity', 'Price (appraisal) × loan-to-value',
                              'City ceiling']}


@lookup('loan.limit', title='贷款额度测算', result={
    'balance_limit': {'title': '按账户余额倍数（元）', 'x-title-en': 'By balance × multiple (yuan)', **YUAN},
    'capacity_limit': {'title': '按还款能力（元）', 'x-title-en': 'By repayment capacity (yuan)', **YUAN},
    'ltv_limit': {'title': '按房价（评估价）× 贷款成数（元）', 'x-title-en': 'By price × LTV (yuan)', **YUAN},
    'ceiling_limit': {'title': '最高贷款额度（元）', 'x-title-en': 'City ceiling (yuan)', **YUAN},
    'limit': {'title': '可贷额度（元）', 'x-title-en': 'Loan limit (yuan)', **YUAN},
    'binding': {'title': '约束额度的规则', 'x-title-en': 'Limit bound by', **BINDING},
    'grantable': {'title': '可核准金额（元）', 'x-title-en': 'Amount that may be approved (yuan)', **YUAN},
    'term_years': {'title': '期限（年）', 'x-title-en': 'Term (years)'},
    'annual_rate': {'title': '年利率（%）', 'x-title-en': 'Annual rate (%)'},
    **SCHEDULE_RESULT,
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
        out.update(summaries(result['grantable'], rate, result['months']))
    return out


# -- the term: retirement ages ---------------------------------------------------------------------

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


BOUND_BY = {'enum': ['policy', 'borrower', 'spouse'],
            'x-enumNames': ['最长贷款期限', '借款人退休年龄', '配偶退休年龄'],
            'x-enumNames-en': ['Longest term allowed', "Borrower's retirement age", "Spouse's retirement age"]}


@lookup('loan.term', title='贷款期限与退休年龄', result={
    'borrower_retirement': {'title': '借款人法定退休', 'x-title-en': 'Borrower retires'},
    'spouse_retirement': {'title': '配偶法定退休', 'x-title-en': 'Spouse retires'},
    'max_years': {'title': '最长可贷期限（年）', 'x-title-en': 'Longest term (years)'},
    'bound_by': {'title': '期限约束', 'x-title-en': 'Term bound by', **BOUND_BY},
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
