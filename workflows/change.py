"""The one way a case changes: lock → restore → run → refresh projections → write state → audit.

Every change to an instance — registration, completing or claiming a task, and later timers,
messages and an administrator's suspend or terminate — happens inside an `InstanceChange`:

    with InstanceChange(session, instance, actor) as change:   # locks (optimistic)
        change.run(change.ready_task(guid), data)                # restores lazily, runs the engine
    # on leaving without an error: case data, clocks, task rows, parties, status, state blob, audit

It takes the optimistic lock first (`UPDATE … SET version = version + 1 WHERE version = <read>`),
so of two changes to the same case exactly one wins and the other gets Conflict. Everything is
written in the caller's transaction; the caller commits once, or rolls back on any error, so a
refused or failed change leaves the database as it was.

Model code runs bounded: each evaluation under the sandbox's CPU and memory budget, the whole run
under a step and time budget, and the case data and state under size limits. A model that fails
raises ModelFailed (or the operation's own refusal), never a bare exception.
"""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from uuid import UUID

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.attributes import set_committed_value
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.service_task import ServiceTask
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask
from SpiffWorkflow.util.task import TaskState as SpiffState

from . import audit, history, state
from .actors import Actor
from .clocks import ClockBook
from .deadlines import LazyCalendar, local_date
from .definitions import loaded_definition
from .errors import N_, Conflict, DomainError, FormInvalid, ModelFailed, OperationRefused
from .models import CaseParty, InstanceState, InstanceStatus, ProcessInstance
from .operations import OperationContext, bind, unbind
from .projections import sync_tasks

RUN_BUDGET = {'steps': 5_000,    # engine tasks one change may run before it is stopped as runaway
              'seconds': 5.0}    # wall time one change may spend in the engine
MAX_CASE_DATA_BYTES = 512_000  # the case data as JSON
MAX_STATE_BYTES = 4_000_000    # the compressed workflow state

def set_run_budget(steps: int, seconds: float):
    """How many engine steps and seconds one change may take (config keys MODEL_RUN_STEPS/_SECONDS)."""
    RUN_BUDGET.update(steps=int(steps), seconds=float(seconds))


_LOCK = (update(ProcessInstance)
         .where(ProcessInstance.id == bindparam('iid'), ProcessInstance.version == bindparam('seen'))
         .values(version=bindparam('seen') + 1))
_READ_STATE = select(InstanceState.state).where(InstanceState.instance_id == bindparam('iid'))
_WRITE_STATE = (update(InstanceState).where(InstanceState.instance_id == bindparam('iid'))
                .values(state=bindparam('blob')))


_TIMERS = {'TimeDateEventDefinition', 'DurationTimerEventDefinition', 'CycleTimerEventDefinition'}


def next_timer(workflow) -> datetime | None:
    """When the earliest armed timer of the workflow is due (naive UTC), or None."""
    due = []
    for event in workflow.waiting_events():
        if event.event_type not in _TIMERS or event.value is None:
            continue
        value = event.value['next'] if isinstance(event.value, dict) else event.value
        moment = datetime.fromisoformat(value)
        due.append(moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment)
    return min(due, default=None)


HALTED = {InstanceStatus.suspended: N_('This case is suspended by an administrator: nothing can be done on it '
                                       '(no task claimed or completed, no timer fired) until it is resumed.'),
          InstanceStatus.terminated: N_('This case was terminated by an administrator; nothing more can be done '
                                        'on it.')}


def refuse_if_halted(instance: ProcessInstance) -> None:
    """Conflict if an administrator suspended or terminated the case (the one check; every change passes it)."""
    message = HALTED.get(instance.status)
    if message is not None:
        raise Conflict(message)


