"""Cases: register a case of any process one may start, search, open one with its clocks and history."""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import select

from workflows import casefiles, documents, queries, runtime
from workflows.preview import preview_start
from workflows.definitions import latest_definition, latest_definitions, loaded_definition
from workflows.errors import FormInvalid
from workflows.models import AuditEvent, CaseAttachment, CaseClock, TaskState, User
from workflows.permissions import may_start, may_view_case

from ..db import get_session
from ..forms import UNKNOWN_FIELDS, amount_errors, coerce, read_form, unknown_fields
from ..opinions import panel as opinion_panel
from ..paging import paginate
from ..security import body_limit, current_actor
from ..templating import process_name
from .search import STATUSES, read_search, type_choices

bp = Blueprint('cases', __name__, url_prefix='/cases', template_folder='templates')


@bp.get('/')
@login_required
def index():
    """Cases I may see: searched by case number, name, ID or account number; filtered, sorted, paged."""
    session = get_session()
    definitions = latest_definitions(session)
    search, errors = read_search(request.args, definitions)
    page = None if errors else paginate(session, queries.cases(current_user.model, search))
    return render_template('cases/list.html', page=page, search=search, args=request.args, errors=errors,
                           statuses=STATUSES, processes=[(d.key, process_name(d)) for d in definitions],
                           types=type_choices(definitions)), 400 if errors else 200


def _startable(key):
    """The latest definition of `key` if the current user may start it; else 404/403."""
    session = get_session()
    loaded = loaded_definition(latest_definition(session, key))
    if not may_start(current_user.model, loaded):
        abort(403)
    return session, loaded


@bp.get('/new')
@login_required
def start():
    """The processes I may register a case of (straight to the form when there is one)."""
    from ..templating import startable
    choices = startable()
    if not choices:
        abort(403)
    if len(choices) == 1:
        return redirect(url_for('cases.new', key=choices[0][0]))
    return render_template('cases/start.html', choices=choices)


@bp.route('/new/<key>', methods=['GET', 'POST'])
@login_required
def new(key):
    """Register a case of process `key` (for the roles of its start event's lanes)."""
    session, loaded = _startable(key)
    schema = loaded.start_form
    if request.method == 'GET':
        return render_template('cases/new.html', loaded=loaded, schema=schema, values={}, errors={})
    data, errors = read_form(schema, request.form)
    if errors:   # unknown fields or malformed amounts: refused before the engine sees anything
        return render_template('cases/new.html', loaded=loaded, schema=schema, values=data,
                               errors=errors), 422
    try:
        instance = runtime.start_instance(session, key, data, current_actor(), channel='window')
    except FormInvalid as exc:
        session.rollback()
        return render_template('cases/new.html', loaded=loaded, schema=schema, values=data, errors=exc.errors), 422
    session.commit()
    flash(gettext('Case %(key)s registered.', key=instance.business_key), 'success')
    return redirect(url_for('cases.show', instance_id=instance.id))


@bp.post('/new/<key>/preview')
@login_required
def preview(key):
    """A dry run of registering the form as typed: the facts found and the rules' verdict, nothing kept.

    Answers an HTML fragment for the registration page's live panel; fields not yet complete are
    listed quietly. A body with fields the form does not have is refused (422).
    """
    session, loaded = _startable(key)
    schema = loaded.start_form
    if unknown_fields(schema, request.form):
        return render_template('cases/_preview.html', malformed=gettext(UNKNOWN_FIELDS)), 422
    malformed_amounts = amount_errors(schema, request.form)
    data = {k: v for k, v in coerce(schema, request.form).items() if k not in malformed_amounts}
    result = preview_start(session, key, data, current_actor(), channel='window')
    result.incomplete.update(malformed_amounts)
    return render_template('cases/_preview.html', preview=result, schema=schema)


def _load_visible(instance_id):
    session = get_session()
    instance = runtime.get_instance(session, instance_id)
    if not may_view_case(session, current_user.model, instance):
        abort(403)
    return session, instance


@bp.get('/<id:instance_id>')
@login_required
def show(instance_id):
    """One case: facts, clocks, diagram with the current step, task history, case file, audit trail."""
    session, instance = _load_visible(instance_id)
    return _render_case(session, instance)


