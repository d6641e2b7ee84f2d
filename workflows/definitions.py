"""Process definitions: check and deploy a process bundle (see `bundles`) as a version; cache parsed specs.

Deploying stores the bundle's files as the next
version of the process key (unless the content is unchanged); running cases keep their version.

Everything the engine needs to know about a model (lanes, task properties, clocks, operations) is
read from SpiffWorkflow's parsed specs; the process element's own properties are kept on the spec by
a small parser subclass, since SpiffWorkflow parses only task-level extensions.
"""
from __future__ import annotations

import json
import threading
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.service_task import ServiceTask

from . import clocks as clock_rules
from . import listing, opinions
from .bundles import bundle_hash, new_parser, parse_xml
from .calendar import parse_time_limit
from .errors import N_, Conflict, InvalidModel, NotFound
from .loaded import ElementMeta, LoadedDefinition, Outcome
from .models import DefinitionFile, ProcessDefinition, Role, utcnow
from .modelcheck import check_expression, located_expressions
from .operations import documents, operations
from .scripting import UnsafeCode
from .validation import Problem, incomplete_tables, located, unsupported_elements, with_lines

START = 'start'   # in separateFrom: whoever registered the case


# -- checking a bundle -----------------------------------------------------------------------------

def _parse_forms(files, problems) -> dict[str, dict]:
    forms = {}
    for fname, content in files.items():
        if not fname.endswith('.json'):
            continue
        try:
            schema = json.loads(content)
            Draft202012Validator.check_schema(schema)
        except (ValueError, SchemaError) as exc:
            problems.append(Problem(f'{fname}: invalid JSON Schema: {getattr(exc, "message", exc)}', file=fname))
            continue
        forms[fname] = schema
    return forms


def _check_code(roots, problems):
    for fname, root in roots.items():
        for element, line, kind, text in located_expressions(root):
            where = dict(file=fname, element=element, line=line)
            try:
                check_expression(kind, text)
            except UnsafeCode as exc:
                problems.append(Problem(f'{fname}: {kind} {text[:80]!r} refused: {"; ".join(exc.errors)}', **where))
            except SyntaxError as exc:
                problems.append(Problem(f'{fname}: {kind} {text[:80]!r} is not valid Python: {exc.msg}', **where))


def _check_structure(roots, problems):
    for fname, root in roots.items():
        problems += unsupported_elements(fname, root) if fname.endswith('.bpmn') else incomplete_tables(fname, root)


def _spiff_parse(roots):
    parser = new_parser()
    for fname, root in roots.items():
        if fname.endswith('.dmn'):
            parser.add_dmn_xml(root, filename=fname)
    for fname, root in roots.items():
        if fname.endswith('.bpmn'):
            parser.add_bpmn_xml(root, filename=fname)
    called = parser.get_process_dependencies()
    main = [(pid, fname) for pid, fname in ((p, parser.get_process_parser(p).filename)
                                             for p in parser.get_process_ids()) if pid not in called]
    if len(main) != 1:
        raise InvalidModel(N_('A bundle needs exactly one main process.'),
                           [f'main processes found: {", ".join(p for p, _ in main) or "none"} '
                            '(every other process must be called by a call activity)'])
    key, fname = main[0]
    return key, fname, parser.get_spec(key), parser.get_subprocess_specs(key)


def _describes_more(task_spec) -> bool:
    return bool(getattr(task_spec, 'manual', False) or getattr(task_spec, 'extensions', {}).get('properties'))


def _all_task_specs(spec, subprocess_specs):
    """Every BPMN element's task spec, once.

    A loop or multi-instance element has two specs with its id: the wrapper and the inner task,
    which carries the lane and properties (and, for a user task, is what becomes ready); prefer it.
    """
    for process in (spec, *subprocess_specs.values()):
        chosen = {}
        for task_spec in process.task_specs.values():
            bpmn_id = getattr(task_spec, 'bpmn_id', None)
            if bpmn_id and (bpmn_id not in chosen or _describes_more(task_spec)
                            and not _describes_more(chosen[bpmn_id])):
                chosen[bpmn_id] = task_spec
        yield from chosen.values()


