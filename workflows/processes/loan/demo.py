"""Demo households, the standard application and path, and the demo cases (also used by tests and bench)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ...models import FundAccount, FundContribution, FundLoan, HomeRecord, HumanTask, TaskState
from ...operations import demo_cases
from .household import add_months

KEY = 'loan'


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
    from ...actors import Actor
    from ...runtime import complete_task
    for step, username, form in steps:
        task = ready_task(session, instance, step)
        if task is None:
            raise LookupError(f'{instance.business_key}: no open task {step!r}')
        complete_task(session, task.id, form, Actor(users[username], at) if at else Actor(users[username]))


# The stages a demo loan waits at, one case each.
DEMO_WAITS = ['accept', 'initial_review', 'interview_cosign', 'final_review', 'decide_approver',
              'sign_contract', 'disburse', 'disburse_check']


def _staged_steps(n: int) -> list:
    """The standard steps for the `n`-th staged demo case: its own amount, contract and voucher numbers."""
    amount = 300000 + 10000 * n
    return [(s, u, {**f, 'recommended_amount': amount} if s == 'final_review' else
             {**f, 'approver_amount': amount} if s == 'decide_approver' else
             {**f, 'paid_amount': amount, 'voucher_no': f'FK-DEMO-{n}'} if s == 'disburse' else
             {**f, 'contract_no': f'JK-DEMO-{n}'} if s == 'sign_contract' else f)
            for s, u, f in STANDARD_STEPS]


def _demo_variants() -> list[tuple[dict, list]]:
    """(changes to the standard application, steps to complete) of the demo cases that show one rule each."""
    first_review = STANDARD_STEPS[:1]
    before_valuation = STANDARD_STEPS[:4]
    decided = lambda amount: STANDARD_STEPS[:5] + [   # noqa: E731 -- up to the decision, recommending `amount`
        ('final_review', 'reviewer2', {**STANDARD_STEPS[5][2], 'recommended_amount': amount})]
    extra = STANDARD_APPLICATION['materials_provided']
    return [
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


@demo_cases(order=20)
def loan_demo(session, users):
    """Demo households, and a loan waiting at each stage, so every demo user finds loan work."""
    from ...actors import Actor
    from ...runtime import start_instance
    add_demo_households(session)
    clerk = Actor(users['clerk'])
    for n, step in enumerate(DEMO_WAITS):
        instance = start_instance(session, KEY, {**STANDARD_APPLICATION, 'amount': 300000 + 10000 * n}, clerk)
        steps = _staged_steps(n)
        advance(session, instance, steps[:[s for s, _u, _f in steps].index(step)], users)
    for changes, steps in _demo_variants():
        advance(session, start_instance(session, KEY, {**STANDARD_APPLICATION, **changes}, clerk), steps, users)
