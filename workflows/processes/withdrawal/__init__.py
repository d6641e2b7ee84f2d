"""The withdrawal (提取): the facts its rules need, its notices and its demo cases.

Everything else about the withdrawal is in its files: `bpmn_models/withdrawal.bpmn`,
`rules/withdrawal_rules.dmn` (the types of code table 204008, eligibility, approval limits) and
`forms/withdrawal_*.json`. Modules: `checks` (lookups the model calls), `notices` (printable
documents), `demo` (demo cases).
"""
from . import checks, demo, notices  # noqa: F401 -- importing registers their operations

KEY = checks.KEY