def _element(task_spec, declared_clocks, problems) -> ElementMeta:
    props = task_spec.extensions.get('properties', {}) if hasattr(task_spec, 'extensions') else {}
    where = f'{type(task_spec).__name__} {task_spec.bpmn_id!r}'
    separate = clock_rules.comma_list(props.get('separateFrom'))
    engine = getattr(task_spec, 'dmnEngine', None)
    outputs = tuple((o.name, o.label or o.name) for o in engine.decision_table.outputs) if engine else ()
    return ElementMeta(operation=getattr(task_spec, 'operation_name', None),
                       result_variable=getattr(task_spec, 'result_variable', None), outputs=outputs,
                       spec_id=task_spec.bpmn_id, name=task_spec.bpmn_name or task_spec.bpmn_id,
                       name_en=props.get('labelEn', ''), role=task_spec.lane, form=props.get('form'),
                       time_limit=props.get('timeLimit'), separate_from=separate,
                       risk_hint=props.get('riskHint', ''), risk_hint_en=props.get('riskHintEn', ''),
                       basis_field=props.get('basisField', 'basis'),
                       reason_field=props.get('reasonField', 'reason'),
                       decision_field=props.get('decisionField', 'decision'),
                       clocks=clock_rules.element_actions(props, declared_clocks, where, problems),
                       is_user_task=bool(getattr(task_spec, 'manual', False)))


def _check_user_task(meta, elements, forms, business_roles, problems):
    where = f'user task {meta.spec_id!r}'
    if business_roles is not None and meta.role not in business_roles:
        problems.append(f'{where}: lane {meta.role!r} is not a business role ({", ".join(sorted(business_roles))})')
    if not meta.form:
        problems.append(f'{where}: no "form" property')
    elif meta.form not in forms:
        problems.append(f'{where}: form {meta.form!r} is not in the bundle')
    if meta.time_limit:
        try:
            parse_time_limit(meta.time_limit)
        except ValueError as exc:
            problems.append(f'{where}: {exc}')
    for other in meta.separate_from:
        if other != START and other not in elements:
            problems.append(f'{where}: separateFrom names unknown task {other!r}')


def _check_service_task(task_spec, known, problems):
    where = f'service task {task_spec.bpmn_id!r}'
    operation = known.get(task_spec.operation_name)
    if operation is None:
        problems.append(f'{where}: unknown operation {task_spec.operation_name!r} '
                        f'(registered: {", ".join(sorted(known)) or "none"})')
        return
    given = set(task_spec.operation_params)
    missing = [p for p in operation.params if p not in given]
    extra = sorted(given - set(operation.params) - set(operation.optional))
    if missing:
        problems.append(f'{where}: operation {operation.name!r} needs parameters {", ".join(missing)}')
    if extra:
        problems.append(f'{where}: operation {operation.name!r} has no parameters {", ".join(extra)}')


