"""How long an administrator waits: validating a bundle (every check), and the migration check of one case.

Usage: python bench/bench_modeler.py [--n 20]
Prints median/p95 per bundle of `definitions.check_bundle` (parse, sandbox compile of every piece of
code, structure, SpiffWorkflow parse, metadata) and of `migration.migration_problems` on a running
withdrawal against a version that differs only in a name.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workflows import bundles, migration, runtime, schema, seed, versions  # noqa: E402
from workflows.actors import Actor  # noqa: E402
from workflows.db import make_engine, make_session_factory  # noqa: E402
from workflows.definitions import check_bundle  # noqa: E402

from bench.timing import row, user_named  # noqa: E402

ROLES = {code: business for code, _zh, _en, business in seed.ROLES}


def bundle(name):
    return bundles.collect_bundle(ROOT / 'bpmn_models' / f'{name}.bpmn', ROOT / 'bpmn_models', ROOT / 'rules',
                                  ROOT / 'forms')


def timings(func, n):
    values = []
    for _ in range(n):
        start = time.perf_counter()
        func()
        values.append(time.perf_counter() - start)
    return row(values)


def migration_timing(n):
    path = Path(tempfile.mkdtemp()) / 'bench.db'
    engine = make_engine(f'sqlite:///{path}')
    schema.upgrade(engine)
    with make_session_factory(engine)() as session:
        seed.seed_reference(session)
        seed.seed_demo(session, 'x')
        seed.deploy_models(session)
        clerk, admin = user_named(session, 'clerk'), user_named(session, 'admin')
        case = runtime.start_instance(session, 'withdrawal', {
            'account_no': '100000000001', 'withdrawal_type': 'purchase', 'amount': 5000,
            'materials_provided': ['id_card']}, Actor(clerk))
        files = bundle('withdrawal')
        files['withdrawal.bpmn'] = files['withdrawal.bpmn'].replace('name="审核"', 'name="审核（新）"')
        target = versions.save_draft(session, files, Actor(admin))
        session.commit()
        result = timings(lambda: migration.migration_problems(session, case, target), n)
    engine.dispose()
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--n', type=int, default=20)
    n = parser.parse_args().n
    for name in ('withdrawal', 'loan'):
        files = bundle(name)
        stats = timings(lambda: check_bundle(files, ROLES), n)
        print(f'check_bundle {name:<10} files={len(files):>2} ' + ' '.join(f'{k}={v:.1f}' for k, v in stats.items()))
    stats = migration_timing(n)
    print('migration_problems withdrawal ' + ' '.join(f'{k}={v:.1f}' for k, v in stats.items()))


if __name__ == '__main__':
    main()
