"""The loan's arithmetic against figures worked out by hand: limits, retirement ages, terms, schedules.

No database: these are the pure functions of workflows/processes/loan/, fed with the parameters
the DMN tables hold (rules/loan_limit.dmn: multiple 15, income ratio 0.5, LTV 0.8 first / 0.6
second home, ceilings 1.2M / 2.4M first and 0.8M / 1.6M second, step 100 yuan; loan_retirement.dmn).
"""
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from workflows.processes.loan.household import add_months, id_facts, whole_months
from workflows.processes.loan.limits import loan_limit, max_term_years, retirement
from workflows.processes.loan.schedule import annuity_payment, capacity_principal, schedule

ROOT = Path(__file__).resolve().parents[2]
FIRST = {'multiple': 15, 'income_ratio': '0.5', 'ltv': '0.8', 'ceiling': 1200000, 'step': 100}


def _retirement_rules():
    """The rows of rules/loan_retirement.dmn, read from the file (the figures are data, not code)."""
    ns = {'d': 'https://www.omg.org/spec/DMN/20191111/MODEL/'}
    root = etree.parse(str(ROOT / 'rules' / 'loan_retirement.dmn'))
    names = [o.get('name').split('.')[1] for o in root.iterfind('.//d:output', ns)]
    rows = []
    for rule in root.iterfind('.//d:rule', ns):
        values = [e.findtext('d:text', namespaces=ns) for e in rule.iterfind('d:outputEntry', ns)]
        rows.append({n: v.strip('"') for n, v in zip(names, values)})
    return {r['category']: r for r in rows}


RULES = _retirement_rules()


# --- the limit: one row per binding rule ------------------------------------------------------------

LIMIT_CASES = {
    # balance 60,000 × 15 = 900,000 (lowest). Capacity: 20,000 × 0.5 = 10,000 a month for 30 years at
    # 2.60 %: 10,000 × (1 − (1 + r)^−360) / r with r = 0.026 / 12 = 2,497,878.60. Price 1,500,000 × 0.8
    # = 1,200,000. Ceiling 1,200,000. Limit 900,000; the applicant asked for 600,000.
    'balance': (dict(balance=60000, income=20000, debt=0, rate='2.60', term_years=30, method='annuity',
                     price=1500000, appraisal=0, requested=600000, **FIRST),
                {'balance': '900000.00', 'capacity': '2497878.60', 'ltv': '1200000.00', 'ceiling': '1200000.00'},
                '900000', '600000'),
    # capacity: 16,000 × 0.5 − 3,000 other debt = 5,000 a month. Level principal (等额本金) over 120
    # months at 2.60 %: the first month is the largest, L × (1/120 + 0.026/12) = L × 1.26/120 = L × 0.0105,
    # so L = 5,000 / 0.0105 = 476,190.476… → 476,190.47 (fen, down) → 476,100 (100 yuan, down).
    # Balance 200,000 × 15 = 3,000,000; price 1,000,000 × 0.8 = 800,000; ceiling 1,200,000.
    'capacity': (dict(balance=200000, income=16000, debt=3000, rate='2.60', term_years=10, method='linear',
                      price=1000000, appraisal=0, requested=700000, **FIRST),
                 {'balance': '3000000.00', 'capacity': '476190.47', 'ltv': '800000.00', 'ceiling': '1200000.00'},
                 '476100', '476100'),
    # LTV on a resale: min(price 700,000, appraisal 650,000) × 0.8 = 520,000. Balance 150,000 × 15 =
    # 2,250,000; capacity 30,000 × 0.5 = 15,000 a month for 20 years at 2.60 % (far above); ceiling 1.2M.
    'ltv': (dict(balance=150000, income=30000, debt=0, rate='2.60', term_years=20, method='annuity',
                 price=700000, appraisal=650000, requested=600000, **FIRST),
            {'balance': '2250000.00', 'ltv': '520000.00', 'ceiling': '1200000.00'}, '520000', '520000'),
    # ceiling: 1,200,000 below balance 200,000 × 15 = 3,000,000, price 2,000,000 × 0.8 = 1,600,000 and
    # what 40,000 × 0.5 = 20,000 a month repays over 30 years (about 5.0M).
    'ceiling': (dict(balance=200000, income=40000, debt=0, rate='2.60', term_years=30, method='annuity',
                     price=2000000, appraisal=0, requested=1500000, **FIRST),
                {'balance': '3000000.00', 'ltv': '1600000.00', 'ceiling': '1200000.00'}, '1200000', '1200000'),
}