def _metadata(key, spec, subprocess_specs, forms, roles, problems):
    properties = dict(spec.extensions.get('properties', {}))
    declared = clock_rules.declarations(properties, problems)
    business = None if roles is None else {code for code, is_business in roles.items() if is_business}
    known_ops = operations()
    elements, outcomes, start = {}, {}, None
    start_roles = set()
    for task_spec in _all_task_specs(spec, subprocess_specs):
        here = []
        if task_spec.bpmn_id in elements:
            here.append(f'element id {task_spec.bpmn_id!r} is used twice in the bundle')
        meta = elements[task_spec.bpmn_id] = _element(task_spec, declared, here)
        if isinstance(task_spec, EndEvent):
            props = task_spec.extensions.get('properties', {})
            outcomes[task_spec.bpmn_id] = Outcome(props.get('outcome', 'completed'), meta.name, meta.name_en)
        elif isinstance(task_spec, ServiceTask):
            _check_service_task(task_spec, known_ops, here)
        elif isinstance(task_spec, StartEvent) and task_spec in spec.task_specs.values() and not start:
            start = meta
            start_roles.add(task_spec.lane)
        problems += located(here, element=task_spec.bpmn_id)
    for meta in elements.values():
        if meta.is_user_task:
            here = []
            _check_user_task(meta, elements, forms, business, here)
            problems += located(here, element=meta.spec_id)
    if start is None:
        problems.append('the main process has no start event')
    else:
        at = dict(element=start.spec_id)
        if not start.form or start.form not in forms:
            problems.append(Problem(f'start event {start.spec_id!r}: needs a "form" property naming a form '
                                    'in the bundle', **at))
        if business is not None and not (start_roles & business):
            problems.append(Problem(f'start event {start.spec_id!r}: lane {start.role!r} is not a business role '
                                    '(the start event\'s lane says who may register the case)', **at))
    names = clock_rules.comma_list(properties.get('documents'))
    known_docs = documents()
    for name in names:
        if name not in known_docs:
            problems.append(f'process property documents: unknown document {name!r}')
    problems += listing.check(properties, forms, forms.get(start.form) if start else None)
    problems += opinions.check_forms(forms)
    return properties, declared, elements, outcomes, start, frozenset(start_roles), names


def _parse_roots(files, problems):
    roots = {}
    for fname, content in files.items():
        if not fname.endswith(('.bpmn', '.dmn', '.json')):
            problems.append(Problem(f'{fname}: not a model file (a bundle holds .bpmn, .dmn and .json '
                                    'form files)', file=fname))
        elif fname.endswith(('.bpmn', '.dmn')):
            try:
                roots[fname] = parse_xml(content, fname)
            except InvalidModel as exc:
                problems += exc.problems
    return roots


def _engine_problem(exc) -> Problem:
    """A located problem from whatever SpiffWorkflow raised while parsing (it has many exception types)."""
    line = getattr(exc, 'line_number', None)
    return Problem(f'{type(exc).__name__}: {exc}', file=getattr(exc, 'file_name', '') or '',
                   element=getattr(exc, 'id', '') or '', line=line if isinstance(line, int) else None)


def check_bundle(files: dict[str, str], roles: dict[str, bool] | None) -> tuple[LoadedDefinition | None, list]:
    """Parse and check a bundle: the definition (None if it has problems) and every problem, located.

    `roles` (code -> is_business) checks lanes at deploy time; None skips that check when an
    already deployed version is reloaded, so later role edits cannot strand running cases.
    """
    problems: list = []
    roots = _parse_roots(files, problems)
    forms = _parse_forms(files, problems)
    _check_code(roots, problems)
    _check_structure(roots, problems)
    if len(roots) < sum(1 for f in files if f.endswith(('.bpmn', '.dmn'))):
        return None, with_lines(problems, roots)   # a file that does not parse cannot be read further
    try:
        key, main_file, spec, subprocess_specs = _spiff_parse(roots)
    except InvalidModel as exc:
        return None, with_lines(problems + exc.problems, roots)
    except Exception as exc:  # noqa: BLE001 -- SpiffWorkflow reports bad models with many exception types
        return None, with_lines(problems + [_engine_problem(exc)], roots)
    properties, declared, elements, outcomes, start, start_roles, docs = _metadata(
        key, spec, subprocess_specs, forms, roles, problems)
    if problems:
        return None, with_lines(problems, roots)
    return LoadedDefinition(key=key, name=spec.description or key, spec=spec, subprocess_specs=subprocess_specs,
                            elements=elements, outcomes=outcomes, properties=properties, clocks=declared,
                            forms=forms, start=start, start_roles=start_roles, main_file=main_file,
                            documents=docs, files=dict(files)), []


def load_bundle(files: dict[str, str], roles: dict[str, bool] | None) -> LoadedDefinition:
    """Parse and check a bundle; raise InvalidModel listing every problem found (see `check_bundle`)."""
    loaded, problems = check_bundle(files, roles)
    if problems:
        raise InvalidModel(N_('The process model has problems.'), problems)
    return loaded


