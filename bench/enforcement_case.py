"""One enforcement case with a long history, through the engine: completion times as it grows.

The standard lead (workflows/processes/enforcement/demo.py) is filed on 1 June 2026; officers register
`--evidence` items one completion each (the evidence loop), the party contests the decision and the
review loop runs `--reviews` times, then the case goes unpaid → 催告 → court → closure. Printed:
the median and p95 of complete_task + commit for the first and last ten evidence items, for the
review loop, for the whole case, the case's wall time, and the time to render the evidence list and
the closing report (a case file of every step)::

    .venv/bin/python bench/enforcement_case.py                 # fresh SQLite file in a temp dir
    .venv/bin/python bench/enforcement_case.py --evidence 100 --reviews 50
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from workflows import runtime  # noqa: E402
from workflows.actors import Actor  # noqa: E402
from workflows.db import make_engine  # noqa: E402
from workflows.definitions import latest_definition, loaded_definition  # noqa: E402
from workflows.documents import render  # noqa: E402
from workflows.models import HumanTask, ProcessInstance, TaskState  # noqa: E402
from workflows.processes import enforcement as enf  # noqa: E402
from workflows.processes.enforcement import demo  # noqa: E402

from timing import p95, seeded_factory, user_named  # noqa: E402  (bench/timing.py)

T0 = date(2026, 6, 1)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 2, 0)


def complete(factory, instance_id, step, username, form, day) -> float:
    """Complete a step in a fresh session, as a web request does; time complete_task + commit only."""
    with factory() as session:
        task_id = session.scalars(select(HumanTask.id).where(HumanTask.instance_id == instance_id,
                                                             HumanTask.spec_id == step,
                                                             HumanTask.state == TaskState.ready)).one()
        user = user_named(session, username)
        start = time.perf_counter()
        runtime.complete_task(session, task_id, dict(form), Actor(user, _at(day)))
        session.commit()
        return time.perf_counter() - start


def ms(values):
    return f'median {statistics.median(values) * 1000:.1f} ms, p95 {p95(values) * 1000:.1f} ms'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--evidence', type=int, default=100, help='evidence items (one completion each)')
    parser.add_argument('--reviews', type=int, default=50, help='rounds of the contested-payment loop')
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix='gjj-enforcement-bench-') as tmp:
        engine = make_engine(f'sqlite:///{Path(tmp) / "bench.db"}')
        factory = seeded_factory(engine)
        with factory() as session:
            enf.add_demo_employers(session)
            instance = runtime.start_instance(session, 'enforcement', enf.STANDARD_LEAD,
                                              Actor(user_named(session, 'officer'), _at(T0)))
            session.commit()
            case_id = instance.id
        wall = time.perf_counter()
        timings, evidence = [], []
        timings.append(complete(factory, case_id, *demo.FILE[0], T0))
        for i in range(args.evidence):
            form = {**demo.EVIDENCE, 'evidence_description': f'工资发放表第{i + 1}页', 'archive_ref': f'ZJ-{i + 1:03d}',
                    'more_evidence': i + 1 < args.evidence}
            evidence.append(complete(factory, case_id, 'add_evidence', 'officer' if i % 2 else 'officer2', form, T0))
        timings += evidence
        day = T0
        path = demo.INVESTIGATE[2:] + demo.ORDER
        timings += [complete(factory, case_id, s, u, f, day) for s, u, f in path]
        day = date(2026, 7, 2)
        rest = demo.NOT_COMPLIED + demo.LEGAL + demo.NOTICE + demo.NO_STATEMENT + demo.DECIDE + demo.SERVE
        timings += [complete(factory, case_id, s, u, f, day) for s, u, f in rest]
        reviews = []
        for _ in range(args.reviews):
            reviews.append(complete(factory, case_id, 'await_payment', 'officer', {'payment_state': 'contested'}, day))
            reviews.append(complete(factory, case_id, 'await_review', 'legal',
                                    {'review_result': 'upheld', 'review_note': '维持'}, day))
        timings += reviews
        day = date(2026, 8, 3)
        end = [('await_payment', 'officer', {'payment_state': 'unpaid'}),
               ('remind', 'officer', {'reminder_no': '催告〔2026〕1号', 'reminder_receiver': '王某'})]
        timings += [complete(factory, case_id, s, u, f, day) for s, u, f in end]
        day = date(2027, 1, 8)
        end = [('apply_court', 'officer', {'court': '上海市黄浦区人民法院', 'court_application_no': '强执申〔2027〕1号'}),
               ('court_result', 'officer', {'court_result': 'enforced', 'court_note': '执行完毕'})] + demo.CLOSE
        timings += [complete(factory, case_id, s, u, f, day) for s, u, f in end]
        wall = time.perf_counter() - wall
        with factory() as session:
            instance = session.get(ProcessInstance, case_id)
            loaded = loaded_definition(latest_definition(session, 'enforcement'))
            start = time.perf_counter()
            for name in ('enforcement.evidence_list', 'enforcement.closing_report'):
                render(session, instance, loaded, name)
            rendered = time.perf_counter() - start
            outcome = instance.outcome
        engine.dispose()
    print(f'enforcement case ({outcome}): {len(timings)} completions in {wall:.2f} s wall time')
    print(f'  evidence items 1-10:   {ms(evidence[:10])}')
    print(f'  evidence items last 10: {ms(evidence[-10:])}')
    print(f'  review loop ({len(reviews)} completions): {ms(reviews)}; last 10: {ms(reviews[-10:])}')
    print(f'  every completion:      {ms(timings)}')
    print(f'  evidence list + closing report rendered in {rendered * 1000:.1f} ms')


if __name__ == '__main__':
    main()
