"""The loan (个人住房公积金贷款): facts of record, the arithmetic the rules cannot do, documents, demo cases.

Everything else is in the loan's files: `bpmn_models/loan.bpmn`, `rules/loan_*.dmn` and
`forms/loan_*.json`. No policy figure lives here: multiples, ratios, ceilings, LTVs, rates, the
retirement-age schedule, term limits and tiers come from the DMN tables, which the model passes in
as parameters. What is here is arithmetic with `Decimal` to the fen (annuities, schedules, months
between dates) and reading the records (accounts, contributions, homes, loans, bans):

- `schedule`: Decimal money, repayment schedules, the contract's schedule (`loan.schedule`);
- `household`: ID numbers and calendar months, the household's records (`loan.household`);
- `limits`: the lowest of the four limits (`loan.limit`) and the longest term (`loan.term`);
- `checks`: the checks that refuse (`loan.checklist`, `loan.check_amount`, `loan.check_guarantee`,
  `loan.send_back`);
- `disbursement`: the payment and its confirmation (`loan.disburse`, `loan.confirm_disbursement`);
- `documents`: the printable documents (templates in `workflows/processes/templates/loan/`);
- `demo`: demo households and cases, the standard application and path (tests and bench use them).

The plug-in loader imports this package only, so importing the modules here is what registers them.
"""
from __future__ import annotations

from . import checks, disbursement, documents, household, limits, schedule  # noqa: F401 -- registers them
from .demo import (DEMO_HOUSEHOLDS, KEY, STANDARD_APPLICATION, STANDARD_STEPS, DemoHousehold,  # noqa: F401
                   add_demo_households, advance, ready_task)