def role_table(session) -> dict[str, bool]:
    """Role code -> whether it may act on business tasks."""
    return dict(session.execute(select(Role.code, Role.is_business)).all())


def deploy(session, files: dict[str, str], actor_id=None, *, publish=True) -> ProcessDefinition:
    """Check a bundle and store it as the next version of its process (no-op if unchanged).

    `publish` makes it the version new cases start on (the command line does); otherwise it is a
    draft until `versions.publish`.

    :raises InvalidModel: listing every problem; nothing is stored.
    :raises Conflict: another deploy of the same process stored that version first.
    """
    loaded = load_bundle(files, role_table(session))
    digest = bundle_hash(files)
    newest = session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == loaded.key)
                             .order_by(ProcessDefinition.version.desc()).limit(1)).first()
    if newest is not None and newest.content_hash == digest:
        definition = newest
    else:
        definition = ProcessDefinition(key=loaded.key, version=(newest.version if newest else 0) + 1,
                                       name=loaded.name, content_hash=digest, properties=loaded.properties,
                                       deployed_by=actor_id)
        definition.files = [DefinitionFile(name=n, kind=_kind(n), content=c) for n, c in sorted(files.items())]
        session.add(definition)
    if publish and definition.publication is None:
        mark_published(session, definition, actor_id)
    try:
        session.flush()
    except (IntegrityError, OperationalError) as exc:
        raise Conflict(N_('Another deployment of process %(key)s was stored first; reload and try again.'),
                       key=loaded.key) from exc
    _CACHE.put(digest, loaded)
    return definition


def mark_published(session, definition: ProcessDefinition, actor_id=None, at=None):
    """Make `definition` the version new cases of its key start on (also an older one: a rollback)."""
    with session.no_autoflush:  # a new version is flushed (and a lost race reported) by the caller
        current = session.scalar(select(func.max(ProcessDefinition.publication))
                                 .where(ProcessDefinition.key == definition.key)) or 0
    definition.publication = current + 1
    definition.published_at = at or utcnow()
    definition.published_by = actor_id


def _kind(name):
    return {'.bpmn': 'bpmn', '.dmn': 'dmn', '.json': 'form'}[Path(name).suffix]


def latest_definition(session, key, required=True) -> ProcessDefinition | None:
    """The version of a process key new cases start on: the one published last."""
    definition = session.scalars(select(ProcessDefinition)
                                 .where(ProcessDefinition.key == key, ProcessDefinition.publication.is_not(None))
                                 .order_by(ProcessDefinition.publication.desc()).limit(1)).first()
    if definition is None and required:
        raise NotFound(N_('No process named %(key)s is deployed.'), key=key)
    return definition


def latest_definitions(session) -> list[ProcessDefinition]:
    """The published version (see `latest_definition`) of every process, by key."""
    newest = (select(ProcessDefinition.key, func.max(ProcessDefinition.publication).label('publication'))
              .group_by(ProcessDefinition.key).subquery())
    return list(session.scalars(select(ProcessDefinition).join(
        newest, (ProcessDefinition.key == newest.c.key) & (ProcessDefinition.publication == newest.c.publication))
        .order_by(ProcessDefinition.key)))


class _SpecCache:
    """Parsed definitions by content hash. Stored bundles never change, so entries never go stale."""

    def __init__(self):
        self._lock = threading.Lock()
        self._items: dict[str, LoadedDefinition] = {}

    def get(self, definition: ProcessDefinition) -> LoadedDefinition:
        item = self._items.get(definition.content_hash)
        if item is None:
            item = load_bundle({f.name: f.content for f in definition.files}, roles=None)
            self.put(definition.content_hash, item)
        return item

    def put(self, digest, item):
        with self._lock:
            self._items[digest] = item


_CACHE = _SpecCache()


def loaded_definition(definition: ProcessDefinition) -> LoadedDefinition:
    """The parsed definition for a stored version (parsed once per process, then cached)."""
    return _CACHE.get(definition)