def _render_case(session, instance, errors=None, values=None, status=200):
    tasks = runtime.instance_tasks(session, instance.id)
    events = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance.id)
                             .order_by(AuditEvent.id)).all()
    clocks = session.scalars(select(CaseClock).where(CaseClock.instance_id == instance.id)
                             .order_by(CaseClock.id)).all()
    loaded = loaded_definition(instance.definition)
    active = [t.spec_id for t in tasks if t.state == TaskState.ready]
    done = sorted(instance.path or {})
    attachments = casefiles.attachments(session, instance.id)
    comments = casefiles.comments(session, instance.id)
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(
        {t.completed_by for t in tasks if t.completed_by} | {t.claimed_by for t in tasks if t.claimed_by}
        | {a.uploaded_by for a in attachments} | {c.author_id for c in comments} | {instance.started_by or 0})))}
    names = dict(session.execute(select(User.username, User.full_name).where(User.username.in_(
        {e.actor_name for e in events} | {(e.data or {}).get('on_behalf_of') for e in events} - {None}))).all())
    return render_template('cases/show.html', instance=instance, tasks=tasks, events=events, users=users,
                           names=names, clocks=clocks, active=active, done=done, loaded=loaded,
                           documents=documents.available(instance, loaded), attachments=attachments,
                           comments=comments, errors=errors or {}, values=values or {},
                           opinions=opinion_panel(session, instance, loaded),
                           may_add_files=casefiles.may_add(instance, current_user.model),
                           max_upload_mb=f"{current_app.config['ATTACHMENT_MAX_BYTES'] / 2**20:g}"), status


@bp.post('/<id:instance_id>/attachments')
@login_required
@body_limit('ATTACHMENT_MAX_BYTES')
def upload(instance_id):
    """Add a scanned material to the case file (PDF, JPEG or PNG, up to ATTACHMENT_MAX_BYTES)."""
    limit = current_app.config['ATTACHMENT_MAX_BYTES']
    session, instance = _load_visible(instance_id)
    upload = request.files.get('file')
    label = request.form.get('label', '')
    try:
        casefiles.add_attachment(session, instance, current_actor(), filename=upload.filename if upload else '',
                                 data=upload.read(limit + 1) if upload else b'', label=label, max_bytes=limit)
    except FormInvalid as exc:
        session.rollback()
        return _render_case(session, instance, errors=exc.errors, values={'label': label}, status=422)
    session.commit()
    flash(gettext('Material added to the case file.'), 'success')
    return redirect(url_for('cases.show', instance_id=instance.id, _anchor='case-file'))


@bp.get('/<id:instance_id>/attachments/<id:attachment_id>')
@login_required
def attachment(instance_id, attachment_id):
    """One material's bytes, as a download (never rendered inline: the browser must not sniff it)."""
    session, instance = _load_visible(instance_id)
    item = session.get(CaseAttachment, attachment_id)
    if item is None or item.instance_id != instance.id:
        abort(404)
    response = Response(item.data, mimetype=item.content_type)
    response.headers['Content-Disposition'] = f"attachment; filename*=UTF-8''{quote(item.filename)}"
    response.headers['X-Content-Type-Options'] = 'nosniff'
    return response


@bp.post('/<id:instance_id>/comments')
@login_required
def comment(instance_id):
    """Add a remark to the case's comment thread."""
    session, instance = _load_visible(instance_id)
    body = request.form.get('body', '')
    try:
        casefiles.add_comment(session, instance, current_actor(), body)
    except FormInvalid as exc:
        session.rollback()
        return _render_case(session, instance, errors=exc.errors, values={'body': body}, status=422)
    session.commit()
    return redirect(url_for('cases.show', instance_id=instance.id, _anchor='comments'))


@bp.get('/<id:instance_id>/diagram.bpmn')
@login_required
def diagram(instance_id):
    """The BPMN XML of the version this case runs on (for the bpmn-js viewer)."""
    session, instance = _load_visible(instance_id)
    return Response(loaded_definition(instance.definition).bpmn_xml, mimetype='application/xml')


@bp.get('/<id:instance_id>/documents/<name>')
@login_required
def document(instance_id, name):
    """A printable document of the case (its process lists which, its module renders them)."""
    session, instance = _load_visible(instance_id)
    title, body = documents.render(session, instance, loaded_definition(instance.definition), name)
    return render_template('cases/document.html', instance=instance, title=title, body=body)
