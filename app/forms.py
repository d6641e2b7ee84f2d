"""HTML form fields to JSON by the task's schema (the engine validates the result).

`read_form` adds what only the web layer can judge, before the engine sees anything: fields the form
does not have, and amounts typed in a way the number parser would accept but a clerk should not
(full-width digits, more than two decimals).
"""
from __future__ import annotations

import math
import re

from workflows.errors import N_
from workflows.forms import validation_errors

# Fields every posted form may carry besides its schema's properties.
FRAMEWORK_FIELDS = frozenset({'csrf_token'})

# An amount in yuan: ASCII digits, optionally a point and one or two decimals (to the fen).
_YUAN = re.compile(r'[0-9]+(?:\.[0-9]{1,2})?', re.ASCII)

UNKNOWN_FIELDS = N_('The form contained fields it does not have; nothing was saved. '
                    'Reload the page and try again.')
BAD_AMOUNT = N_('Enter the amount in yuan with the digits 0-9 and at most two decimals.')


def _coerce_scalar(prop, raw):
    raw = raw.strip()
    kind = prop.get('type')
    if raw == '':
        return None
    try:
        if kind in ('integer', 'number') and (not raw.isascii() or '_' in raw):
            return raw  # int()/float() accept "５０" and "1_000": left as text, a type error on this field
        if kind == 'integer':
            return int(raw)
        if kind == 'number':
            value = float(raw)
            if not math.isfinite(value):
                return raw  # NaN / Infinity: left as text so the schema reports a type error
            return int(value) if value.is_integer() and 'e' not in raw.lower() else value
    except ValueError:
        return raw  # left as text so the schema reports a type error on this field
    if kind == 'boolean':
        return {'true': True, 'false': False, 'on': True, '1': True, '0': False}.get(raw.lower(), raw)
    return raw


def coerce(schema: dict, fields) -> dict:
    """Build JSON data from HTML form fields (`fields` has get/getlist, like a MultiDict)."""
    data = {}
    for name, prop in schema.get('properties', {}).items():
        if prop.get('type') == 'array':
            values = [v for v in fields.getlist(name) if v.strip()]
            if values or name in fields:
                data[name] = [_coerce_scalar(prop.get('items', {}), v) for v in values]
            continue
        raw = fields.get(name)
        if raw is None:
            continue
        value = _coerce_scalar(prop, raw)
        if value is not None:
            data[name] = value
    return data


def unknown_fields(schema: dict, fields) -> list[str]:
    """Names of posted fields that are neither in the schema nor framework fields (csrf_token)."""
    known = set(schema.get('properties', {})) | FRAMEWORK_FIELDS
    return sorted(name for name in fields.keys() if name not in known)


def amount_errors(schema: dict, fields) -> dict[str, list[tuple[str, dict]]]:
    """Errors of the number fields marked "x-unit": "yuan" that are not plain amounts to the fen.

    Only values with digits in them (of any script: "５０００" counts) get this message; text without
    any digit ("abc", "NaN") is left to the schema's "Enter a valid value."
    """
    errors = {}
    for name, prop in schema.get('properties', {}).items():
        if prop.get('type') != 'number' or prop.get('x-unit') != 'yuan':
            continue
        raw = (fields.get(name) or '').strip()
        if raw and not _YUAN.fullmatch(raw) and any(c.isdigit() for c in raw):
            errors[name] = [(BAD_AMOUNT, {})]
    return errors


def read_form(schema: dict, fields) -> tuple[dict, dict[str, list[tuple[str, dict]]]]:
    """The coerced data and the web layer's own errors (field -> [(message, params)], '' for the form).

    When there are such errors the request must be refused without calling the engine; the returned
    errors then also include the schema's errors on the other fields, so that all are shown at once.
    """
    data = coerce(schema, fields)
    own = amount_errors(schema, fields)
    unknown = unknown_fields(schema, fields)
    if not own and not unknown:
        return data, {}
    errors = {**validation_errors(schema, data), **own}
    if unknown:
        errors.setdefault('', [])
        errors[''] = [(UNKNOWN_FIELDS, {})] + errors['']
    return data, errors