@pytest.mark.parametrize('case', list(LIMIT_CASES))
def test_the_lowest_limit_binds_and_is_named(case):
    params, limits, limit, grantable = LIMIT_CASES[case]
    result = loan_limit(**params)
    assert result['binding'] == case
    assert {k: str(v) for k, v in result['limits'].items() if k in limits} == limits
    assert (result['limit'], result['grantable']) == (Decimal(limit), Decimal(grantable))


def test_the_annuity_capacity_matches_the_closed_formula():
    # 10,000 a month for 360 months at 2.60 %: PV = C (1 − (1+r)^−n) / r, in floating point 2,497,878.6046
    r = 0.026 / 12
    assert abs(float(capacity_principal(10000, '2.60', 360, 'annuity')) - 10000 * (1 - (1 + r) ** -360) / r) < 0.01


def test_a_second_home_couple_uses_its_own_ltv_and_ceiling():
    # second home, both contribute: LTV 0.6, ceiling 1,600,000. Balances 100,000 + 90,000 = 190,000 × 15
    # = 2,850,000; price 2,500,000 × 0.6 = 1,500,000 (lowest); income 50,000 × 0.5 = 25,000 a month.
    result = loan_limit(balance=190000, multiple=15, income=50000, income_ratio='0.5', debt=0, rate='3.075',
                        term_years=25, method='annuity', price=2500000, appraisal=0, ltv='0.6', ceiling=1600000,
                        step=100, requested=1550000)
    assert (result['binding'], result['limit'], result['grantable']) == ('ltv', Decimal(1500000), Decimal(1500000))


def test_the_limit_is_rounded_down_to_the_step():
    # 60,033.33 × 15 = 900,499.95 → 900,400 (100 yuan, down)
    result = loan_limit(balance='60033.33', income=20000, debt=0, rate='2.60', term_years=30, method='annuity',
                        price=1500000, appraisal=0, requested=950000, **FIRST)
    assert (result['limits']['balance'], result['limit']) == (Decimal('900499.95'), Decimal(900400))


def test_no_capacity_left_means_no_loan():
    # 8,000 × 0.5 − 4,500 debt < 0: nothing can be repaid
    result = loan_limit(balance=100000, income=8000, debt=4500, rate='2.60', term_years=20, method='annuity',
                        price=900000, appraisal=0, requested=300000, **FIRST)
    assert (result['binding'], result['limit'], result['grantable']) == ('capacity', 0, 0)


def test_ties_are_reported_in_rule_order():
    # balance 80,000 × 15 = 1,200,000 = the ceiling = 1,500,000 × 0.8: the balance rule is named first
    result = loan_limit(balance=80000, income=40000, debt=0, rate='2.60', term_years=30, method='annuity',
                        price=1500000, appraisal=0, requested=1200000, **FIRST)
    assert (result['binding'], result['limit']) == ('balance', Decimal(1200000))


# --- retirement age (gradual rise from 2025) and the term ---------------------------------------------

