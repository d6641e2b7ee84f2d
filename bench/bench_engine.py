"""Benchmark one task completion of the engine layer against the bare SpiffWorkflow step.

What is measured, per task completion of a withdrawal on the manual path (accept, review, pay):

* ``complete_task + commit``: ``runtime.complete_task(...)`` followed by ``session.commit()`` in a
  fresh session, as a web request would do it: load the task, lock the instance, restore the
  workflow, run it, save the state, refresh the projections, append the audit events, commit.
  The user lookup happens before the clock starts.
* ``bare step (our serializer)``: the same step on the same stored state, in memory only:
  ``state.restore`` -> find the READY task -> update its data -> ``run`` -> ``do_engine_steps``
  -> ``state.dump``.
* ``bare step (stock serializer)``: the same step with SpiffWorkflow's own serializer, which
  writes the whole process spec into every state: ``deserialize_json`` -> run -> ``serialize_json``.

Both bare steps run for every timed completion, on the state blob read just before it.
Each withdrawal uses a fresh copy of demo account 100000000001 (see APPLICATION below), amount
100, purchase, at the window, so the rules always send it down the manual path.

The ratio median(complete_task) / median(bare step, ours) is our overhead; the target for a
typical instance is under 10 ms per completion on SQLite and within 2x of the bare step.

Run (from anywhere)::

    .venv/bin/python bench/bench_engine.py [--n 200] [--warmup 10] [--json out.json]
    .venv/bin/python bench/bench_engine.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Without ``--database-url`` a fresh SQLite file in a temporary directory is used; with it, a
throwaway database is created on that server and dropped at the end.
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
import uuid
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from uuid import UUID

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG  # noqa: E402
from SpiffWorkflow.util.task import TaskState as SpiffState  # noqa: E402


import loan_case  # noqa: E402  (bench/loan_case.py)
from timing import row, seeded_factory, timed_complete, user_named  # noqa: E402  (bench/timing.py)
from workflows import operations, runtime, state  # noqa: E402
from workflows.actors import Actor  # noqa: E402
from workflows.db import make_engine, make_session_factory  # noqa: E402
from workflows.bundles import collect_bundle  # noqa: E402
from workflows.definitions import deploy, loaded_definition  # noqa: E402
from workflows.deadlines import local_date  # noqa: E402
from workflows.models import utcnow  # noqa: E402
from workflows.models import BankAccount, FundAccount, HumanTask, InstanceState, ProcessInstance, TaskState  # noqa: E402

# Amount 100, purchase, at the window: the rules send this case to a person. The rules also allow
# one paid withdrawal of a type per person per 12 months, so demo account 100000000001 would be
# rejected from the second withdrawal on: each withdrawal uses a bench account of its own, a copy
# of 100000000001 (same holder name and balance) under a fresh account and ID number.
APPLICATION = {'withdrawal_type': 'purchase', 'amount': 100,
               'materials_provided': ['id_card', 'purchase_contract']}
TEMPLATE_ACCOUNT = '100000000001'
# (task spec id, username, form data) in the order the manual path asks for them.
STEPS = [
    ('accept', 'clerk', {'materials_complete': True}),
    ('review', 'reviewer', {'decision': 'approve'}),
    ('pay', 'cashier', {'voucher_no': 'ZF-1234', 'paid_amount': 100, 'paid_on': local_date(utcnow()).isoformat()}),
]
LABELS = {'complete': 'complete_task + commit', 'bare': 'bare step (our serializer)',
          'stock': 'bare step (stock serializer)'}

STOCK_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


@dataclass
class Results:
    """Timings in seconds and state sizes in bytes, collected over the timed withdrawals."""
    complete: list[float] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)
    stock: list[float] = field(default_factory=list)
    by_step: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s, _, _ in STEPS})
    blob_bytes: list[int] = field(default_factory=list)
    blob_json_bytes: list[int] = field(default_factory=list)
    stock_bytes: list[int] = field(default_factory=list)


# --- database setup -------------------------------------------------------------------------

def bench_account_no(i):
    return f'9{i:011d}'


def _add_bench_accounts(session, count):
    """`count` copies of the template account, each with its own account and ID number."""
    template = session.get(FundAccount, TEMPLATE_ACCOUNT)
    session.add_all(FundAccount(account_no=bench_account_no(i), holder_name=template.holder_name,
                                id_number=f'9101041992{i:08d}', balance=template.balance,
                                employer=template.employer) for i in range(count))
    # withdrawals are paid only into the payee's own bank account on record
    session.add_all(BankAccount(id_number=f'9101041992{i:08d}', holder_name=template.holder_name, bank='Bench Bank',
                                card_no=f'62{i:017d}') for i in range(count))


TEST_DATA = ROOT / 'tests' / 'data'


def _populate(engine, accounts, loans=0):
    """Migrate and seed a database: reference data, demo users and accounts, the models, the loop model."""
    with seeded_factory(engine)() as session:
        deploy(session, collect_bundle(TEST_DATA / 'processes' / 'loop.bpmn', TEST_DATA / 'processes',
                                       TEST_DATA / 'rules', TEST_DATA / 'forms'))
        _add_bench_accounts(session, accounts)
        if loans:
            loan_case.add_loan_accounts(session, loans)
        session.commit()


@contextmanager
def sqlite_database(accounts, loans=0):
    """A migrated, seeded SQLite file in a temporary directory."""
    with tempfile.TemporaryDirectory(prefix='gjj-bench-') as tmp:
        engine = make_engine(f'sqlite:///{Path(tmp) / "bench.db"}')
        try:
            _populate(engine, accounts, loans)
            yield engine
        finally:
            engine.dispose()


@contextmanager
def server_database(url, accounts, loans=0):
    """A throwaway database on the server behind `url`, created here and dropped at the end."""
    admin = create_engine(url, isolation_level='AUTOCOMMIT')
    name = f'gjj_bench_{uuid.uuid4().hex[:10]}'
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE {name}'))
    engine = make_engine(make_url(url).set(database=name).render_as_string(hide_password=False))
    try:
        _populate(engine, accounts, loans)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)'))
        admin.dispose()


# --- driving withdrawals --------------------------------------------------------------------

def register(factory, account_no):
    """Register one withdrawal as the clerk; return its instance id."""
    with factory() as session:
        data = {**APPLICATION, 'account_no': account_no}
        instance = runtime.start_instance(session, 'withdrawal', data, Actor(user_named(session, 'clerk')))
        session.commit()
        if instance.data.get('rule_decision') != 'manual':
            raise SystemExit(f'expected a manual case, the rules said {instance.data}')
        return instance.id


def peek(factory, instance_id, spec_id):
    """(task id, task guid, stored state blob, loaded definition) of a step's ready task.

    Read in a session of its own, so the timed completion finds nothing already loaded.
    """
    with factory() as session:
        task = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                       HumanTask.spec_id == spec_id,
                                                       HumanTask.state == TaskState.ready)).one()
        blob = session.get(InstanceState, instance_id).state
        return task.id, task.task_guid, bytes(blob), loaded_definition(task.instance.definition)


# --- bare SpiffWorkflow steps ---------------------------------------------------------------

def _step(workflow, guid, data):
    """Find the READY task by guid, submit `data`, run to the next wait state."""
    task = workflow.get_task_from_id(UUID(guid))
    assert task is not None and task.state == SpiffState.READY, 'task is not ready in the stored state'
    task.data.update(data)
    task.run()
    workflow.do_engine_steps()


@contextmanager
def operation_context(factory, instance_id):
    """A real context for the model's service tasks (the payment's debit), rolled back afterwards."""
    with factory() as session:
        instance = session.get(ProcessInstance, instance_id)
        token = operations.bind(operations.OperationContext(session, instance, Actor.system()))
        try:
            yield
        finally:
            operations.unbind(token)
            session.rollback()


def bare_step_ours(blob, loaded, guid, data) -> float:
    """restore -> step -> dump with our spec-less serializer, in memory."""
    start = time.perf_counter()
    workflow = state.restore(blob, loaded)
    _step(workflow, guid, data)
    state.dump(workflow)
    return time.perf_counter() - start


def stock_json(blob, loaded) -> str:
    """The same stored state as SpiffWorkflow's stock serializer writes it (spec included)."""
    return STOCK_SERIALIZER.serialize_json(state.restore(blob, loaded))