class InstanceChange:
    """One change to one case, by one actor (see the module docstring)."""

    def __init__(self, session, instance: ProcessInstance, actor, loaded=None, *, new=False, halted_ok=False):
        self.session, self.instance, self.actor = session, instance, actor
        self.loaded = loaded or loaded_definition(instance.definition)
        self.new = new
        self.halted_ok = halted_ok  # only the administrators' case operations (admin_ops) change a halted case
        self.parties: list[tuple[str, str, str]] = []
        self._workflow = None
        self._completed = []       # Spiff tasks completed during this change, in order
        self._submitted: dict = {}  # the form data of the user task completed in this change

    # -- lock and restore ------------------------------------------------------------------------

    def __enter__(self):
        if not self.new:
            if not self.halted_ok:
                refuse_if_halted(self.instance)
            self._lock()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self._finish()
        return False

    def _lock(self):
        instance = self.instance
        try:
            result = self.session.connection().execute(_LOCK, {'iid': instance.id, 'seen': instance.version})
        except OperationalError as exc:  # SQLite: another writer kept the database locked too long
            raise Conflict(N_('Someone else is changing this case; please try again.')) from exc
        if result.rowcount != 1:
            raise Conflict(N_('This case was changed by someone else; reload and try again.'))
        set_committed_value(instance, 'version', instance.version + 1)

    @property
    def workflow(self):
        """The case's workflow, restored on first use (claims and releases never need it)."""
        if self._workflow is None:
            if self.new:
                self._workflow = state.new_workflow(self.loaded)
            else:
                blob = self.session.connection().execute(_READ_STATE, {'iid': self.instance.id}).scalar_one()
                self._workflow = state.restore(blob, self.loaded)
        return self._workflow

    def ready_task(self, guid):
        """The ready Spiff task with this id, or Conflict if it was handled meanwhile."""
        spiff_task = self.workflow.get_task_from_id(UUID(guid))
        if spiff_task is None or spiff_task.state != SpiffState.READY:
            raise Conflict(N_('This task has already been handled.'))
        return spiff_task

    # -- run -------------------------------------------------------------------------------------

    def run(self, spiff_task=None, data=None):
        """Complete `spiff_task` with `data` (if given), then run the engine to its next wait state.

        For a new case, `data` is the start form: it becomes the workflow's initial data.
        """
        workflow = self.workflow
        if self.new and spiff_task is None and data is not None:
            self._submitted = dict(data)
            workflow.task_tree.data.update(data)
        token = bind(OperationContext(self.session, self.instance, self.actor, self.parties))
        started, steps, seconds = time.monotonic(), RUN_BUDGET['steps'], RUN_BUDGET['seconds']

        def did_complete(task):
            self._completed.append(task)
            if len(self._completed) > steps or time.monotonic() - started > seconds:
                raise ModelFailed(N_('The process model ran %(n)s steps in %(s)s s without waiting for anyone; '
                                     'it was stopped (a loop that never ends?).'),
                                  n=len(self._completed), s=f'{time.monotonic() - started:.1f}')
        try:
            if spiff_task is not None:
                self._submitted = dict(data or {})
                spiff_task.data.update(self._submitted)
                spiff_task.run()
                self._completed.append(spiff_task)
            workflow.do_engine_steps(did_complete_task=did_complete)
        except OperationRefused as exc:
            raise self._as_field_error(exc) from exc
        except DomainError:
            raise
        except WorkflowException as exc:
            raise self._model_failed(exc) from exc
        except Exception as exc:  # noqa: BLE001 -- whatever model code did, the change fails cleanly
            raise self._model_failed(exc) from exc
        finally:
            unbind(token)

    def fire_timers(self):
        """Let every timer that is due fire, and run what follows (the worker's one change)."""
        self.workflow.refresh_timers()
        self.run()

    def _as_field_error(self, exc: OperationRefused):
        """A refusal on a parameter fed straight from a submitted field is shown on that field."""
        spec = getattr(exc, 'task_spec', None)
        source = spec.operation_params.get(exc.param, {}).get('value', '').strip() if spec and exc.param else ''
        if source and source in self._submitted:
            return FormInvalid(N_('Please correct the marked fields.'), {source: [(exc.message, exc.params)]})
        return exc

    def _model_failed(self, exc):
        inner = getattr(exc, 'exception', None) or exc.__cause__ or exc
        if isinstance(inner, DomainError):
            return inner
        task_spec = getattr(exc, 'task_spec', None) or getattr(getattr(exc, 'task', None), 'task_spec', None)
        where = getattr(task_spec, 'bpmn_name', None) or getattr(task_spec, 'bpmn_id', None) or '?'
        return ModelFailed(N_('The process model failed at step %(step)s: %(error)s'), step=where,
                           error=f'{type(inner).__name__}: {inner}'[:500])

    # -- finish ----------------------------------------------------------------------------------

    def _finish(self):
        if self._workflow is None:  # claim, release: only the lock and the caller's own rows
            self.session.flush()
            return
        today = local_date(self.actor.at)
        book = ClockBook(self.session, self.instance, self.loaded.clocks, LazyCalendar(self.session), today,
                         self.actor)
        with self.session.no_autoflush:
            self._merge_completed(book)
            open_metas = sync_tasks(self.session, self.instance, self.workflow, self.loaded, book.calendar,
                                    self.actor.at)
            completed = self.workflow.is_completed()
            if completed:
                self._close(book)
            else:
                self._sync_pauses(book, open_metas)
            if book.touched:
                self.instance.due_date, self.instance.due_provisional = book.earliest_due()
            self.instance.next_timer_at = None if completed else next_timer(self.workflow)
            self._save_parties()
        history.prune(self.workflow)   # after everything above has read the finished steps
        self._write_state()
        self.session.flush()

    def _merge_completed(self, book):
        """Fold what each completed step changed into the case data, in completion order.

        A step's changes are the keys whose values differ from its parent's (its input), so values
        set in parallel branches all arrive, whichever branch finishes first.
        """
        data, path = dict(self.instance.data or {}), dict(self.instance.path or {})
        for task, delta in self._deltas(path):
            data.update(delta)
            meta = self.loaded.elements.get(task.task_spec.bpmn_id)
            if meta is None:
                continue
            if meta.clocks:
                book.apply(meta.clocks, data)
            self._audit_engine_step(task, meta, delta)
        size = len(json.dumps(data, ensure_ascii=False, default=str).encode())
        if size > MAX_CASE_DATA_BYTES:
            raise ModelFailed(N_('The case data is too large to store (%(size)s bytes; the limit is %(limit)s).'),
                              size=size, limit=MAX_CASE_DATA_BYTES)
        self.instance.data, self.instance.path = data, path

    def _deltas(self, path):
        """(task, what it changed) for each step completed in this change, in order; counts each in `path`."""
        for task in self._completed:
            bpmn_id = task.task_spec.bpmn_id
            if bpmn_id:
                path[bpmn_id] = path.get(bpmn_id, 0) + 1
            base = task.parent.data if task.parent is not None else {}
            yield task, {k: v for k, v in task.data.items() if k not in base or base[k] != v}

    def progress(self) -> tuple[dict, dict]:
        """The case data and path as the steps completed so far left them, also after a failed run.

        Nothing is written: a dry run (`preview`) reads what the steps found before one stopped it.
        """
        data, path = dict(self.instance.data or {}), dict(self.instance.path or {})
        for _task, delta in self._deltas(path):
            data.update(delta)
        return data, path

    def _audit_engine_step(self, task, meta, delta):
        spec = task.task_spec
        if isinstance(spec, BusinessRuleTask):
            action, extra = 'rules', {}
        elif isinstance(spec, ServiceTask):
            action, extra = 'operation', {'operation': spec.operation_name}
        elif isinstance(getattr(spec, 'event_definition', None), TimerEventDefinition):
            action, extra = 'timer', {}
        else:
            return
        audit.record(self.session, Actor.system(self.actor.at), action, instance_id=self.instance.id,
                     basis=delta.get(meta.basis_field),
                     data={'step': meta.name, **extra, 'result': delta})

    def _sync_pauses(self, book, open_metas):
        pausing = {name for meta in open_metas for name in meta.clocks.pauses}
        if pausing or self.instance.status == InstanceStatus.waiting:
            book.sync_pauses(pausing)
            self.instance.status = InstanceStatus.waiting if pausing else InstanceStatus.running

    def _close(self, book):
        """The workflow says it is complete: close the case, but only if it reached an end event."""
        workflow, instance = self.workflow, self.instance
        end = next((t for t in reversed(self._completed)
                    if isinstance(t.task_spec, EndEvent) and t.workflow is workflow), None)
        if end is None:
            instance.status = InstanceStatus.error
            instance.error = 'The engine stopped without reaching an end event.'
            audit.record(self.session, Actor.system(self.actor.at), 'error', instance_id=instance.id,
                         data={'error': instance.error})
            return
        outcome = self.loaded.outcomes.get(end.task_spec.bpmn_id)
        instance.status, instance.closed_at = InstanceStatus.completed, self.actor.at
        instance.outcome = outcome.code if outcome else 'completed'
        instance.end_event = end.task_spec.bpmn_id
        book.stop_all()
        basis, reason = self._last_value('basis_field'), self._last_value('reason_field')
        audit.record(self.session, self.actor, 'close', instance_id=instance.id, basis=basis,
                     data={'outcome': instance.outcome, 'end': outcome.name if outcome else None,
                           **({'reason': reason} if reason else {})})

    def _last_value(self, which):
        """The latest basis (or reason) a step of this change gave, e.g. for the closing event."""
        for task in reversed(self._completed):
            meta = self.loaded.elements.get(task.task_spec.bpmn_id)
            value = task.data.get(getattr(meta, which)) if meta is not None else None
            if value:
                return value
        return None

    def _save_parties(self):
        seen = set()
        rows = []
        for id_number, name, role in self.parties:
            if (id_number, role) not in seen:
                seen.add((id_number, role))
                rows.append(dict(instance_id=self.instance.id, id_number=id_number, name=name, role=role))
        if rows:
            self.session.connection().execute(insert(CaseParty), rows)

    def _write_state(self):
        blob = state.dump(self.workflow)
        if len(blob) > MAX_STATE_BYTES:
            raise ModelFailed(N_('The case state is too large to store (%(size)s bytes; the limit is %(limit)s).'),
                              size=len(blob), limit=MAX_STATE_BYTES)
        if self.new:
            self.session.add(InstanceState(instance_id=self.instance.id, state=blob))
        else:
            self.session.connection().execute(_WRITE_STATE, {'iid': self.instance.id, 'blob': blob})
