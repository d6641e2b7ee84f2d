"""HTML form fields to JSON by the task's schema (the engine validates the result)."""
from __future__ import annotations

import math


def _coerce_scalar(prop, raw):
    raw = raw.strip()
    kind = prop.get('type')
    if raw == '':
        return None
    try:
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
