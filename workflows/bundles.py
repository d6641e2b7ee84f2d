"""Process bundles as files: collect what one process needs, parse model XML safely, hash a bundle.

A bundle is what one process needs and nothing more: its BPMN file, the BPMN files of the
subprocesses its call activities name (`bpmn_models/shared/`), the DMN files defining the decisions
its business-rule tasks call, and the forms its elements name. Dependencies are found with
SpiffWorkflow's own parser; `definitions` checks and deploys what is collected here.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from lxml import etree
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser, SpiffProcessParser
from SpiffWorkflow.spiff.parser.task_spec import SpiffTaskParser

from .errors import N_, InvalidModel
from .validation import Problem

MAX_FILE_BYTES = 2_000_000

_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                              huge_tree=False, remove_comments=False)


def parse_xml(content: str | bytes, filename: str):
    """Parse model XML safely: no DTD, no entities, no network; raise InvalidModel on bad input."""
    data = content.encode('utf-8') if isinstance(content, str) else content
    if len(data) > MAX_FILE_BYTES:
        raise InvalidModel(N_('Model file is too large.'),
                           [Problem(f'{filename}: larger than {MAX_FILE_BYTES} bytes', file=filename)])
    try:
        root = etree.fromstring(data, _XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise InvalidModel(N_('Model file is not well-formed XML.'),
                           [Problem(f'{filename}: not well-formed XML: {exc}', file=filename,
                                    line=exc.lineno)]) from exc
    if root.getroottree().docinfo.doctype:
        raise InvalidModel(N_('Model files may not contain a DOCTYPE.'),
                           [Problem(f'{filename}: DOCTYPE found (entity declarations and external '
                                    'entities are refused)', file=filename, line=1)])
    return root


class _ProcessParser(SpiffProcessParser):
    """Keeps the process element's own extension properties on the parsed spec."""

    def create_spec(self):
        spec = super().create_spec()
        spec.extensions = SpiffTaskParser._parse_extensions(self.node)
        return spec


class _Parser(SpiffBpmnParser):
    PROCESS_PARSER_CLASS = _ProcessParser


def new_parser():
    return _Parser(validator=VALIDATOR)


# -- collecting a bundle from the source folders ---------------------------------------------------

def _index(paths, add):
    """Map each process or decision id to the file defining it, using SpiffWorkflow's parser."""
    found = {}
    for path in paths:
        parser = new_parser()
        add(parser, parse_xml(path.read_bytes(), path.name), path.name)
        ids = parser.get_process_ids() if add is _add_bpmn else list(parser.dmn_parsers)
        for ident in ids:
            found[ident] = path
    return found


def _add_bpmn(parser, root, name):
    parser.add_bpmn_xml(root, filename=name)


def _add_dmn(parser, root, name):
    parser.add_dmn_xml(root, filename=name)


def collect_bundle(main: Path, models_dir: Path, rules_dir: Path, forms_dir: Path) -> dict[str, str]:
    """The files one process needs: its BPMN, called subprocesses, referenced DMN and named forms."""
    processes = _index(sorted(models_dir.rglob('*.bpmn')), _add_bpmn)
    decisions = _index(sorted(rules_dir.glob('*.dmn')), _add_dmn)
    parser, files, pending = new_parser(), {}, [main]
    while pending:
        path = pending.pop()
        if path.name in files:
            continue
        files[path.name] = path.read_text(encoding='utf-8')
        parser.add_bpmn_xml(parse_xml(files[path.name], path.name), filename=path.name)
        pending += [processes[p] for p in parser.get_process_dependencies() if p in processes]
    for decision in sorted(parser.get_dmn_dependencies()):
        if decision in decisions:
            files[decisions[decision].name] = decisions[decision].read_text(encoding='utf-8')
    forms = {v for name, content in files.items() if name.endswith('.bpmn')
             for k, v in _declared_properties(parse_xml(content, name)) if k == 'form'}
    for name in sorted(forms):
        if (forms_dir / name).is_file():
            files[name] = (forms_dir / name).read_text(encoding='utf-8')
    return files


def _declared_properties(root):
    """(name, value) of every spiffworkflow property in a document (only to find form files)."""
    for prop in root.iter('{http://spiffworkflow.org/bpmn/schema/1.0/core}property'):
        yield prop.get('name'), prop.get('value', '')


def bundle_hash(files: dict[str, str]) -> str:
    """A stable hash of a bundle's file names and contents."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b'\0' + files[name].encode() + b'\0')
    return digest.hexdigest()
