"""The registration page's live check: what one dry run of a withdrawal registration costs.

Each call is what the page sends after a pause in typing. Rows (ms, median / p95 over --n calls):

* ``preview_start``: the dry run in a fresh session (lookups, three decision tables, gateways, the
  task rows, then the rollback), for a complete application, one the rules refuse and a form with
  only the account number;
* ``POST …/preview``: the same through the Flask test client (form parsing, the fragment rendered);
* ``registration + commit`` for comparison: `runtime.start_instance` and the commit.

    .venv/bin/python bench/bench_preview.py [--n 50]
    .venv/bin/python bench/bench_preview.py --n 50 --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import row, scratch_database, seeded_factory, user_named  # noqa: E402  (bench/timing.py)
from workflows import runtime  # noqa: E402
from workflows.actors import Actor  # noqa: E402
from workflows.db import make_engine  # noqa: E402
from workflows.preview import preview_start  # noqa: E402
from workflows.seed import DEMO_PASSWORD  # noqa: E402

APPLICATION = {'account_no': '100000000001', 'withdrawal_type': 'purchase', 'amount': 5000,
               'materials_provided': ['id_card', 'purchase_contract']}
FORMS = {'complete': APPLICATION, 'refused by the rules': {**APPLICATION, 'amount': 90000},
         'account only': {'account_no': '100000000001'}}


def _print(label, values):
    r = row(values)
    print(f'{label:<44} median {r["median_ms"]:6.1f} ms   p95 {r["p95_ms"]:6.1f} ms   (n={r["n"]})')


def run(url, n):
    engine = make_engine(url)
    factory = seeded_factory(engine)
    for label, form in FORMS.items():
        times = []
        for i in range(n + 5):
            with factory() as session:
                actor = Actor(user_named(session, 'clerk'))
                start = time.perf_counter()
                preview_start(session, 'withdrawal', dict(form), actor)
                if i >= 5:      # the first calls warm the caches
                    times.append(time.perf_counter() - start)
        _print(f'preview_start, {label}', times)

    from app import create_app
    app = create_app({'TESTING': True, 'WTF_CSRF_ENABLED': False, 'SECRET_KEY': 'bench', 'DATABASE_URL': url})
    client = app.test_client()
    client.post('/auth/login', data={'username': 'clerk', 'password': DEMO_PASSWORD})
    times = []
    for i in range(n + 5):
        start = time.perf_counter()
        response = client.post('/cases/new/withdrawal/preview', data={**APPLICATION, 'amount': '5000'})
        assert response.status_code == 200, response.status_code
        if i >= 5:
            times.append(time.perf_counter() - start)
    _print('POST /cases/new/withdrawal/preview', times)
    app.extensions['gjj_engine'].dispose()

    times = []
    for i in range(min(n, len(_TYPES) * len(_ACCOUNTS))):   # a second open (account, type) is a duplicate
        with factory() as session:
            actor = Actor(user_named(session, 'clerk'))
            start = time.perf_counter()
            runtime.start_instance(session, 'withdrawal', {**APPLICATION, 'withdrawal_type': _TYPES[i % len(_TYPES)],
                                                          'account_no': _ACCOUNTS[i // len(_TYPES)],
                                                          'amount': 10}, actor)
            session.commit()
            times.append(time.perf_counter() - start)
    _print('registration + commit (for comparison)', times)
    engine.dispose()


_TYPES = ('purchase', 'build', 'repay_loan', 'rent', 'hardship', 'renovation', 'property_fee')
_ACCOUNTS = ('100000000001', '100000000002', '100000000003')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--n', type=int, default=50)
    parser.add_argument('--database-url')
    args = parser.parse_args(argv)
    with scratch_database(args.database_url) as url:
        run(url, args.n)


if __name__ == '__main__':
    main()