@pytest.mark.parametrize('born, category, retires, age', [
    (date(1964, 12, 15), 'male_60', date(2024, 12, 15), '60'),       # born before January 1965: no rise
    (date(1965, 1, 1), 'male_60', date(2025, 2, 1), '60+1'),         # first 4 birth months: +1 month
    (date(1965, 4, 30), 'male_60', date(2025, 5, 30), '60+1'),
    (date(1965, 5, 1), 'male_60', date(2025, 7, 1), '60+2'),         # next 4 months: +2
    (date(1968, 3, 3), 'male_60', date(2029, 1, 3), '60+10'),        # 38 months after Jan 1965: 38 // 4 + 1 = 10
    (date(1976, 8, 20), 'male_60', date(2039, 7, 20), '60+35'),      # 139 // 4 + 1 = 35
    (date(1976, 9, 1), 'male_60', date(2039, 9, 1), '63'),           # 140 // 4 + 1 = 36: the full three years
    (date(1990, 1, 1), 'male_60', date(2053, 1, 1), '63'),           # capped at 36 months
    (date(1981, 8, 10), 'female_55', date(2039, 7, 10), '55+35'),    # 139 months after Jan 1970
    (date(1981, 9, 10), 'female_55', date(2039, 9, 10), '58'),
    (date(1984, 10, 5), 'female_50', date(2039, 9, 5), '50+59'),     # 117 // 2 + 1 = 59 months
    (date(1984, 11, 5), 'female_50', date(2039, 11, 5), '55'),       # 118 // 2 + 1 = 60: the full five years
    (date(1975, 1, 31), 'female_50', date(2025, 2, 28), '50+1'),     # no 31 February: the month's last day
])
def test_retirement_age_rises_per_birth_month(born, category, retires, age):
    base, _, rise = age.partition('+')
    day, months = retirement(born, RULES[category])
    assert (day, months) == (retires, int(base) * 12 + int(rise or 0))


def test_sex_and_birth_date_come_from_the_id_number():
    assert id_facts('310111196803037714') == (date(1968, 3, 3), 'male')      # 17th digit 1: odd
    assert id_facts('31010419910202234x') == (date(1991, 2, 2), 'female')    # 17th digit 4: even
    for bad in ('3101041991020223', '310104199113022346', 'ABCDEFGHIJKLMNOPQR'):
        with pytest.raises(ValueError):
            id_facts(bad)


def _bound(application, *persons):
    return max_term_years(application, list(persons), list(RULES.values()), policy_years=30, extra_years=5)


def test_term_bound_by_the_policy_for_a_young_borrower():
    # born 1990-01-01: retires at 63 on 2053-01-01; + 5 years = 2058-01-01; from 2026-06-01 that is 31 years
    # and 7 months: the 30-year policy binds.
    bound = _bound(date(2026, 6, 1), ('borrower', '310104199001011234', 'male_60'))
    assert (bound['max_years'], bound['bound_by'], bound['people']['borrower']['years']) == (30, 'policy', 31)


def test_term_bound_by_the_borrowers_retirement():
    # born 1968-03-03: retires 2029-01-03 (60 years 10 months); + 5 = 2034-01-03; from 2026-06-01: 7 years
    # 7 months → 7 whole years.
    bound = _bound(date(2026, 6, 1), ('borrower', '310111196803037714', 'male_60'))
    assert (bound['max_years'], bound['bound_by']) == (7, 'borrower')


@pytest.mark.parametrize('application, years', [
    (date(2029, 1, 3), 5),    # exactly retirement day: age + 5 years = retirement + 5 → 5 years allowed
    (date(2029, 1, 4), 4),    # one day later: 4 years 11 months → 4
    (date(2033, 1, 3), 1),    # one year before the end
    (date(2033, 1, 4), 0),    # less than a year: no loan (the eligibility table refuses a term < 1)
    (date(2036, 6, 1), 0),    # past the end: never negative
])
def test_term_edges_around_retirement(application, years):
    assert _bound(application, ('borrower', '310111196803037714', 'male_60'))['max_years'] == years