def bare_step_stock(stock, guid, data) -> float:
    """deserialize_json -> step -> serialize_json with the stock serializer, in memory."""
    start = time.perf_counter()
    workflow = STOCK_SERIALIZER.deserialize_json(stock)
    workflow.script_engine = state.script_engine()  # the model's scripts and operations need our engine
    _step(workflow, guid, data)
    STOCK_SERIALIZER.serialize_json(workflow)
    return time.perf_counter() - start


# --- a case with a long history ------------------------------------------------------------

def run_history(factory, checkpoints, samples) -> list[dict]:
    """Complete a looping case's user task again and again; time `samples` completions at each checkpoint.

    The loop model (tests/data/processes/loop.bpmn) repeats one clerk step; a checkpoint is the number
    of user tasks already completed when its samples start.
    """
    with factory() as session:
        clerk = user_named(session, 'clerk')
        instance = runtime.start_instance(session, 'loop', {'rounds': 100_000}, Actor(clerk))
        session.commit()
        instance_id = instance.id
    done, rows = 0, []
    for checkpoint in checkpoints:
        while done < checkpoint:
            task_id, _guid, _blob, _loaded = peek(factory, instance_id, 'step')
            timed_complete(factory, task_id, 'clerk', {})
            done += 1
        complete, bare, sizes = [], [], []
        for _ in range(samples):
            task_id, guid, blob, loaded = peek(factory, instance_id, 'step')
            bare.append(bare_step_ours(blob, loaded, guid, {}))
            complete.append(timed_complete(factory, task_id, 'clerk', {}))
            sizes.append(len(blob))
            done += 1
        rows.append({'history': checkpoint, 'complete': row(complete), 'bare': row(bare),
                     'state_bytes': statistics.median(sizes)})
    return rows


