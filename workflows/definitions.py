"""Process definitions: parse and check a BPMN/DMN/form bundle, deploy it as a version, cache specs.

A bundle is every file a process needs: its BPMN file, the DMN files its business-rule tasks call
and the JSON Schema forms its tasks name. Deploying stores the bundle's files in the database as a
new version of the process key (unless the content is unchanged); running instances keep the
version they started on. Parsed specs are cached per definition id: the cache is rebuilt from the
database on a miss, so any process may serve any request.
"""
from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree
from sqlalchemy import func, select
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from .calendar import parse_time_limit
from .effects import EFFECTS
from .errors import N_, InvalidModel, NotFound
from .models import DefinitionFile, ProcessDefinition, Role
from .modelcheck import expressions_in, check_expression
from .scripting import UnsafeCode

NS = {'bpmn': 'http://www.omg.org/spec/BPMN/20100524/MODEL',
      'spiffworkflow': 'http://spiffworkflow.org/bpmn/schema/1.0/core'}
MAX_FILE_BYTES = 2_000_000

_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                              huge_tree=False, remove_comments=False)


@dataclass(frozen=True)
class TaskMeta:
    """What gjj-flow reads from a user task's spiffworkflow properties."""
    spec_id: str
    name: str
    role: str | None
    form: str | None
    time_limit: str | None
    separate_from: tuple[str, ...] = ()
    risk_hint: str = ''
    pauses_clock: bool = False
    effect: str | None = None


@dataclass
class LoadedDefinition:
    """A parsed, checked definition: specs for the engine plus the metadata the app needs."""
    key: str
    name: str
    spec: object
    subprocess_specs: dict
    tasks: dict[str, TaskMeta]
    outcomes: dict[str, str]
    properties: dict[str, str]
    forms: dict[str, dict]
    start_name: str = ''
    files: dict[str, str] = field(repr=False, default_factory=dict)

    def form(self, name):
        """The JSON Schema of a form in this bundle."""
        return self.forms[name]

    @property
    def bpmn_xml(self):
        return next(content for fname, content in self.files.items() if fname.endswith('.bpmn'))


