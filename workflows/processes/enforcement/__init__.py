"""The enforcement case (行政执法): facts of record, the law's checks, documents and demo cases.

Everything else is in the process's files: `bpmn_models/enforcement.bpmn`, `rules/enforcement_*.dmn`
(the 裁量基准) and `forms/enforcement_*.json`.

- `law`: the statutory periods and the arithmetic of dates and money (time bar, arrears, hearing
  notice, 公告, surcharge, court window), over the center's working-day calendar;
- `case`: the operations the model's service tasks call, each refusing what the law forbids;
- `documents`: the 13 printable documents (templates in `workflows/processes/templates/enforcement/`);
- `demo`: demo employers, the standard lead and path, demo cases at each stage (tests and bench use them).

The plug-in loader imports this package only, so importing the modules here is what registers them.
"""
from __future__ import annotations

from . import case, documents, law  # noqa: F401 -- registers them
from .demo import DEMO_EMPLOYERS, KEY, STANDARD_LEAD, add_demo_employers, advance, ready_task  # noqa: F401
