"""Task inboxes (mine, role queue, done) and the task page: claim, release, complete.

A backup (AB岗) finds the claimed tasks and role queues of the colleagues they cover in their own
lists, marked "for 某某"; a section chief sees their section's claimed tasks and reassigns them (转办).
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_required
from sqlalchemy import select

from workflows import queries, runtime, substitution
from workflows.errors import FormInvalid
from workflows.models import CaseClock
from workflows.permissions import can_work, may_act_on_business, may_view_case

from .. import nav
from ..db import get_session
from ..forms import read_form
from ..opinions import panel as opinion_panel
from ..paging import count, paginate
from ..security import current_actor
from ..templating import element_name, loaded_of

bp = Blueprint('inbox', __name__, url_prefix='/tasks', template_folder='templates')


def _covering(session, user):
    """The colleagues `user` backs up today (read once per request: the list and the nav badges share it)."""
    if 'inbox_covering' not in g:
        g.inbox_covering = substitution.covered_users(session, user, substitution.today())
    return g.inbox_covering


def _list(which):
    session, user = get_session(), current_user.model
    on = substitution.today()
    if which == 'done':
        page, workable, acting_for = paginate(session, queries.done(user)), {}, {}
    else:
        covering = _covering(session, user)
        query = queries.inbox(user, covering) if which == 'mine' else queries.queue(user, covering)
        page = paginate(session, query)
        workable = {t.id: can_work(session, user, t, runtime.task_form(session, t)[0]) for t in page.items}
        acting_for = {t.id: substitution.acting_for(session, user, t, on) for t in page.items} if covering else {}
    return render_template('inbox/list.html', which=which, page=page, workable=workable, acting_for=acting_for)


@bp.get('/')
@login_required
def mine():
    """Tasks I have claimed."""
    return _list('mine')


@bp.get('/queue')
@login_required
def queue():
    """Unclaimed tasks of my roles."""
    return _list('queue')


@bp.get('/done')
@login_required
def done():
    """Tasks I completed."""
    return _list('done')


def _step_name(task) -> str:
    return element_name(loaded_of(task.instance), task.spec_id, task.name)


def _load_visible_task(task_id):
    session = get_session()
    task = runtime.get_task(session, task_id)
    if not may_view_case(session, current_user.model, task.instance):
        abort(403)
    return session, task


def _render_task(session, task, values=None, errors=None, status=200):
    loaded, meta, schema = runtime.task_form(session, task)
    user = current_user.model
    return render_template('inbox/task.html', task=task, instance=task.instance, meta=meta, schema=schema,
                           loaded=loaded, values=values or {}, errors=errors or {},
                           workable=can_work(session, user, task, loaded),
                           acting_for=substitution.acting_for(session, user, task, substitution.today()),
                           may_reassign=task.claimer is not None and substitution.is_chief_of(user, task.claimer),
                           party_cases=session.scalars(queries.party_cases(user, task.instance).limit(20)).all(),
                           opinions=opinion_panel(session, task.instance, loaded, until_task_id=task.id),
                           clocks=session.scalars(select(CaseClock).where(CaseClock.instance_id == task.instance_id)
                                                  .order_by(CaseClock.id)).all()), status


@bp.get('/<id:task_id>')
@login_required
def show(task_id):
    """The task page: case data, rule results, risk hint and the form."""
    session, task = _load_visible_task(task_id)
    return _render_task(session, task)


@bp.post('/<id:task_id>/claim')
@login_required
def claim(task_id):
    """Take the task into my inbox."""
    session = get_session()
    runtime.claim_task(session, task_id, current_actor())
    session.commit()
    flash(gettext('Task claimed.'), 'success')
    return redirect(url_for('inbox.show', task_id=task_id))


@bp.post('/<id:task_id>/release')
@login_required
def release(task_id):
    """Give the task back to the role queue."""
    session = get_session()
    runtime.release_task(session, task_id, current_actor())
    session.commit()
    flash(gettext('Task returned to the queue.'), 'info')
    return redirect(url_for('inbox.queue'))


@bp.post('/<id:task_id>')
@login_required
def complete(task_id):
    """Submit the task's form; on invalid data show every error and change nothing."""
    session, task = _load_visible_task(task_id)
    schema = runtime.task_form(session, task)[2]
    data, errors = read_form(schema, request.form)
    if errors:   # unknown fields or malformed amounts: refused before the engine sees anything
        return _render_task(session, task, values=data, errors=errors, status=422)
    try:
        runtime.complete_task(session, task_id, data, current_actor())
    except FormInvalid as exc:
        session.rollback()
        return _render_task(session, task, values=data, errors=exc.errors, status=422)
    session.commit()
    flash(gettext('Step "%(name)s" completed for case %(key)s.', name=_step_name(task), key=task.instance.business_key),
          'success')
    return redirect(url_for('inbox.mine'))


@bp.get('/team')
@login_required
def team():
    """A section chief's view: the open tasks claimed by members of their section."""
    user = current_user.model
    if substitution.CHIEF_ROLE not in user.role_codes or user.team_id is None:
        abort(403)
    session = get_session()
    page = paginate(session, queries.team_claimed(user.team_id))
    return render_template('inbox/team.html', page=page)


def _load_reassignable(task_id):
    session = get_session()
    task = runtime.get_task(session, task_id)
    substitution.check_may_reassign(current_user.model, task)
    return session, task


def _render_reassign(session, task, values=None, errors=None, status=200):
    candidates = [u for u in substitution.reassign_candidates(session, task) if u.id != task.claimed_by]
    return render_template('inbox/reassign.html', task=task, candidates=candidates, values=values or {},
                           errors=errors or {}), status


@bp.get('/<id:task_id>/reassign')
@login_required
def reassign_form(task_id):
    """The 转办 form: another colleague who may work the task, and the reason."""
    session, task = _load_reassignable(task_id)
    return _render_reassign(session, task)


@bp.post('/<id:task_id>/reassign')
@login_required
def reassign(task_id):
    """Reassign a claimed task of my section to another colleague (转办), with a reason."""
    session, task = _load_reassignable(task_id)
    target = request.form.get('to_user', '')
    target_id = int(target) if target.isascii() and target.isdigit() and len(target) < 10 else None
    try:
        runtime_task = substitution.reassign_task(session, task_id, target_id, request.form.get('reason', ''),
                                                  current_actor())
    except FormInvalid as exc:
        session.rollback()
        return _render_reassign(session, task, request.form, exc.errors, 422)
    session.commit()
    flash(gettext('Step "%(name)s" of case %(key)s reassigned to %(to)s.', name=_step_name(runtime_task),
                  key=runtime_task.instance.business_key, to=runtime_task.claimer.full_name), 'success')
    return redirect(url_for('inbox.team'))


def _count_mine(user) -> int:
    session = get_session()
    return count(session, queries.inbox(user, _covering(session, user)))


def _count_queue(user) -> int:
    session = get_session()
    return count(session, queries.queue(user, _covering(session, user)))


def init_app(app):
    """Register the blueprint and its navigation entries, the open ones with their counts (app/nav.py)."""
    app.register_blueprint(bp)
    for endpoint, label, icon, badge, order in (
            ('inbox.mine', lazy_gettext('My tasks'), 'inbox', _count_mine, 1),
            ('inbox.queue', lazy_gettext('Task pool'), 'collection', _count_queue, 2),
            ('inbox.done', lazy_gettext('Done'), 'check2-square', None, 3)):
        nav.register(app, nav.NavItem(endpoint, label, icon, 'work', visible=may_act_on_business, badge=badge,
                                      order=order))