def print_history(rows):
    print(f'\n{"case with a long history":<28}{"complete median":>16}{"p95":>8}{"bare median":>13}'
          f'{"state bytes":>13}{"vs fresh":>10}')
    fresh = rows[0]['complete']['median_ms'] if rows else 1
    for r in rows:
        print(f'{r["history"]:>6} user tasks done{"":<11}{r["complete"]["median_ms"]:>16.2f}'
              f'{r["complete"]["p95_ms"]:>8.2f}{r["bare"]["median_ms"]:>13.2f}{r["state_bytes"]:>13.0f}'
              f'{r["complete"]["median_ms"] / fresh:>9.1f}x')


# --- loans ----------------------------------------------------------------------------------

def run_loans(factory, count, warmup) -> list[float]:
    """Drive `count` loans (after `warmup` untimed) from acceptance to disbursement; their completions."""
    timings = []
    for i in range(warmup + count):
        instance_id = loan_case.register_loan(factory, loan_case.loan_account_no(i))
        steps = loan_case.drive_loan(factory, instance_id, timed_complete)
        if i >= warmup:
            timings += [elapsed for _step, elapsed in steps]
    return timings


# --- the run --------------------------------------------------------------------------------

def run_withdrawal(factory, account_no, results: Results | None):
    """Drive one withdrawal through accept, review and pay; record timings unless warming up."""
    instance_id = register(factory, account_no)
    for spec_id, username, data in STEPS:
        task_id, guid, blob, loaded = peek(factory, instance_id, spec_id)
        elapsed = timed_complete(factory, task_id, username, data)
        with operation_context(factory, instance_id):   # outside the timings
            bare = bare_step_ours(blob, loaded, guid, data)
            stock = stock_json(blob, loaded)
            stock_time = bare_step_stock(stock, guid, data)
        if results is None:
            continue
        results.complete.append(elapsed)
        results.by_step[spec_id].append(elapsed)
        results.bare.append(bare)
        results.stock.append(stock_time)
        results.blob_bytes.append(len(blob))
        results.blob_json_bytes.append(len(zlib.decompress(blob)))
        results.stock_bytes.append(len(stock.encode()))


