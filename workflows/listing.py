"""What a process declares for the lists: the case-data fields shown beside each case, and its type.

Two process properties, both optional:

- `listFields`: comma-separated names of case-data fields (form fields of the bundle) shown in the
  task pool, the inbox and the case list, e.g. the type of an application and its amount;
- `listType`: one enumerated field of the start form that says what kind of case this is; the case
  list filters by it, its options labelled by the form.

Labels and value formats come from the fields' schema nodes (`title`, `x-enumNames`, `x-unit`).
"""
from __future__ import annotations

from .clocks import comma_list


def field_nodes(forms: dict, start_form: dict | None = None) -> dict[str, dict]:
    """Every form field of a bundle by name (the start form's first), for labelling recorded values."""
    nodes: dict[str, dict] = {}
    for schema in (start_form or {}, *forms.values()):
        for name, node in (schema or {}).get('properties', {}).items():
            nodes.setdefault(name, node)
    return nodes


def list_fields(loaded) -> list[tuple[str, dict]]:
    """(field name, schema node) of each field the process shows in the lists, in declared order."""
    nodes = field_nodes(loaded.forms, loaded.start_form)
    return [(name, nodes[name]) for name in comma_list(loaded.properties.get('listFields', '')) if name in nodes]


def list_type(loaded) -> tuple[str, dict] | None:
    """(field name, schema node) of the start-form field that gives the case's type, if declared."""
    name = (loaded.properties.get('listType') or '').strip()
    node = loaded.start_form.get('properties', {}).get(name) if name else None
    return (name, node) if node else None


def check(properties: dict, forms: dict, start_form: dict | None) -> list[str]:
    """Problems with the list declarations of a bundle (unknown fields, a type that is no choice)."""
    problems = []
    nodes = field_nodes(forms, start_form)
    for name in comma_list(properties.get('listFields', '')):
        if name not in nodes:
            problems.append(f'process property listFields: {name!r} is not a field of any form in the bundle')
    kind = (properties.get('listType') or '').strip()
    if kind:
        node = (start_form or {}).get('properties', {}).get(kind)
        if node is None or not node.get('enum'):
            problems.append(f'process property listType: {kind!r} is not a field with fixed choices (enum) '
                            'of the start form')
    return problems
