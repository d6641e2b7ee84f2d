"""Process administration: model, upload, validate, version, publish and migrate BPMN, DMN and forms.

Every route is for the `admin` role only (管办分离: administrators change processes, never cases'
business). Nothing becomes a version before it passes every check; a version is a draft until it is
published, and publishing an older one again rolls back.
"""
from __future__ import annotations

import json
import re

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from sqlalchemy import func, select

from workflows import migration, versions
from workflows.definitions import check_bundle, latest_definition, loaded_definition, role_table
from workflows.errors import N_, InvalidModel
from workflows.models import InstanceStatus, ProcessDefinition, ProcessInstance, User
from workflows.operations import operations

from .. import nav
from ..db import get_session
from ..security import current_actor, login_manager

bp = Blueprint('modeler', __name__, url_prefix='/admin/processes', template_folder='templates')

MAX_UPLOAD_FILES = 50
SAFE_FILE_NAME = re.compile(r'[A-Za-z0-9_.-]{1,120}', re.ASCII)


def may_model(user) -> bool:
    """Only administrators edit, publish and migrate processes."""
    return user is not None and 'admin' in user.role_codes


@bp.before_request
def _only_administrators():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not may_model(current_user.model):
        abort(403)
    return None


CHANGE_KINDS = {'added': lazy_gettext('added'), 'changed': lazy_gettext('changed'),
                'removed': lazy_gettext('removed')}


@bp.context_processor
def _helpers():
    def problem_map(problems):
        """Element id -> its problems' messages (for the diagram's markers)."""
        found = {}
        for p in problems:
            if getattr(p, 'element', ''):
                found.setdefault(p.element, []).append(str(p))
        return found

    def change_map(changes):
        return {c.element: c.kind for c in changes}
    return {'problem_map': problem_map, 'change_map': change_map, 'change_kinds': CHANGE_KINDS}


def _version(key, version) -> ProcessDefinition:
    return versions.get_version(get_session(), key, version)


def _user_names(session, definitions) -> dict[int, str]:
    ids = {i for d in definitions for i in (d.deployed_by, d.published_by) if i}
    return dict(session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all()) if ids else {}


def _open_counts(session, key) -> dict[int, int]:
    rows = session.execute(select(ProcessInstance.definition_id, func.count()).join(ProcessDefinition)
                           .where(ProcessDefinition.key == key,
                                  ProcessInstance.status.in_((InstanceStatus.running, InstanceStatus.waiting)))
                           .group_by(ProcessInstance.definition_id)).all()
    return dict(rows)


@bp.get('/')
def index():
    """Every process with its versions: draft or published, who and when."""
    session = get_session()
    keys = session.scalars(select(ProcessDefinition.key).distinct().order_by(ProcessDefinition.key)).all()
    processes = [(key, versions.versions_of(session, key), latest_definition(session, key, required=False))
                 for key in keys]
    names = _user_names(session, [d for _k, vs, _c in processes for d in vs])
    return render_template('modeler/index.html', processes=processes, names=names)


@bp.get('/<key>/')
def process(key):
    """One process: its versions, the cases still open on each, and the actions on them."""
    session = get_session()
    all_versions = versions.versions_of(session, key)
    if not all_versions:
        abort(404)
    current = latest_definition(session, key, required=False)
    open_cases = list(session.scalars(
        select(ProcessInstance).join(ProcessDefinition)
        .where(ProcessDefinition.key == key, ProcessInstance.definition_id != (current.id if current else -1),
               ProcessInstance.status.in_((InstanceStatus.running, InstanceStatus.waiting)))
        .order_by(ProcessInstance.id.desc()).limit(50)))
    return render_template('modeler/process.html', key=key, versions=all_versions, current=current,
                           names=_user_names(session, all_versions), counts=_open_counts(session, key),
                           open_cases=open_cases)


@bp.get('/<key>/<int:version>/files/<name>')
def download(key, version, name):
    """One file of a version, exactly as stored (vendor extensions included)."""
    stored = next((f for f in _version(key, version).files if f.name == name), None)
    if stored is None:
        abort(404)
    mimetype = 'application/json' if stored.kind == 'form' else 'application/xml'
    return Response(stored.content, mimetype=f'{mimetype}; charset=utf-8',
                    headers={'Content-Disposition': f'attachment; filename="{name}"'})


@bp.get('/<key>/<int:version>/diagram.xml')
def diagram(key, version):
    """The main BPMN of a version (for the diagram viewer and the modeler)."""
    return Response(loaded_definition(_version(key, version)).bpmn_xml, mimetype='application/xml')


# -- upload, validate, save -------------------------------------------------------------------------

def _uploaded_files() -> dict[str, str]:
    """The uploaded model files by name; refused (400/422) when there are none or they are not text."""
    uploads = [f for f in request.files.getlist('files') if f and f.filename]
    if not uploads:
        abort(400, description='no files')
    if len(uploads) > MAX_UPLOAD_FILES:
        raise InvalidModel(N_('Too many files in one upload.'), [f'at most {MAX_UPLOAD_FILES} files'])
    files = {}
    for upload in uploads:
        name = upload.filename.replace('\\', '/').rsplit('/', 1)[-1]
        if not SAFE_FILE_NAME.fullmatch(name):
            raise InvalidModel(N_('The process model has problems.'),
                               [f'{name[:80]!r}: file names may use letters, digits, "_", "-" and "." only'])
        try:
            files[name] = upload.read().decode('utf-8-sig')
        except UnicodeDecodeError as exc:
            raise InvalidModel(N_('The process model has problems.'), [f'{name}: not UTF-8 text']) from exc
    return files


