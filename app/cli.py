"""Command-line tasks: `flask --app app init-db --demo`, `verify`, `deploy`, `load-calendar`, `worker`."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from workflows import audit, schema, seed
from workflows.errors import Conflict, InvalidModel

from .passwords import hash_password


def _session():
    return current_app.extensions['gjj_sessions']()


@click.command('init-db')
@with_appcontext
@click.option('--demo', is_flag=True, help='Also load demo users, accounts and a fraud ban.')
def init_db(demo):
    """Migrate the database, load roles, the calendar and the processes (idempotent)."""
    schema.upgrade(current_app.extensions['gjj_engine'])
    with _session() as session:
        seed.seed_reference(session)
        if demo:
            seed.seed_demo(session, hash_password(seed.DEMO_PASSWORD))
        definitions = seed.deploy_models(session)
        if demo:
            seed.seed_demo_cases(session)
        session.commit()
    for d in definitions:
        click.echo(f'process {d.key} v{d.version} ready')
    if demo:
        click.echo(f'demo users ready (password: {seed.DEMO_PASSWORD})')


def _located(problem) -> str:
    """A problem prefixed with its file and line (as compilers print them), when it has them."""
    where = ':'.join(str(part) for part in (getattr(problem, 'file', ''), getattr(problem, 'line', None)) if part)
    return f'{where}: {problem}' if where else str(problem)


@click.command('deploy')
@with_appcontext
def deploy():
    """Deploy bpmn_models/ with rules/ and forms/ as new versions where anything changed."""
    with _session() as session:
        try:
            definitions = seed.deploy_models(session)
        except InvalidModel as exc:
            raise click.ClickException('\n'.join([str(exc), *map(_located, exc.problems)])) from exc
        except Conflict as exc:
            raise click.ClickException(str(exc)) from exc
        session.commit()
    for d in definitions:
        click.echo(f'process {d.key} v{d.version}')


@click.command('verify')
@with_appcontext
def verify():
    """Check the audit trail's hash chain; exit 1 if any row was edited or deleted."""
    with _session() as session:
        result = audit.verify(session)
    for problem in result.problems:
        click.echo(problem, err=True)
    if not result.ok:
        raise SystemExit(1)
    click.echo(f'audit trail intact: {result.checked} events')


@click.command('load-calendar')
@with_appcontext
@click.argument('year', type=int)
def load_calendar(year):
    """(Re)load one year's holidays and 调休 working days from the chinese-calendar package."""
    with _session() as session:
        try:
            seed.load_calendar_year(session, year)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        session.commit()
    click.echo(f'calendar {year} loaded')


@click.command('worker')
@with_appcontext
@click.option('--once', is_flag=True, help='Fire one batch of due timers and exit.')
@click.option('--interval', default=5.0, show_default=True, help='Seconds between polls.')
@click.option('--batch', default=20, show_default=True, help='Cases per batch.')
def worker(once, interval, batch):
    """Fire due BPMN timers, mark and escalate deadlines, send e-mail (several workers may run at once)."""
    import os
    import socket
    from workflows import worker as timer_worker
    from .notifications.mail import mailer_from_config
    factory = current_app.extensions['gjj_sessions']
    name = f'{socket.gethostname()}:{os.getpid()}'
    mailer = mailer_from_config(current_app)
    if once:
        done = timer_worker.run_round(factory, name, batch=batch, mailer=mailer)
        jobs = ''.join(f', {name}: {n}' for name, n in done.items() if name not in ('timers', 'marked', 'emails'))
        click.echo(f"{done['timers']} cases changed, {done['marked']} deadlines marked, {done['emails']} e-mails sent"
                   + jobs)
        return
    timer_worker.run_forever(factory, name, interval=interval, batch=batch, mailer=mailer)


def init_app(app):
    for command in (init_db, deploy, verify, load_calendar, worker):
        app.cli.add_command(command)
