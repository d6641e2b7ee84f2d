"""Cases: register an application, search the list, open one with its diagram, history and audit trail."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import select

from workflows import queries, runtime
from workflows.definitions import latest_definition, loaded_definition
from workflows.errors import N_, FormInvalid
from workflows.forms import coerce
from workflows.models import AuditEvent, TaskState, User
from workflows.permissions import may_register, may_view_case

from ..db import get_session
from ..paging import paginate

bp = Blueprint('cases', __name__, url_prefix='/cases', template_folder='templates')

OUTCOME_MESSAGES = {
    'auto_approve': N_('Approved automatically by the rules: %(reason)s'),
    'reject': N_('Rejected by the rules: %(reason)s (basis: %(basis)s)'),
    'manual': N_('Registered for manual review: %(reason)s'),
}


@bp.get('/')
@login_required
def index():
    """Cases I may see, searchable and paged."""
    session = get_session()
    text, status = request.args.get('q', ''), request.args.get('status', '')
    page = paginate(session, queries.cases(current_user.model, text, status))
    return render_template('cases/list.html', page=page, q=text, status=status)


def _start_schema(session, key='withdrawal'):
    loaded = loaded_definition(latest_definition(session, key))
    return loaded.form(loaded.properties['startForm'])


@bp.route('/new', methods=['GET', 'POST'])
@login_required
def new():
    """Register a withdrawal application (window clerks)."""
    if not may_register(current_user.model):
        abort(403)
    session = get_session()
    schema = _start_schema(session)
    if request.method == 'GET':
        return render_template('cases/new.html', schema=schema, values={}, errors={})
    data = coerce(schema, request.form)
    try:
        instance = runtime.start_instance(session, 'withdrawal', data, current_user.model, request.remote_addr,
                                          channel='window')
    except FormInvalid as exc:
        session.rollback()
        return render_template('cases/new.html', schema=schema, values=data, errors=exc.errors), 422
    session.commit()
    summary = instance.summary
    message = OUTCOME_MESSAGES.get(summary.get('rule_decision'))
    if message:
        flash(gettext(message, reason=summary.get('rule_reason', ''), basis=summary.get('rule_basis', '')),
              'warning' if summary.get('rule_decision') == 'reject' else 'success')
    return redirect(url_for('cases.show', instance_id=instance.id))


def _load_visible(instance_id):
    session = get_session()
    instance = runtime.get_instance(session, instance_id)
    if not may_view_case(current_user.model, instance, session):
        abort(403)
    return session, instance


@bp.get('/<id:instance_id>')
@login_required
def show(instance_id):
    """One case: facts, decision date, diagram with the current step, task history, audit trail."""
    session, instance = _load_visible(instance_id)
    tasks = runtime.instance_tasks(session, instance.id)
    events = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance.id)
                             .order_by(AuditEvent.id)).all()
    loaded = loaded_definition(instance.definition)
    active = [t.spec_id for t in tasks if t.state == TaskState.ready]
    done = sorted({t.spec_id for t in tasks if t.state == TaskState.completed})
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(
        {t.completed_by for t in tasks if t.completed_by} | {t.claimed_by for t in tasks if t.claimed_by}
        | {instance.started_by or 0})))}
    return render_template('cases/show.html', instance=instance, tasks=tasks, events=events, users=users,
                           active=active, done=done, loaded=loaded,
                           start_schema=loaded.form(loaded.properties['startForm']))


@bp.get('/<id:instance_id>/diagram.bpmn')
@login_required
def diagram(instance_id):
    """The BPMN XML of the version this case runs on (for the bpmn-js viewer)."""
    session, instance = _load_visible(instance_id)
    return Response(loaded_definition(instance.definition).bpmn_xml, mimetype='application/xml')


@bp.get('/<id:instance_id>/notice')
@login_required
def notice(instance_id):
    """The printable one-time notice (一次性告知书) listing every missing item."""
    session, instance = _load_visible(instance_id)
    if not instance.summary.get('missing_items'):
        abort(404)
    loaded = loaded_definition(instance.definition)
    issued = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance.id,
                                                      AuditEvent.action == 'pause_clock')
                             .order_by(AuditEvent.id)).first()
    handler = session.get(User, issued.actor_id) if issued and issued.actor_id else None
    return render_template('cases/notice.html', instance=instance, issued=issued, handler=handler,
                           start_schema=loaded.form(loaded.properties['startForm']),
                           note=instance.summary.get('notice_note', ''))
