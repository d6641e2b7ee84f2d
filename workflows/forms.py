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


def validation_errors(schema: dict, data: dict) -> dict[str, list[tuple[str, dict]]]:
    """Field name ('' for the whole form) -> list of (message template, params)."""
    validator = _validator(schema)
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
