"""Task forms: validate submitted data against the task's JSON Schema.

Errors are collected per field as (English message template, params) pairs marked with N_, so the
web layer can translate them and show each one next to its field.
"""
from __future__ import annotations

from jsonschema import Draft202012Validator, FormatChecker

from .errors import N_, FormInvalid

_FORMAT_CHECKER = FormatChecker()

_MESSAGES = {
    'required': N_('This field is required.'),
    'type': N_('Enter a valid value.'),
    'enum': N_('Choose one of the listed options.'),
    'const': N_('This value is not allowed here.'),
    'minLength': N_('Enter at least %(limit)s characters.'),
    'maxLength': N_('Enter at most %(limit)s characters.'),
    'minimum': N_('Must be at least %(limit)s.'),
    'maximum': N_('Must be at most %(limit)s.'),
    'exclusiveMinimum': N_('Must be greater than %(limit)s.'),
    'exclusiveMaximum': N_('Must be less than %(limit)s.'),
    'pattern': N_('The format is not valid.'),
    'format': N_('The format is not valid.'),
    'minItems': N_('Choose at least %(limit)s.'),
    'maxItems': N_('Choose at most %(limit)s.'),
    'uniqueItems': N_('Each option may be chosen once.'),
    'additionalProperties': N_('Unexpected field.'),
}
_FALLBACK = N_('The value is not valid.')


def _field_of(error):
    if error.validator == 'required':
        missing = [k for k in error.validator_value if k not in (error.instance or {})]
        return [tuple(error.absolute_path) + (k,) for k in missing]
    if error.validator == 'additionalProperties':
        extra = set(error.instance) - set(error.schema.get('properties', {}))
        return [tuple(error.absolute_path) + (k,) for k in sorted(extra)]
    return [tuple(error.absolute_path)]


_VALIDATORS: dict[int, tuple[dict, Draft202012Validator]] = {}


def _validator(schema: dict) -> Draft202012Validator:
    """One validator per schema object (schemas live as long as their cached definition)."""
    cached = _VALIDATORS.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = (schema, Draft202012Validator(schema, format_checker=_FORMAT_CHECKER))
        _VALIDATORS[id(schema)] = cached
    return cached[1]


def offered(schema: dict, case_data: dict) -> dict:
    """The form as this case offers it.

    A field declaring `"x-options-from": "<dotted path>"` offers only those of its options whose codes
    the case data holds at that path: the 一次性告知 checklist lists exactly what this application still
    lacks. The narrowed schema both renders the page and validates the submission. Without data at the
    path (a case started before the rule that fills it) the field keeps all its options.
    """
    narrowed = {}
    for name, node in schema.get('properties', {}).items():
        path = node.get('x-options-from')
        codes = _at(case_data, path) if path else None
        if isinstance(codes, (list, tuple)):
            narrowed[name] = _only(node, set(codes))
    if not narrowed:
        return schema
    return {**schema, 'properties': {**schema['properties'], **narrowed}, 'x-offered': True}


def _at(data, path: str):
    for part in path.split('.'):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _only(node: dict, codes: set) -> dict:
    """An enum node (or an array of one) keeping only `codes`, with their labels."""
    if 'items' in node:
        return {**node, 'items': _only(node['items'], codes)}
    keep = [i for i, value in enumerate(node.get('enum', [])) if value in codes]
    narrowed = {**node, 'enum': [node['enum'][i] for i in keep]}
    for names in ('x-enumNames', 'x-enumNames-en'):
        if names in node:
            narrowed[names] = [node[names][i] for i in keep]
    return narrowed


def validation_errors(schema: dict, data: dict) -> dict[str, list[tuple[str, dict]]]:
    """Field name ('' for the whole form) -> list of (message template, params)."""
    # a form narrowed for one case is a new object each time: not worth (nor safe) to cache
    validator = (Draft202012Validator(schema, format_checker=_FORMAT_CHECKER) if schema.get('x-offered')
                 else _validator(schema))
    errors: dict[str, list[tuple[str, dict]]] = {}
    for error in validator.iter_errors(data):
        if error.validator in ('if', 'then', 'else', 'allOf', 'anyOf', 'oneOf'):
            continue
        message = _MESSAGES.get(error.validator, _FALLBACK)
        params = {'limit': error.validator_value} if '%(limit)' in message else {}
        for path in _field_of(error):
            name = str(path[0]) if path else ''
            if (message, params) not in errors.setdefault(name, []):
                errors[name].append((message, params))
    return errors


def validate(schema: dict, data: dict) -> dict:
    """Return `data` if it satisfies the schema; else raise FormInvalid with every field's errors."""
    errors = validation_errors(schema, data)
    if errors:
        raise FormInvalid(N_('Please correct the marked fields.'), errors)
    return data
