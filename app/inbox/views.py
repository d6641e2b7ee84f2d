"""Task inboxes (mine, role queue, done) and the task page: claim, release, complete."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from workflows import queries, runtime
from workflows.errors import FormInvalid
from workflows.permissions import can_work, may_view_case

from ..db import get_session
from ..forms import read_form
from ..paging import paginate
from ..security import current_actor

bp = Blueprint('inbox', __name__, url_prefix='/tasks', template_folder='templates')

LISTS = {'mine': queries.inbox, 'queue': queries.queue, 'done': queries.done}


def _list(which):
    session = get_session()
    page = paginate(session, LISTS[which](current_user.model))
    workable = {t.id: can_work(session, current_user.model, t, runtime.task_form(session, t)[0])
                for t in page.items} if which != 'done' else {}
    return render_template('inbox/list.html', which=which, page=page, workable=workable)


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


def _load_visible_task(task_id):
    session = get_session()
    task = runtime.get_task(session, task_id)
    if not may_view_case(session, current_user.model, task.instance):
        abort(403)
    return session, task


def _render_task(session, task, values=None, errors=None, status=200):
    loaded, meta, schema = runtime.task_form(session, task)
    return render_template('inbox/task.html', task=task, instance=task.instance, meta=meta, schema=schema,
                           loaded=loaded, values=values or {}, errors=errors or {},
                           workable=can_work(session, current_user.model, task, loaded)), status


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
    flash(gettext('Step "%(name)s" completed for case %(key)s.', name=task.name, key=task.instance.business_key),
          'success')
    return redirect(url_for('inbox.mine'))
