"""Case operations for administrators: suspend, resume, terminate, retry a failed step (with a reason)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import or_, select

from workflows import admin_ops, runtime
from workflows.errors import N_, FormInvalid
from workflows.models import AuditEvent, InstanceStatus, ProcessInstance

from ..db import get_session
from ..paging import paginate
from ..security import current_actor
from .common import form_text, invalid
from .views import bp

FILTERS = ('error', 'suspended', 'running', 'waiting', 'terminated', 'completed')
DONE = {'suspend': N_('The case is suspended.'), 'resume': N_('The case is resumed.'),
        'terminate': N_('The case is terminated.'), 'retry': N_('The case was retried and runs again.')}


@bp.get('/cases')
def cases():
    """Cases by status (those stopped by an error first) and business key, title or applicant."""
    session = get_session()
    status = request.args.get('status', 'error')
    query = select(ProcessInstance).order_by(ProcessInstance.started_at.desc(), ProcessInstance.id.desc())
    if status in FILTERS:
        query = query.where(ProcessInstance.status == InstanceStatus(status))
    text = request.args.get('q', '').strip()[:64]
    if text:
        like = f'%{text.replace("%", "").replace("_", "")}%'
        query = query.where(or_(ProcessInstance.business_key.ilike(like), ProcessInstance.title.ilike(like),
                                ProcessInstance.applicant_name.ilike(like)))
    return render_template('admin/cases.html', page=paginate(session, query), status=status, filters=FILTERS)


def _render_case(instance, errors=None, status=200):
    session = get_session()
    events = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance.id)
                             .order_by(AuditEvent.id.desc()).limit(30)).all()
    return render_template('admin/case.html', instance=instance, tasks=runtime.instance_tasks(session, instance.id),
                           operations=admin_ops.operations_for(instance), events=events,
                           errors=errors or {}, values=request.form), status


@bp.get('/cases/<id:instance_id>')
def case(instance_id):
    return _render_case(runtime.get_instance(get_session(), instance_id))


@bp.post('/cases/<id:instance_id>/<any(suspend, resume, terminate, retry):operation>')
def case_operation(instance_id, operation):
    session = get_session()
    instance = runtime.get_instance(session, instance_id)
    try:
        admin_ops.apply(session, instance, current_actor(), operation, form_text('reason', 500))
    except FormInvalid as exc:
        errors = invalid(exc)
        return _render_case(runtime.get_instance(session, instance_id), {f'{operation}.{k}': v
                                                                           for k, v in errors.items()}, 422)
    session.commit()
    flash(gettext(DONE[operation]), 'success')
    return redirect(url_for('admin.case', instance_id=instance_id))
