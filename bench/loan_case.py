"""One loan through the engine, for benchmarks: the steps, fresh accounts, register, drive.

`bench_engine.py` can time the loan's completions next to the withdrawal's in the same run::

    from loan_case import LOAN_STEPS, add_loan_accounts, loan_account_no, register_loan, drive_loan
    add_loan_accounts(session, n)                    # while populating the database, before commit
    instance_id = register_loan(factory, loan_account_no(i))
    for step, elapsed in drive_loan(factory, instance_id, timed_complete):   # timing.timed_complete
        ...

Each loan uses an account of its own (a copy of demo household 200000000001: single, first home,
600,000 over 30 years, decided by the approver), because a disbursed loan is an open fund loan and
the rules refuse the same borrower's next application. The path has 11 completions: accept, first
review, interview and its second officer, guarantee, second review, decision, contract, mortgage,
disbursement and its check. It runs standalone too::

    .venv/bin/python bench/loan_case.py --n 50            # fresh SQLite file in a temp dir
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from workflows import runtime  # noqa: E402
from workflows.actors import Actor  # noqa: E402
from workflows.db import make_engine  # noqa: E402
from workflows.models import FundAccount, FundContribution, HumanTask, TaskState  # noqa: E402
from workflows.processes import loan  # noqa: E402
from workflows.processes.loan.household import add_months  # noqa: E402

from timing import p95, seeded_factory, timed_complete, user_named  # noqa: E402  (bench/timing.py)

LOAN_STEPS = list(loan.STANDARD_STEPS)      # (step, demo user, form) from acceptance to disbursement
TEMPLATE = loan.DEMO_HOUSEHOLDS[0]


def loan_account_no(i: int) -> str:
    """The account number of the i-th bench borrower."""
    return f'8{i:011d}'


def _id_number(i: int) -> str:
    """A distinct, well-formed ID number of a man born in 1990 (the 17th digit is odd)."""
    born = date(1990, 1, 1) + timedelta(days=i // 500)
    return f'310104{born:%Y%m%d}{(i % 500) * 2 + 1:03d}0'


def add_loan_accounts(session, count: int, today: date | None = None):
    """`count` copies of the template household (balance, contribution run) with their own numbers."""
    today = today or date.today()
    paid_through = add_months(date(today.year, today.month, 1), -1)
    for i in range(count):
        session.add(FundAccount(account_no=loan_account_no(i), holder_name=TEMPLATE.name, id_number=_id_number(i),
                                balance=TEMPLATE.balance * 100, employer='基准测试单位'))
    session.flush()
    session.add_all(FundContribution(account_no=loan_account_no(i), paid_through=paid_through, monthly_amount=300_000,
                                     continuous_since=add_months(paid_through, 1 - TEMPLATE.months))
                    for i in range(count))
    session.flush()


def register_loan(factory, account_no: str) -> int:
    """Register one loan as the clerk; return its instance id."""
    with factory() as session:
        instance = runtime.start_instance(session, 'loan', {**loan.STANDARD_APPLICATION, 'account_no': account_no},
                                          Actor(user_named(session, 'clerk')))
        session.commit()
        return instance.id


def ready_task_id(factory, instance_id: int, step: str) -> int:
    """The id of a step's open task, read in a session of its own."""
    with factory() as session:
        return session.scalars(select(HumanTask.id).where(HumanTask.instance_id == instance_id,
                                                          HumanTask.spec_id == step,
                                                          HumanTask.state == TaskState.ready)).one()


def drive_loan(factory, instance_id: int, complete=timed_complete) -> list[tuple[str, float]]:
    """Complete every step of LOAN_STEPS with `complete(factory, task_id, username, data)`; its results."""
    numbered = {'sign_contract': {'contract_no': f'JK-BENCH-{instance_id}'},
                'disburse': {'voucher_no': f'FK-BENCH-{instance_id}'}}
    return [(step, complete(factory, ready_task_id(factory, instance_id, step), username,
                            {**form, **numbered.get(step, {})}))
            for step, username, form in LOAN_STEPS]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--n', type=int, default=20, help='loans to time')
    parser.add_argument('--warmup', type=int, default=3, help='loans run untimed first')
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix='gjj-loan-bench-') as tmp:
        engine = make_engine(f'sqlite:///{Path(tmp) / "bench.db"}')
        factory = seeded_factory(engine)
        with factory() as session:
            add_loan_accounts(session, args.n + args.warmup)
            session.commit()
        timings = []
        for i in range(args.n + args.warmup):
            steps = drive_loan(factory, register_loan(factory, loan_account_no(i)))
            if i >= args.warmup:
                timings += [elapsed for _step, elapsed in steps]
        engine.dispose()
    print(f'loan: {len(timings)} completions, complete_task + commit median '
          f'{statistics.median(timings) * 1000:.2f} ms, p95 {p95(timings) * 1000:.2f} ms')


if __name__ == '__main__':
    main()
