"""Supervision queries on a large PostgreSQL database: the inbox, the task pool and the dashboard.

Builds a throwaway database with N instances (default 100,000) and 10 task rows each (1,000,000),
written in bulk by SQL (`INSERT … SELECT generate_series`, not through the engine), over two years
of history: 90 % of the cases are closed, the rest wait at their last step (in the pool or claimed).
200 extra staff in 10 teams complete the work. Then, each query run `--samples` times in a fresh
session (as a web request does), it prints p50 and p95 in milliseconds for:

- inbox: `queries.inbox` for a clerk (count + first page of 20, as `app/paging.py` does);
- task pool: `queries.queue` for a clerk (count + first page);
- dashboard: each figure of `workflows/stats.py` for the default twelve weeks, all of them together
  (what the dashboard page runs), the same with a team filter, the heatmap and the refusal register.

The dashboard indexes (`models.DASHBOARD_INDEXES`, migrations 0006_oversight and 0009_task_definition)
are dropped first and the same queries measured without them, then they are created (and the tables
analysed) and measured again, so the print shows what the indexes buy.

    .venv/bin/python bench/bench_supervision.py [--instances 100000] [--samples 30]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--json out.json]
    .venv/bin/python bench/bench_supervision.py --load-only     # build and keep the database (for EXPLAIN)
    .venv/bin/python bench/bench_supervision.py --reuse --database-url postgresql+psycopg://…/gjj_bench_…
        # measure a database kept by --load-only (migrated to the newest revision first, timed), keep it
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.timing import p95  # noqa: E402
from workflows import queries, refusals, schema, seed, stats  # noqa: E402
from workflows.db import make_engine, make_session_factory  # noqa: E402
from workflows.deadlines import load_calendar  # noqa: E402
from workflows.models import DASHBOARD_INDEXES, ProcessDefinition, User  # noqa: E402

TASKS_PER_CASE = 10
STEPS = ('accept', 'review', 'pay')
ROLES = ('clerk', 'reviewer', 'cashier')
TODAY = date(2026, 11, 20)


def _populate(engine, n_instances):
    factory = make_session_factory(engine)
    with factory() as session:
        seed.seed_reference(session)
        seed.seed_demo(session, 'bench-not-a-login')
        seed.deploy_models(session)
        session.commit()
        definitions = dict(session.execute(select(ProcessDefinition.key, ProcessDefinition.id)).all())
    n_tasks = n_instances * TASKS_PER_CASE
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("SELECT setseed(0.42)"))
        conn.execute(text("""
            INSERT INTO team (id, code, name, active)
            SELECT 1000 + t, 'bench' || t, '压测' || t || '组', true FROM generate_series(1, 10) t"""))
        conn.execute(text("""
            INSERT INTO app_user (id, username, full_name, password_hash, active, team_id, created_at, session_nonce)
            SELECT 10000 + u, 'bench' || u, '压测员' || u, 'x', true, 1000 + (u % 10) + 1, now(), 'bench'
            FROM generate_series(0, 199) u"""))
        conn.execute(text("""
            INSERT INTO user_role (user_id, role_code)
            SELECT 10000 + u, (ARRAY['clerk', 'reviewer', 'cashier'])[u % 3 + 1] FROM generate_series(0, 199) u"""))
        # Cases spread over 700 days up to TODAY; 90 % closed 0–10 days after registration.
        conn.execute(text("""
            INSERT INTO process_instance (id, definition_id, business_key, title, status, data, path, started_at,
                                          started_by, closed_at, outcome, due_provisional, version)
            SELECT g, CASE WHEN g % 5 = 0 THEN :loan ELSE :withdrawal END, 'BENCH' || g, '压测案件 ' || g,
                   CASE WHEN g % 10 = 0 THEN 'running' ELSE 'completed' END, '{}', '{}',
                   CAST(:first AS timestamp) + (g::float8 / :n * 700) * interval '1 day',
                   10000 + (g % 67) * 3,
                   CASE WHEN g % 10 = 0 THEN NULL
                        ELSE CAST(:first AS timestamp) + (g::float8 / :n * 700) * interval '1 day'
                             + (random() * 10) * interval '1 day' END,
                   CASE WHEN g % 10 = 0 THEN NULL WHEN g % 17 = 0 THEN 'rejected' ELSE 'paid' END,
                   false, 1
            FROM generate_series(1, :n) g"""),
            {'loan': definitions['loan'], 'withdrawal': definitions['withdrawal'], 'n': n_instances,
             'first': TODAY - timedelta(days=700)})
        # Ten steps per case, an hour apart; the last step of a running case is open (half claimed).
        conn.execute(text("""
            INSERT INTO human_task (id, instance_id, definition_id, task_guid, spec_id, name, role_code, state, claimed_by,
                                    created_at, time_limit, due_date, due_provisional, completed_by, completed_at)
            SELECT g, i.id, i.definition_id, md5(g::text), s.spec, s.spec, s.role,
                   CASE WHEN i.status = 'running' AND k = 9 THEN 'ready' ELSE 'completed' END,
                   CASE WHEN i.status = 'running' AND k = 9 AND (x.iid / 10) % 2 = 0 THEN NULL
                        ELSE 10000 + (g % 66) * 3 + s.r END,
                   i.started_at + k * interval '1 hour', '3wd',
                   (i.started_at + k * interval '1 hour' + interval '3 day')::date, false,
                   CASE WHEN i.status = 'running' AND k = 9 THEN NULL ELSE 10000 + (g % 66) * 3 + s.r END,
                   CASE WHEN i.status = 'running' AND k = 9 THEN NULL
                        ELSE i.started_at + k * interval '1 hour' + (random() * 5) * interval '1 day' END
            FROM generate_series(1, :tasks) g
            CROSS JOIN LATERAL (SELECT (g - 1) / 10 + 1 AS iid, (g - 1) % 10 AS k) x
            JOIN process_instance i ON i.id = x.iid
            CROSS JOIN LATERAL (SELECT (ARRAY['accept', 'review', 'pay'])[k % 3 + 1] AS spec,
                                       (ARRAY['clerk', 'reviewer', 'cashier'])[k % 3 + 1] AS role,
                                       k % 3 AS r) s"""), {'tasks': n_tasks})
        for table in ('team', 'app_user', 'process_instance', 'human_task'):
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    with engine.connect().execution_options(isolation_level='AUTOCOMMIT') as conn:
        conn.execute(text('VACUUM ANALYZE'))
    return time.perf_counter() - started


def _time(factory, fn, samples):
    values = []
    for _ in range(samples):
        with factory() as session:
            start = time.perf_counter()
            fn(session)
            values.append(time.perf_counter() - start)
    ordered = sorted(values)
    return {'p50_ms': ordered[len(ordered) // 2] * 1000, 'p95_ms': p95(values) * 1000}


def _page(session, query):
    session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return session.scalars(query.limit(20)).unique().all()


def _queries(clerk_id):
    f = stats.Filters.recent(TODAY)
    team = stats.Filters.recent(TODAY, team_id=1001)

    def clerk(session):
        return session.get(User, clerk_id)     # the clerk holding the most claimed tasks

    def dashboard(session, filters):
        calendar = load_calendar(session)
        stats.open_work(session, filters, calendar, TODAY)
        stats.deadline_list(session, filters, calendar, TODAY)
        work = stats.completed_work(session, filters)      # as app/supervision/views.dashboard does
        for by in stats.GROUPINGS:
            work.rates(by)
        stats.completion_times(session, filters, calendar)
        stats.weekly_trends(session, filters)

    return {
        'inbox (count + page)': lambda s: _page(s, queries.inbox(clerk(s))),
        'task pool (count + page)': lambda s: _page(s, queries.queue(clerk(s))),
        'open work by step': lambda s: stats.open_work(s, f, load_calendar(s), TODAY),
        'due soon / overdue list': lambda s: stats.deadline_list(s, f, load_calendar(s), TODAY),
        'on-time rate by process': lambda s: stats.on_time_rates(s, f, 'process'),
        'on-time rate by step': lambda s: stats.on_time_rates(s, f, 'step'),
        'on-time rate by team': lambda s: stats.on_time_rates(s, f, 'team'),
        'on-time rate by person': lambda s: stats.on_time_rates(s, f, 'person'),
        'completion-time buckets': lambda s: stats.completion_times(s, f, load_calendar(s)),
        'weekly trend': lambda s: stats.weekly_trends(s, f),
        'dashboard, all figures': lambda s: dashboard(s, f),
        'dashboard, all figures, one team': lambda s: dashboard(s, team),
        'heatmap (withdrawal)': lambda s: stats.heatmap(s, 'withdrawal', f),
        'refusal register (12 weeks)': lambda s: refusals.register(s, f),
    }


def _measure(factory, samples, clerk_id):
    return {name: _time(factory, fn, samples) for name, fn in _queries(clerk_id).items()}


def _run(args, engine):
    """Count what the database holds; measure every query without, then with, the dashboard indexes."""
    factory = make_session_factory(engine)
    with factory() as session:
        clerk_id, claimed = session.execute(text(
            "SELECT claimed_by, count(*) FROM human_task WHERE state = 'ready' AND claimed_by IS NOT NULL "
            "GROUP BY claimed_by ORDER BY count(*) DESC LIMIT 1")).one()
        counts = {'instances': session.scalar(text('SELECT count(*) FROM process_instance')),
                  'task rows': session.scalar(text('SELECT count(*) FROM human_task')),
                  'open tasks': session.scalar(text("SELECT count(*) FROM human_task WHERE state = 'ready'")),
                  "the inbox clerk's claimed tasks": claimed,
                  'clerk task pool': session.scalar(text(
                      "SELECT count(*) FROM human_task WHERE state = 'ready' AND claimed_by IS NULL "
                      "AND role_code = 'clerk'"))}
    with engine.begin() as conn:
        for index in DASHBOARD_INDEXES:
            index.drop(conn)
        conn.execute(text('ANALYZE human_task; ANALYZE process_instance'))
    without = _measure(factory, args.samples, clerk_id)
    with engine.begin() as conn:
        for index in DASHBOARD_INDEXES:
            index.create(conn)
        conn.execute(text('ANALYZE human_task; ANALYZE process_instance'))
    with_indexes = _measure(factory, args.samples, clerk_id)
    return counts, without, with_indexes


def _report(args, results, load_seconds):
    counts, without, with_indexes = results
    load = f' (bulk load {load_seconds:.1f} s)' if load_seconds is not None else ''
    print(f'PostgreSQL, {counts}{load}; {args.samples} samples per query, '
          f'fresh session each; dashboard period: 12 weeks to {TODAY}')
    print(f'{"query":<36} {"without dashboard indexes":>26} {"with dashboard indexes":>23}')
    print(f'{"":<36} {"p50 ms":>13} {"p95 ms":>12} {"p50 ms":>11} {"p95 ms":>11}')
    for name in without:
        a, b = without[name], with_indexes[name]
        print(f'{name:<36} {a["p50_ms"]:>13.1f} {a["p95_ms"]:>12.1f} {b["p50_ms"]:>11.1f} {b["p95_ms"]:>11.1f}')
    if args.json:
        args.json.write_text(json.dumps({'counts': counts, 'without': without, 'with': with_indexes}, indent=2))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--database-url', default='postgresql+psycopg://postgres@127.0.0.1:5432/test')
    parser.add_argument('--instances', type=int, default=100_000)
    parser.add_argument('--samples', type=int, default=30)
    parser.add_argument('--json', type=Path)
    parser.add_argument('--load-only', action='store_true', help='build the database, print its URL, keep it')
    parser.add_argument('--reuse', action='store_true',
                        help='--database-url is a database kept by --load-only: migrate it, measure it, keep it')
    args = parser.parse_args(argv)
    url = make_url(args.database_url)
    if not url.drivername.startswith('postgresql'):
        parser.error('the bench needs PostgreSQL')
    if args.reuse:
        args.load_only = False
        engine = make_engine(url.render_as_string(hide_password=False))
        started = time.perf_counter()
        schema.upgrade(engine)
        with engine.connect().execution_options(isolation_level='AUTOCOMMIT') as conn:
            conn.execute(text('VACUUM ANALYZE human_task'))
        print(f'migrated to the newest revision (and vacuumed) in {time.perf_counter() - started:.1f} s')
        try:
            _report(args, _run(args, engine), None)
        finally:
            engine.dispose()
        return
    admin = create_engine(url, isolation_level='AUTOCOMMIT')
    name = f'gjj_bench_{uuid.uuid4().hex[:8]}'
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE {name}'))
    engine = make_engine(url.set(database=name).render_as_string(hide_password=False))
    try:
        schema.upgrade(engine)
        load_seconds = _populate(engine, args.instances)
        if args.load_only:
            print(url.set(database=name).render_as_string(hide_password=False))
            return
        results = _run(args, engine)
    finally:
        engine.dispose()
        if args.load_only:
            admin.dispose()
            return
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)'))
        admin.dispose()
    _report(args, results, load_seconds)


if __name__ == '__main__':
    main()