def _with_base(files: dict[str, str], key: str | None) -> dict[str, str]:
    """Uploaded files over the newest version of `key` (so one changed file can be uploaded alone)."""
    if not key:
        return files
    base = versions.versions_of(get_session(), key)
    if not base:
        abort(404)
    return {**{f.name: f.content for f in base[0].files}, **files}


def _report(files, problems, status=422):
    """The validation report: every problem, each highlighted on the diagram."""
    main = next((n for n in files if n.endswith('.bpmn')), None)
    return render_template('modeler/report.html', files=sorted(files), problems=problems,
                           xml=files.get(main, '') if main else ''), status


def _save(files):
    session = get_session()
    _loaded, problems = check_bundle(files, role_table(session))
    if problems:
        return None, problems
    return versions.save_draft(session, files, current_actor()), []


@bp.post('/upload')
def upload():
    """Store uploaded .bpmn/.dmn/form files as a draft version, or show every problem (422)."""
    files = _with_base(_uploaded_files(), request.form.get('key') or None)
    definition, problems = _save(files)
    if problems:
        return _report(files, problems)
    get_session().commit()
    flash(gettext('Saved as draft version %(version)s.', version=definition.version), 'success')
    return redirect(url_for('.process', key=definition.key))


@bp.post('/<key>/<int:version>/save')
def save(key, version):
    """Save an edited file over version `version` as a new draft; JSON problems (422) if any.

    The body is JSON {"xml": …} for the main BPMN (the modeler), or {"name": …, "content": …} for
    another file of the bundle (a decision table, a form).
    """
    base = _version(key, version)
    body = request.get_json(silent=True) or {}
    name = body.get('name') or loaded_definition(base).main_file
    content = body.get('content', body.get('xml'))
    stored = {f.name: f.content for f in base.files}
    if not isinstance(content, str) or not content.strip() or name not in stored:
        abort(400, description='content')
    definition, problems = _save({**stored, name: content})
    if problems:
        return {'problems': [p.as_dict() if hasattr(p, 'as_dict') else {'message': str(p)} for p in problems]}, 422
    get_session().commit()
    flash(gettext('Saved as draft version %(version)s.', version=definition.version), 'success')
    return {'version': definition.version, 'url': url_for('.process', key=definition.key)}


@bp.post('/<key>/<int:version>/publish')
def publish(key, version):
    """Make this version the one new cases start on (an older one: a rollback)."""
    definition = versions.publish(get_session(), _version(key, version), current_actor())
    get_session().commit()
    flash(gettext('Version %(version)s is published; new cases start on it.', version=definition.version), 'success')
    return redirect(url_for('.process', key=key))


@bp.get('/<key>/<int:version>/edit')
def edit(key, version):
    """The modeler on a version (saving makes a new draft)."""
    definition = _version(key, version)
    loaded = loaded_definition(definition)
    roles = sorted(code for code, business in role_table(get_session()).items() if business)
    ops = {name: {'params': list(op.params), 'optional': list(op.optional)} for name, op in operations().items()}
    return render_template('modeler/edit.html', definition=definition, forms=sorted(loaded.forms), roles=roles,
                           operations=ops)


@bp.get('/<key>/<int:version>/files/<name>/edit')
def edit_file(key, version, name):
    """The decision-table editor (dmn-js) or the form editor with a live preview, on one file."""
    stored = next((f for f in _version(key, version).files if f.name == name), None)
    if stored is None or stored.kind == 'bpmn':
        abort(404)
    template = 'modeler/edit_rules.html' if stored.kind == 'dmn' else 'modeler/edit_form.html'
    return render_template(template, definition=stored.definition, file=stored)


@bp.post('/forms/preview')
def preview_form():
    """The form a JSON Schema gives, rendered as task pages render it (HTML), or 422 with the reason."""
    text = (request.get_json(silent=True) or {}).get('schema')
    if not isinstance(text, str):
        abort(400, description='schema')
    try:
        schema = json.loads(text)
        Draft202012Validator.check_schema(schema)
        if not isinstance(schema, dict) or not isinstance(schema.get('properties', {}), dict):
            raise ValueError('the schema must be an object with "properties"')
        html = render_template('modeler/_form_preview.html', schema=schema)
    except (ValueError, SchemaError, TypeError, AttributeError) as exc:
        return {'message': getattr(exc, 'message', None) or str(exc)}, 422
    return {'html': html}


# -- compare, migrate -------------------------------------------------------------------------------

@bp.get('/<key>/compare')
def compare(key):
    """Two versions side by side: changed elements highlighted, property and file differences listed."""
    try:
        a, b = int(request.args.get('a', '')), int(request.args.get('b', ''))
    except ValueError:
        abort(400)
    old, new = _version(key, a), _version(key, b)
    changes = versions.compare(old, new)
    return render_template('modeler/compare.html', key=key, old=old, new=new, changes=changes,
                           lines=versions.text_diff(old, new))


@bp.post('/cases/<int:instance_id>/migrate')
def migrate(instance_id):
    """Move one running case to a newer version of its process, audited with a reason."""
    session = get_session()
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        abort(404)
    try:
        target = _version(instance.definition.key, int(request.form.get('version', '')))
    except ValueError:
        abort(400)
    migration.migrate(session, instance, target, current_actor(), request.form.get('reason', ''))
    session.commit()
    flash(gettext('Case %(case)s now runs on version %(version)s.', case=instance.business_key,
                  version=target.version), 'success')
    return redirect(url_for('.process', key=target.key))


def init_app(app):
    """Register the blueprint and its navigation entries (see app/nav.py)."""
    app.register_blueprint(bp)
    nav.register(app, nav.NavItem('modeler.index', lazy_gettext('Processes'), 'diagram-3', 'admin',
                                  visible=may_model, order=10))