def summarize(results: Results, backend: str) -> dict:
    """The numbers of the run, as printed and as written to --json."""
    rows = {key: row(getattr(results, key)) for key in LABELS}
    return {
        'backend': backend, 'rows': rows,
        'complete_median_by_step_ms': {s: statistics.median(v) * 1000 for s, v in results.by_step.items()},
        'ratio_complete_over_bare': rows['complete']['median_ms'] / rows['bare']['median_ms'],
        'ratio_stock_over_bare': rows['stock']['median_ms'] / rows['bare']['median_ms'],
        'state_bytes_ours_median': statistics.median(results.blob_bytes),
        'state_json_bytes_ours_median': statistics.median(results.blob_json_bytes),
        'state_bytes_stock_median': statistics.median(results.stock_bytes),
        'python': platform.python_version(), 'spiffworkflow': version('SpiffWorkflow'),
        'sqlalchemy': version('SQLAlchemy'),
    }


def print_report(s: dict):
    print(f'{"measure":<32}{"n":>6}{"median ms":>12}{"p95 ms":>10}{"mean ms":>10}')
    for key, label in LABELS.items():
        r = s['rows'][key]
        print(f'{label:<32}{r["n"]:>6}{r["median_ms"]:>12.2f}{r["p95_ms"]:>10.2f}{r["mean_ms"]:>10.2f}')
    steps = ', '.join(f'{k} {v:.2f}' for k, v in s['complete_median_by_step_ms'].items())
    print(f'complete_task median by step (ms): {steps}')
    print(f'ratio median(complete) / median(bare, ours): {s["ratio_complete_over_bare"]:.2f}x'
          f'   (stock SpiffWorkflow (spec in every state) / ours: {s["ratio_stock_over_bare"]:.2f}x)')
    print(f'state size (median bytes): ours {s["state_bytes_ours_median"]:.0f} compressed'
          f' ({s["state_json_bytes_ours_median"]:.0f} JSON); stock SpiffWorkflow (spec in every state)'
          f' {s["state_bytes_stock_median"]:.0f} JSON')
    print(f'backend: {s["backend"]}   python {s["python"]}   SpiffWorkflow {s["spiffworkflow"]}'
          f'   SQLAlchemy {s["sqlalchemy"]}')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--n', type=int, default=200, help='timed withdrawals (3 task completions each)')
    parser.add_argument('--warmup', type=int, default=10, help='untimed withdrawals first')
    parser.add_argument('--database-url', help='server URL; a throwaway database is created on it')
    parser.add_argument('--json', type=Path, help='also write the numbers as JSON to this file')
    parser.add_argument('--loans', type=int, default=20, help='timed loans (11 completions each); 0 to skip')
    parser.add_argument('--history', default='0,100,300,1000',
                        help='checkpoints (user tasks already done) for the long-history case; "" to skip')
    parser.add_argument('--history-samples', type=int, default=20, help='timed completions per checkpoint')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    accounts = args.warmup + args.n
    loans = args.loans + (2 if args.loans else 0)
    database = (server_database(args.database_url, accounts, loans) if args.database_url
                else sqlite_database(accounts, loans))
    with database as engine:
        factory = make_session_factory(engine)
        for i in range(args.warmup):
            run_withdrawal(factory, bench_account_no(i), None)
        results = Results()
        for i in range(args.warmup, accounts):
            run_withdrawal(factory, bench_account_no(i), results)
        summary = summarize(results, engine.dialect.name)
        loan_times = run_loans(factory, args.loans, 2) if args.loans else []
        checkpoints = [int(x) for x in args.history.split(',') if x.strip()]
        history = run_history(factory, checkpoints, args.history_samples) if checkpoints else []
    summary.update(n_withdrawals=args.n, warmup=args.warmup, history=history,
                   loan=row(loan_times) if loan_times else None)
    print_report(summary)
    if loan_times:
        r = summary['loan']
        print(f'{"loan: complete_task + commit":<32}{r["n"]:>6}{r["median_ms"]:>12.2f}{r["p95_ms"]:>10.2f}'
              f'{r["mean_ms"]:>10.2f}   (withdrawal: {summary["rows"]["complete"]["median_ms"]:.2f} median)')
    print_history(history)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + '\n', encoding='utf-8')


if __name__ == '__main__':
    main()
