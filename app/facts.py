"""A case's facts and its audit trail in people's words.

The application, each lookup's facts of record, each rule result and what each step's form recorded;
what each audit event recorded. Labels come from the process's own files (forms, the operations'
result descriptions, DMN output labels), through the helpers of `templating`.
"""
from __future__ import annotations

import json

from flask_babel import gettext, lazy_gettext

from workflows import listing
from workflows.operations import operations

from .templating import (clock_label, element_name, field_nodes, field_value, label, limit_label, loaded_of,
                         value_label)


def case_sections(instance) -> list[tuple[str, list[tuple[str, str]]]]:
    """The case's facts for people: the application, each lookup's facts of record, each rule result
    and what each step's form recorded, in the order of the model.

    Labels come from the forms, the operations' result descriptions and the DMN output labels.
    """
    loaded, data = loaded_of(instance), instance.data or {}
    start = loaded.start_form
    return [(label(start, loaded.name), [(label(node, name), field_value(node, data[name]))
                                         for name, node in start.get('properties', {}).items()
                                         if data.get(name) not in (None, '', [])]),
            *step_sections(loaded, data, instance.path or {})]


def step_sections(loaded, data: dict, taken: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    """What each step in `taken` recorded in `data` (facts of record, rule results, forms), in model order."""
    sections, known = [], operations()
    for meta in loaded.elements.values():
        if meta.spec_id not in taken:          # only the steps this case went through
            continue
        if meta.is_user_task and meta.form in loaded.forms:
            fields = loaded.forms[meta.form].get('properties', {})
            rows = [(label(node, name), field_value(node, data[name])) for name, node in fields.items()
                    if data.get(name) not in (None, '', [])]
            if rows:
                sections.append((element_name(loaded, meta.spec_id), rows))
            continue
        result = data.get(meta.result_variable) if meta.operation else None
        if isinstance(result, dict) and meta.operation in known:
            described = known[meta.operation].result
            rows = [(label(node, name), field_value(node, result[name])) for name, node in described.items()
                    if result.get(name) not in (None, '')]
            sections.append((element_name(loaded, meta.spec_id), rows))
        elif meta.outputs and any(name in data for name, _ in meta.outputs):
            rows = [(text, value_label(loaded, data[name])) for name, text in meta.outputs if name in data]
            sections.append((element_name(loaded, meta.spec_id), rows))
    return sections


def rule_giving(loaded, data: dict, taken: dict, value) -> tuple[str, str] | None:
    """(step name, output label) of the decision-table step taken whose output is `value` (a refusal's reason)."""
    for meta in loaded.elements.values():
        if meta.spec_id in taken and value:
            for name, text in meta.outputs:
                if data.get(name) == value:
                    return element_name(loaded, meta.spec_id), text
    return None


def list_facts(instance) -> list[tuple[str, str]]:
    """(label, value) of the case-data fields the process shows in lists (its `listFields`)."""
    data = instance.data or {}
    return [(label(node, name), field_value(node, data[name])) for name, node in listing.list_fields(loaded_of(instance))
            if data.get(name) not in (None, '', [])]


def _labelled(nodes: dict, values: dict, loaded) -> list[tuple[str, str]]:
    return [(label(nodes[name], name), field_value(nodes[name], value)) if name in nodes
            else (name, value_label(loaded, value))
            for name, value in values.items() if value not in (None, '', []) and not isinstance(value, dict)]


_CLOCK_STATES = {'running': lazy_gettext('running'), 'paused': lazy_gettext('paused'),
                 'stopped': lazy_gettext('stopped')}


def audit_summary(loaded, event) -> list[tuple[str, str]]:
    """What an audit event recorded, as (label, value) pairs in the words of the forms, the operations'
    result descriptions and the DMN output labels. The raw data stays available beside it."""
    data, action = event.data or {}, event.action
    nodes = field_nodes(loaded)
    if action == 'register':
        return _labelled(nodes, data.get('form', {}), loaded)
    if action == 'complete':
        return _labelled(nodes, data.get('after', {}), loaded)
    if action == 'operation':
        described = operations().get(data.get('operation'))
        rows = []
        for value in (data.get('result') or {}).values():
            if isinstance(value, dict) and described is not None:
                rows += [(label(node, name), field_value(node, value[name])) for name, node in described.result.items()
                         if value.get(name) not in (None, '')]
        return rows
    if action in ('rules', 'timer'):
        outputs = {name: text for meta in loaded.elements.values() for name, text in meta.outputs}
        return [(outputs[name], value_label(loaded, value)) if name in outputs else (name, value_label(loaded, value))
                for name, value in (data.get('result') or {}).items() if not isinstance(value, dict)]
    if action.startswith('clock_'):
        rows = [(gettext('Deadline'), clock_label(loaded, data.get('clock', ''))),
                (gettext('Due'), data.get('due', ''))]
        if data.get('limit'):
            rows.append((gettext('Time limit'), limit_label(data['limit'])))
        if data.get('state') in _CLOCK_STATES:
            rows.append((gettext('State'), str(_CLOCK_STATES[data['state']])))
        return rows
    if action == 'close':
        return [(gettext('Outcome'), data.get('end') or data.get('outcome', ''))] + \
            ([(gettext('Reason'), data['reason'])] if data.get('reason') else [])
    if action == 'attachment_add':
        return [(gettext('Material'), data.get('label', '')), (gettext('File'), data.get('file', ''))]
    if action == 'error':
        return [(gettext('Error'), data.get('error', ''))]
    return [(name, value_label(loaded, value)) for name, value in data.items()
            if name != 'on_behalf_of' and not isinstance(value, (dict, list))]


def actor_label(event, names: dict) -> str:
    """Who acted: the staff member's name (and whom they stood in for), or the system."""
    if event.actor_id is None:
        return gettext('System')
    name = names.get(event.actor_name, event.actor_name)
    behalf = (event.data or {}).get('on_behalf_of')
    return gettext('%(name)s for %(absent)s', name=name, absent=names.get(behalf, behalf)) if behalf else name


def audit_data(data) -> str:
    """Audit event data as readable JSON (Chinese kept as is; the template escapes it)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str) if data else ''


def init_app(app):
    app.jinja_env.globals.update(case_sections=case_sections, step_sections=step_sections, rule_giving=rule_giving,
                                 audit_summary=audit_summary, actor_label=actor_label, list_facts=list_facts)
    app.jinja_env.filters['audit_data'] = audit_data
