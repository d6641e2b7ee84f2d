"""The case list's query string read into a `queries.CaseSearch`, with a message for each bad value."""
from __future__ import annotations

import re
from datetime import date, timedelta

from flask_babel import gettext

from workflows import listing
from workflows.definitions import loaded_definition
from workflows.models import InstanceStatus
from workflows.queries import CASE_SORTS, CaseSearch
from workflows.sqltime import utc_start_of

from ..templating import options, process_name

_ISO_DAY = re.compile(r'[0-9]{4}-[0-9]{2}-[0-9]{2}')
STATUSES = ('running', 'waiting', 'completed', 'error', 'suspended', 'terminated')


def type_choices(definitions) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(process key, process name, [(value 'key:code', label)]) of every process that declares a list type."""
    choices = []
    for definition in definitions:
        declared = listing.list_type(loaded_definition(definition))
        if declared:
            choices.append((definition.key, process_name(definition),
                            [(f'{definition.key}:{code}', text) for code, text in options(declared[1])]))
    return choices


def _day(args, name, errors):
    text = args.get(name, '').strip()
    if not text:
        return None
    if _ISO_DAY.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    errors[name] = gettext('Not a date: %(value)s (use YYYY-MM-DD).', value=text[:40])
    return None


def read_search(args, definitions) -> tuple[CaseSearch, dict[str, str]]:
    """The search the query string asks for, and a message per field it could not read."""
    errors: dict[str, str] = {}
    status, process, kind_arg = args.get('status', ''), args.get('process', ''), args.get('type', '')
    if status and status not in InstanceStatus.__members__:
        errors['status'] = gettext('Unknown status.')
    if process and process not in {d.key for d in definitions}:
        errors['process'] = gettext('Unknown process.')
    kind = None
    if kind_arg:
        by_key = {d.key: d for d in definitions}
        key, _, code = kind_arg.partition(':')
        declared = listing.list_type(loaded_definition(by_key[key])) if key in by_key else None
        if declared is None or code not in declared[1].get('enum', []):
            errors['type'] = gettext('Unknown case type.')
        else:
            kind = (key, declared[0], code)
    first, last = _day(args, 'from', errors), _day(args, 'to', errors)
    if first and last and first > last:
        errors['to'] = gettext('The end of the period is before its start.')
    sort = args.get('sort', '')
    return CaseSearch(text=args.get('q', '')[:100], status=status, process=process, kind=kind,
                      registered_from=utc_start_of(first) if first else None,
                      registered_before=utc_start_of(last + timedelta(days=1)) if last else None,
                      sort=sort if sort.removeprefix('-') in CASE_SORTS else '-registered'), errors
