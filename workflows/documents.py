"""Printable documents of a case, rendered from the templates of the process's module folder.

A process lists its documents in the property `documents`; each is registered by the process's
module (`operations.document`) with a template under `workflows/processes/templates/` and the
condition under which the case has it. Official documents are in Chinese whatever the UI language.
"""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from .deadlines import local_date
from .errors import N_, NotFound
from .operations import documents

TEMPLATES = Path(__file__).resolve().parent / 'processes' / 'templates'

_ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                   undefined=StrictUndefined)


def _label(node: dict, value) -> str:
    """The Chinese label of an enum value (or of each value of a list) in a schema node."""
    if isinstance(value, list):
        return '、'.join(_label(node, v) for v in value)
    names = dict(zip(node.get('enum', []), node.get('x-enumNames', [])))
    return names.get(value, '' if value is None else str(value))


def available(instance, loaded) -> list:
    """The documents this case has now: (name, title) pairs."""
    registered = documents()
    return [(name, registered[name].title) for name in loaded.documents
            if name in registered and registered[name].available(instance.data or {})]


def render(session, instance, loaded, name) -> tuple[str, str]:
    """(title, HTML body) of one document of the case; NotFound if the case does not have it."""
    if name not in dict(available(instance, loaded)):
        raise NotFound(N_('This case has no such document.'))
    doc = documents()[name]
    context = {'instance': instance, 'data': instance.data, 'start_form': loaded.start_form,
               'label': _label, 'local_day': lambda at: local_date(at).isoformat()}
    if doc.context is not None:
        context.update(doc.context(session, instance, loaded))
    return doc.title, _ENV.get_template(doc.template).render(context)
