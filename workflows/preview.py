"""A dry run of a registration: what the case would find and where it would go, with nothing kept.

The registration page calls this as the clerk types. It runs the real registration (the same
lookups, decision tables and gateways, under the same budgets) on the form as typed, reads what the
steps recorded, and rolls the transaction back, so nothing is kept: no case, no task, no party, no
audit event (those are written only at commit), no notification. The case row takes an id given
here rather than one drawn from the id sequence, so no case number is used up either (a
PostgreSQL sequence is not rolled back). Other tables' id sequences may advance; nothing is
numbered from them.

A form not yet complete still runs: a field that is missing or invalid is passed as null, and the
run shows what the steps found before one needed it (the account once its number is typed).
Whether the case would be refused is read from the process's own refusal declarations
(`refusals.rules_of`): it would end with a refusal outcome or wait at a confirming step (否定报备).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlalchemy import select

from .change import InstanceChange
from .errors import DomainError, FormInvalid
from .forms import validation_errors
from .models import HumanTask, TaskState
from .refusals import rules_of
from .runtime import new_instance, run_registration, startable_definition


@dataclass
class StartPreview:
    """What registering the form as typed would do."""
    loaded: object
    data: dict                    # the case data the steps produced (facts of record, rule results)
    path: dict                    # the steps taken (as `process_instance.path`)
    incomplete: dict              # the form's own errors as typed: field -> [(message, params)]
    refused_fields: dict = field(default_factory=dict)   # a registration would be refused with these
    failure: tuple | None = None  # (message, params): the run failed on a complete form
    waiting: list = field(default_factory=list)          # (step id, role) the case would wait at
    end_event: str | None = None  # the end it would reach at once
    refused: bool = False         # the process's refusal declarations say it would be refused
    reason: str | None = None     # … with this reason and basis (the process's refusal fields)
    basis: str | None = None


def scratch_id() -> int:
    """A case id no real case has (ids are positive) and no concurrent dry run is likely to hold."""
    return -1 - secrets.randbelow(2**31 - 2)


def preview_start(session, key, data, actor, channel='window') -> StartPreview:
    """Run the registration of `data` and report what it found; roll back the session's transaction.

    The session must hold no pending changes of its own: they would be rolled back too.
    :raises NotAllowed: the actor may not register a case of this process.
    """
    if session.new or session.dirty or session.deleted:
        raise RuntimeError('preview_start rolls back the transaction: flush or commit pending changes first')
    definition, loaded = startable_definition(session, key, actor, channel)
    fields = loaded.start_form.get('properties', {})
    incomplete = validation_errors(loaded.start_form, data)
    typed = {k: v for k, v in data.items() if k not in incomplete}
    typed.update({name: None for name in incomplete if name in fields})
    try:
        return _dry_run(session, definition, loaded, typed, actor, channel, incomplete)
    finally:
        session.rollback()


def _dry_run(session, definition, loaded, typed, actor, channel, incomplete) -> StartPreview:
    instance = new_instance(session, definition, loaded, typed, actor, channel, instance_id=scratch_id())
    change = InstanceChange(session, instance, actor, loaded, new=True)
    preview = StartPreview(loaded=loaded, data={}, path={}, incomplete=incomplete)
    try:
        run_registration(session, loaded, instance, change)
    except FormInvalid as exc:   # an operation refused a field: quiet where the field is not complete yet
        preview.refused_fields = {k: v for k, v in exc.errors.items() if k not in incomplete}
    except DomainError as exc:   # the model could not go on: expected while the form is incomplete
        if not incomplete:
            preview.failure = (exc.message, exc.params)
    else:
        preview.data, preview.path = dict(instance.data), dict(instance.path)
        preview.waiting = session.execute(
            select(HumanTask.spec_id, HumanTask.role_code).where(HumanTask.instance_id == instance.id, HumanTask.state == TaskState.ready)
            .order_by(HumanTask.id)).all()
        preview.end_event = instance.end_event
        _judge(preview, instance.outcome)
        return preview
    preview.data, preview.path = change.progress()
    return preview


def _judge(preview, outcome):
    """Would the case be refused, by the process's own refusal declarations, and why."""
    rules = rules_of(preview.loaded.properties)
    preview.refused = (outcome in rules.outcomes
                       or any(step in rules.confirm_steps for step, _role in preview.waiting))
    if preview.refused:
        preview.reason = preview.data.get(rules.reason_field) if rules.reason_field else None
        preview.basis = preview.data.get(rules.basis_field) if rules.basis_field else None
