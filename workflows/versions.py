"""Versions of a process: save a draft, publish (or publish an older one again: a rollback), compare two.

New cases start on the version published last (`definitions.latest_definition`); running cases keep
the version they started on until an administrator migrates them (`migration`).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from . import audit
from .definitions import deploy, latest_definition, load_bundle, loaded_definition, mark_published, role_table
from .errors import N_, Conflict, NotFound
from .models import ProcessDefinition

# The element properties a text diff compares (ElementMeta fields people edit in the modeler).
_COMPARED = ('name', 'role', 'form', 'time_limit', 'separate_from', 'risk_hint', 'risk_hint_en', 'operation',
             'result_variable', 'is_user_task')


def save_draft(session, files: dict[str, str], actor) -> ProcessDefinition:
    """Check a bundle and store it as a draft version (or return the version with the same content)."""
    definition = deploy(session, files, actor.user_id, publish=False)
    audit.record(session, actor, 'model_saved', data={'process': definition.key, 'version': definition.version})
    return definition


def get_version(session, key: str, version: int) -> ProcessDefinition:
    """One stored version, or NotFound."""
    definition = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == key,
                                                                 ProcessDefinition.version == version))
    if definition is None:
        raise NotFound(N_('Version %(version)s of process %(key)s does not exist.'), key=key, version=version)
    return definition


def versions_of(session, key: str) -> list[ProcessDefinition]:
    """Every stored version of a process key, newest first."""
    return list(session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == key)
                                .order_by(ProcessDefinition.version.desc())))


def publish(session, definition: ProcessDefinition, actor) -> ProcessDefinition:
    """Make `definition` the version new cases start on, audited; publishing an older one rolls back.

    :raises InvalidModel: the version no longer passes the checks (a role it names is gone, say).
    :raises Conflict: it is already the current version, or another publish of the key won the race.
    """
    current = latest_definition(session, definition.key, required=False)
    if current is not None and current.id == definition.id:
        raise Conflict(N_('Version %(version)s is already the published version.'), version=definition.version)
    # Checked again: roles may have changed since the version was saved (or since an old one ran).
    load_bundle({f.name: f.content for f in definition.files}, role_table(session))
    mark_published(session, definition, actor.user_id, actor.at)
    try:
        session.flush()
    except (IntegrityError, OperationalError) as exc:
        raise Conflict(N_('Someone else published a version of this process first; reload and try again.')) from exc
    audit.record(session, actor, 'model_published',
                 data={'process': definition.key, 'version': definition.version,
                       'replaces': current.version if current is not None else None})
    return definition


@dataclass(frozen=True)
class ElementChange:
    """How one element differs between two versions: 'added', 'removed' or 'changed' (with the fields)."""
    element: str
    name: str
    kind: str
    fields: tuple[tuple[str, str, str], ...] = ()   # (field, old value, new value)


def _fields(meta) -> dict[str, str]:
    return {f: ', '.join(v) if isinstance(v, tuple) else ('' if v is None else str(v))
            for f in _COMPARED for v in [getattr(meta, f)]}


def compare(old: ProcessDefinition, new: ProcessDefinition) -> list[ElementChange]:
    """The elements added, removed or changed (in the properties people edit) from `old` to `new`."""
    a, b = loaded_definition(old).elements, loaded_definition(new).elements
    changes = []
    for element in sorted(set(a) | set(b)):
        if element not in a:
            changes.append(ElementChange(element, b[element].name, 'added'))
        elif element not in b:
            changes.append(ElementChange(element, a[element].name, 'removed'))
        else:
            before, after = _fields(a[element]), _fields(b[element])
            differ = tuple((f, before[f], after[f]) for f in _COMPARED if before[f] != after[f])
            if differ:
                changes.append(ElementChange(element, b[element].name, 'changed', differ))
    return changes


def text_diff(old: ProcessDefinition, new: ProcessDefinition) -> list[str]:
    """A unified diff of every file of the two versions (files only in one side included)."""
    a, b = ({f.name: f.content for f in d.files} for d in (old, new))
    lines = []
    for name in sorted(set(a) | set(b)):
        lines += difflib.unified_diff(a.get(name, '').splitlines(), b.get(name, '').splitlines(),
                                      f'v{old.version}/{name}', f'v{new.version}/{name}', lineterm='', n=2)
    return lines
