"""Benchmark the model-code sandbox in workflows/sandbox/ (prints numbers; not a test).

What is measured:

* per-evaluation cost of typical model code: a comparison, DMN-style entries and a 5-line
  script, as ``eval``/``exec`` of the already compiled restricted code with the guard globals
  (no budget) against ``RestrictedEnvironment.evaluate``/``execute`` with the full budget
  (time + memory) and with the time budget only (``set_budget(cpu, 0)``);
* the pieces of the per-evaluation budget: reading the address-space size, getrlimit, setting and
  restoring RLIMIT_AS, registering with the watchdog;
* how long it takes to stop a runaway loop (wall and CPU time until BudgetExceeded) with a 2 s
  and a 0.2 s CPU budget.

Run (from anywhere)::

    .venv/bin/python bench/bench_sandbox.py [--quick]
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from workflows import scripting  # noqa: E402
from workflows.sandbox import budget as sandbox_budget  # noqa: E402
from workflows.scripting import (BudgetExceeded, RestrictedEnvironment, compile_expression,  # noqa: E402
                                 compile_script, get_budget, set_budget)

DATA = {'amount': 5000, 'balance': 10000, 'withdrawal_type': 'purchase', 'rule_decision': 'approve',
        'prior_same_type_12m': 0, 'items': [120, 80, 300]}
EXPRESSIONS = [
    ('comparison', 'amount > balance'),
    ('DMN entry <= 20000', 'amount <= 20000'),
    ('DMN entry == "reject"', '(rule_decision) == ("reject")'),
]
SCRIPT = ('total = 0\n'
          'for i in items:\n'
          '    total += i\n'
          'decision = "approve" if total <= balance else "review"\n'
          'reason = f"{len(items)} items, {total} in total"')
RUNAWAY = 'for i in range(10000):\n    for j in range(10000):\n        pass'


def per_call_us(fn, number):
    """Best of 5 runs, in microseconds per call."""
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


def bench_evaluations(number):
    env = RestrictedEnvironment()
    rows = []
    for label, source in EXPRESSIONS:
        code = compile_expression(source)
        scope = {**env.globals, **DATA}
        plain = per_call_us(lambda: eval(code, scope), number)  # noqa: S307
        full = per_call_us(lambda: env.evaluate(source, DATA), number)
        set_budget(get_budget()[0], 0)
        time_only = per_call_us(lambda: env.evaluate(source, DATA), number)
        set_budget(scripting.DEFAULT_CPU_SECONDS, scripting.DEFAULT_MEMORY_MB)
        rows.append((label, plain, full, time_only))

    code = compile_script(SCRIPT)

    def plain_exec():
        context = dict(DATA)
        context.update(env.globals)
        exec(code, context)  # noqa: S102

    def guarded_exec():
        env.execute(SCRIPT, dict(DATA))

    plain = per_call_us(plain_exec, number // 4)
    full = per_call_us(guarded_exec, number // 4)
    set_budget(get_budget()[0], 0)
    time_only = per_call_us(guarded_exec, number // 4)
    set_budget(scripting.DEFAULT_CPU_SECONDS, scripting.DEFAULT_MEMORY_MB)
    rows.append(('5-line script (execute)', plain, full, time_only))

    print(f'\nPer evaluation, microseconds (best of 5 x {number:,})')
    print(f'{"":28} {"plain eval":>11} {"evaluate":>10} {"overhead":>9} {"time only":>10} {"overhead":>9}')
    for label, plain, full, time_only in rows:
        print(f'{label:28} {plain:11.2f} {full:10.2f} {full - plain:9.2f} '
              f'{time_only:10.2f} {time_only - plain:9.2f}')
    print('  plain eval = eval/exec of the compiled restricted code with the guard globals, no budget;')
    print('  evaluate = RestrictedEnvironment.evaluate/execute with the default budget (2 s, 256 MB);')
    print('  time only = the same with set_budget(2.0, 0): no RLIMIT_AS.')


def bench_pieces(number):
    fd = os.open('/proc/self/statm', os.O_RDONLY)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    vm = int(os.pread(fd, 64, 0).split()[0]) * resource.getpagesize()

    def set_and_restore():
        resource.setrlimit(resource.RLIMIT_AS, (vm + 256 * 2 ** 20, hard))
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))

    def register_and_leave():
        ev = sandbox_budget._Evaluation()
        sandbox_budget._register(ev)
        sandbox_budget._leave(ev)

    def read_statm_open():
        with open('/proc/self/statm', encoding='ascii') as f:
            return f.read()

    rows = [
        ('read /proc/self/statm (pread on open fd)',
         per_call_us(lambda: int(os.pread(fd, 64, 0).split()[0]), number)),
        ('read /proc/self/statm (open + read)', per_call_us(read_statm_open, number // 4)),
        ('getrlimit(RLIMIT_AS)', per_call_us(lambda: resource.getrlimit(resource.RLIMIT_AS), number)),
        ('setrlimit(RLIMIT_AS) set + restore', per_call_us(set_and_restore, number)),
        ('register + leave, time + memory budget', per_call_us(register_and_leave, number)),
    ]
    set_budget(get_budget()[0], 0)
    rows.append(('register + leave, time budget only', per_call_us(register_and_leave, number)))
    set_budget(scripting.DEFAULT_CPU_SECONDS, scripting.DEFAULT_MEMORY_MB)
    os.close(fd)
    print('\nPieces of the per-evaluation budget, microseconds')
    for label, value in rows:
        print(f'{label:44} {value:8.2f}')


def bench_stop(budget, runs):
    env = RestrictedEnvironment()
    set_budget(budget, scripting.DEFAULT_MEMORY_MB)
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            env.execute(RUNAWAY, {})
        except BudgetExceeded as exc:
            assert exc.budget == 'time'
        else:
            raise AssertionError('the runaway loop was not stopped')
        walls.append(time.perf_counter() - wall)
        cpus.append(time.thread_time() - cpu)
    set_budget(scripting.DEFAULT_CPU_SECONDS, scripting.DEFAULT_MEMORY_MB)
    return walls, cpus


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--quick', action='store_true', help='fewer repetitions')
    args = parser.parse_args()
    number = 20_000 if args.quick else 100_000
    print(f'Python {platform.python_version()} on {platform.machine()} {platform.system()}, '
          f'{os.cpu_count()} CPUs; watchdog poll {scripting.WATCHDOG_POLL * 1000:g} ms')
    bench_evaluations(number)
    bench_pieces(number)
    print('\nStopping a runaway loop (nested range(10000) loops)')
    print(f'{"CPU budget":>10} {"runs":>5} {"wall median":>12} {"wall max":>9} '
          f'{"CPU median":>11} {"overshoot":>10}')
    for budget, runs in ((2.0, 1 if args.quick else 3), (0.2, 5 if args.quick else 10)):
        walls, cpus = bench_stop(budget, runs)
        print(f'{budget:9.1f}s {runs:5} {statistics.median(walls):11.3f}s {max(walls):8.3f}s '
              f'{statistics.median(cpus):10.3f}s {statistics.median(walls) - budget:9.3f}s')


if __name__ == '__main__':
    main()