def parse_xml(content: str | bytes, filename: str):
    """Parse model XML safely: no DTD, no entities, no network; raise InvalidModel on bad input."""
    data = content.encode('utf-8') if isinstance(content, str) else content
    if len(data) > MAX_FILE_BYTES:
        raise InvalidModel(N_('Model file is too large.'), [f'{filename}: larger than {MAX_FILE_BYTES} bytes'])
    try:
        root = etree.fromstring(data, _XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise InvalidModel(N_('Model file is not well-formed XML.'), [f'{filename}: {exc}']) from exc
    if root.getroottree().docinfo.doctype:
        raise InvalidModel(N_('Model files may not contain a DOCTYPE.'), [f'{filename}: DOCTYPE found'])
    return root


def _properties(node) -> dict[str, str]:
    props = node.findall('bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property', NS)
    return {p.get('name'): p.get('value', '') for p in props}


def _process_node(root, filename):
    processes = root.findall('bpmn:process[@isExecutable="true"]', NS)
    if len(processes) != 1:
        raise InvalidModel(N_('A BPMN file must hold exactly one executable process.'),
                           [f'{filename}: {len(processes)} executable processes'])
    return processes[0]


def _task_meta(node, lane) -> TaskMeta:
    props = _properties(node)
    separate = tuple(s.strip() for s in props.get('separateFrom', '').split(',') if s.strip())
    return TaskMeta(spec_id=node.get('id'), name=node.get('name') or node.get('id'), role=lane,
                    form=props.get('form'), time_limit=props.get('timeLimit'), separate_from=separate,
                    risk_hint=props.get('riskHint', ''), pauses_clock=props.get('pausesClock') == 'true',
                    effect=props.get('effect'))


def _lanes(process) -> dict[str, str]:
    lanes = {}
    for lane in process.findall('.//bpmn:lane', NS):
        for ref in lane.findall('bpmn:flowNodeRef', NS):
            lanes[ref.text.strip()] = lane.get('name')
    return lanes


def read_bundle_from_dirs(bpmn_path: Path, rules_dir: Path, forms_dir: Path) -> dict[str, str]:
    """Collect the files a BPMN file needs from the source folders: itself, all DMN, its forms."""
    files = {bpmn_path.name: bpmn_path.read_text(encoding='utf-8')}
    for dmn in sorted(rules_dir.glob('*.dmn')):
        files[dmn.name] = dmn.read_text(encoding='utf-8')
    process = _process_node(parse_xml(files[bpmn_path.name], bpmn_path.name), bpmn_path.name)
    names = {v for k, v in _all_properties(process) if k in ('form', 'startForm')}
    for name in sorted(names):
        path = forms_dir / name
        if path.is_file():
            files[name] = path.read_text(encoding='utf-8')
    return files


def _all_properties(process):
    yield from _properties(process).items()
    for node in process.iter():
        if node is not process and node.find('bpmn:extensionElements', NS) is not None:
            yield from _properties(node).items()


def _parse_forms(files, problems) -> dict[str, dict]:
    forms = {}
    for fname, content in files.items():
        if not fname.endswith('.json'):
            continue
        try:
            schema = json.loads(content)
            Draft202012Validator.check_schema(schema)
        except (ValueError, SchemaError) as exc:
            problems.append(f'{fname}: invalid JSON Schema: {getattr(exc, "message", exc)}')
            continue
        forms[fname] = schema
    return forms


def _check_expressions(files, problems):
    for fname, content in files.items():
        if not fname.endswith(('.bpmn', '.dmn')):
            continue
        for kind, text in expressions_in(parse_xml(content, fname)):
            try:
                check_expression(kind, text)
            except UnsafeCode as exc:
                problems.append(f'{fname}: {kind} {text!r} refused: {"; ".join(exc.errors)}')
            except SyntaxError as exc:
                problems.append(f'{fname}: {kind} {text!r} is not valid Python: {exc.msg}')


def _check_tasks(tasks, forms, roles, problems, start_form):
    business_roles = {code for code, is_business in (roles or {}).items() if is_business}
    if start_form and start_form not in forms:
        problems.append(f'startForm {start_form!r} is not in the bundle')
    for meta in tasks.values():
        where = f'user task {meta.spec_id!r}'
        if roles is not None and meta.role not in business_roles:
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
            if other != 'start' and other not in tasks:
                problems.append(f'{where}: separateFrom names unknown task {other!r}')
        if meta.effect and meta.effect not in EFFECTS:
            problems.append(f'{where}: unknown effect {meta.effect!r} ({", ".join(sorted(EFFECTS))})')


def _spiff_parse(files, key):
    parser = SpiffBpmnParser(validator=VALIDATOR)
    for fname, content in files.items():
        if fname.endswith('.dmn'):
            parser.add_dmn_xml(parse_xml(content, fname), filename=fname)
    for fname, content in files.items():
        if fname.endswith('.bpmn'):
            parser.add_bpmn_xml(parse_xml(content, fname), filename=fname)
    return parser.get_spec(key), parser.get_subprocess_specs(key)


def load_bundle(files: dict[str, str], roles: dict[str, bool] | None) -> LoadedDefinition:
    """Parse and check a bundle; raise InvalidModel listing every problem found.

    `roles` (code -> is_business) checks lanes at deploy time; None skips that check when an
    already deployed version is reloaded, so later role edits cannot strand running cases.
    """
    bpmn_files = [f for f in files if f.endswith('.bpmn')]
    if len(bpmn_files) != 1:
        raise InvalidModel(N_('A bundle needs exactly one BPMN file.'), [f'found {len(bpmn_files)}'])
    process = _process_node(parse_xml(files[bpmn_files[0]], bpmn_files[0]), bpmn_files[0])
    key, lanes, problems = process.get('id'), _lanes(process), []
    tasks = {n.get('id'): _task_meta(n, lanes.get(n.get('id'))) for n in process.iter(f'{{{NS["bpmn"]}}}userTask')}
    outcomes = {n.get('id'): _properties(n).get('outcome', 'completed')
                for n in process.iter(f'{{{NS["bpmn"]}}}endEvent')}
    properties = _properties(process)
    start = process.find('bpmn:startEvent', NS)
    forms = _parse_forms(files, problems)
    _check_tasks(tasks, forms, roles, problems, properties.get('startForm'))
    _check_expressions(files, problems)
    if problems:
        raise InvalidModel(N_('The process model has problems.'), problems)
    try:
        spec, subprocess_specs = _spiff_parse(files, key)
    except (SpiffWorkflowException, etree.LxmlError) as exc:
        raise InvalidModel(N_('The process model has problems.'), [str(exc)]) from exc
    return LoadedDefinition(key=key, name=process.get('name') or key, spec=spec,
                            subprocess_specs=subprocess_specs, tasks=tasks, outcomes=outcomes,
                            properties=properties, forms=forms, files=dict(files),
                            start_name=(start.get('name') or 'start') if start is not None else 'start')


def bundle_hash(files: dict[str, str]) -> str:
    """A stable hash of a bundle's file names and contents."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b'\0' + files[name].encode() + b'\0')
    return digest.hexdigest()


def role_table(session) -> dict[str, bool]:
    """Role code -> whether it may act on business tasks."""
    return dict(session.execute(select(Role.code, Role.is_business)).all())


def deploy(session, files: dict[str, str], actor_id=None) -> ProcessDefinition:
    """Check a bundle and store it as the next version of its process (no-op if unchanged)."""
    loaded = load_bundle(files, role_table(session))
    digest = bundle_hash(files)
    latest = latest_definition(session, loaded.key, required=False)
    if latest is not None and latest.content_hash == digest:
        return latest
    version = (session.scalar(select(func.max(ProcessDefinition.version))
                              .where(ProcessDefinition.key == loaded.key)) or 0) + 1
    definition = ProcessDefinition(key=loaded.key, version=version, name=loaded.name, content_hash=digest,
                                   properties=loaded.properties, deployed_by=actor_id)
    definition.files = [DefinitionFile(name=n, kind=_kind(n), content=c) for n, c in sorted(files.items())]
    session.add(definition)
    session.flush()
    _CACHE.put(digest, loaded)
    return definition


def _kind(name):
    return {'.bpmn': 'bpmn', '.dmn': 'dmn', '.json': 'form'}[Path(name).suffix]


def latest_definition(session, key, required=True) -> ProcessDefinition | None:
    """The newest deployed version of a process key."""
    definition = session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == key)
                                 .order_by(ProcessDefinition.version.desc()).limit(1)).first()
    if definition is None and required:
        raise NotFound(N_('No process named %(key)s is deployed.'), key=key)
    return definition


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