def test_the_spouse_can_bind_the_term():
    # borrower born 1990 (31 years left); spouse, a woman formerly retiring at 50, born 1984-10-05:
    # 54 years 11 months → 2039-09-05; + 5 = 2044-09-05; from 2026-06-01: 18 years 3 months → 18.
    bound = _bound(date(2026, 6, 1), ('borrower', '310104199001011234', 'male_60'),
                   ('spouse', '310104198410052346', 'female_50'))
    assert (bound['max_years'], bound['bound_by']) == (18, 'spouse')


def test_month_arithmetic():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert whole_months(date(2026, 6, 1), date(2034, 1, 3)) == 91
    assert whole_months(date(2026, 6, 2), date(2026, 7, 1)) == 0


# --- repayment schedules --------------------------------------------------------------------------------

def test_level_principal_schedule_by_hand():
    # 120,000 over 12 months at 2.10 % (a first home, ≤ 5 years): r = 0.021 / 12 = 0.00175.
    # Principal 10,000 a month. Month 1: interest 120,000 × 0.00175 = 210.00 → 10,210.00.
    # Month 12: interest 10,000 × 0.00175 = 17.50 → 10,017.50.
    # Interest in all: 0.00175 × (120,000 + 110,000 + … + 10,000) = 0.00175 × 780,000 = 1,365.00.
    rows = schedule(120000, '2.10', 12, 'linear')
    assert (rows[0].payment, rows[0].interest, rows[0].principal) == (Decimal('10210.00'), Decimal('210.00'),
                                                                       Decimal('10000.00'))
    assert (rows[1].payment, rows[-1].payment) == (Decimal('10192.50'), Decimal('10017.50'))  # 10,000 + 110,000 × r
    assert sum(r.interest for r in rows) == Decimal('1365.00') and rows[-1].balance == 0


def test_level_payment_schedule_by_hand():
    # 120,000 over 12 months at 2.10 %: M = P r (1+r)^n / ((1+r)^n − 1) = 10,114.1146… → 10,114.11.
    # Month 1: interest 210.00, principal 10,114.11 − 210.00 = 9,904.11, balance 110,095.89.
    # Month 2: interest 110,095.89 × 0.00175 = 192.667… → 192.67, principal 9,921.44.
    # The last month repays what is left (10,096.51) with its interest (17.67): 10,114.18.
    # Total repaid 11 × 10,114.11 + 10,114.18 = 121,369.39, so interest in all 1,369.39.
    assert annuity_payment(120000, '2.10', 12) == Decimal('10114.11')
    rows = schedule(120000, '2.10', 12, 'annuity')
    assert (rows[0].interest, rows[0].principal, rows[0].balance) == (Decimal('210.00'), Decimal('9904.11'),
                                                                       Decimal('110095.89'))
    assert (rows[1].interest, rows[1].principal) == (Decimal('192.67'), Decimal('9921.44'))
    assert (rows[-1].principal, rows[-1].interest, rows[-1].payment) == (Decimal('10096.51'), Decimal('17.67'),
                                                                          Decimal('10114.18'))
    assert sum(r.interest for r in rows) == Decimal('1369.39') and rows[-1].balance == 0


def test_thirty_year_schedules_balance_to_the_fen():
    # 600,000 over 360 months at 2.60 %: M = 2,402.04 (month 1: interest 600,000 × 0.026/12 = 1,300.00)
    annuity = schedule(600000, '2.60', 360, 'annuity')
    assert (annuity[0].payment, annuity[0].interest) == (Decimal('2402.04'), Decimal('1300.00'))
    assert sum(r.principal for r in annuity) == Decimal('600000.00')
    linear = schedule(600000, '2.60', 360, 'linear')
    # 600,000 / 360 = 1,666.666… → 1,666.67 a month; the last month takes 600,000 − 359 × 1,666.67 = 1,665.47
    assert (linear[0].payment, linear[-1].principal) == (Decimal('2966.67'), Decimal('1665.47'))
    assert sum(r.interest for r in linear) < sum(r.interest for r in annuity)
