"""Named operations: everything a process model may do beyond computing on its own data.

A process is its files: BPMN, the DMN tables it calls, its forms and, only where it needs code, one
module in `workflows/processes/` that registers operations here under dotted names:

- **lookups** read facts of record (a fund account, an employer …), may register the case's parties,
  and return the facts;
- **effects** change records (debit an account, record a disbursement …);
- **documents** render a printable document from the case data;
- **worker jobs** run in every round of the timer worker (e.g. drawing decided cases for 内审).

Lookups and effects run as BPMN service tasks (``<spiffworkflow:serviceTaskOperator id="fund.account">``
with parameters that are expressions over the task data); the result lands in the task's
`resultVariable`. Documents are listed in the process property `documents`. Deploy refuses a name
that is not registered, or a service task that leaves out a required parameter.

Operations receive an `OperationContext` (session, case, actor) and raise `OperationRefused` for bad
input, naming the parameter at fault so the engine can show the message on the form field.
"""
from __future__ import annotations

import contextvars
import importlib
import inspect
import json
import pkgutil
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from .deadlines import local_date
from .errors import N_, NotFound, OperationRefused

LOOKUP, EFFECT = 'lookup', 'effect'


@dataclass(frozen=True)
class Operation:
    """A registered lookup or effect."""
    name: str
    kind: str
    func: Callable
    title: str
    params: tuple[str, ...]            # required parameters
    optional: tuple[str, ...] = ()
    result: dict = field(default_factory=dict)   # result fields: name -> {'title': …, 'x-title-en': …}


@dataclass(frozen=True)
class Document:
    """A printable document a case can produce (a template in the process's module folder)."""
    name: str
    title: str
    template: str
    available: Callable[[dict], bool]
    context: Callable | None = None


_OPERATIONS: dict[str, Operation] = {}
_DOCUMENTS: dict[str, Document] = {}
_DEMO_BUILDERS: list[tuple[int, Callable]] = []
_WORKER_JOBS: dict[str, Callable] = {}


def _signature_params(func) -> tuple[tuple[str, ...], tuple[str, ...]]:
    params = list(inspect.signature(func).parameters.values())[1:]  # first is the context
    required = tuple(p.name for p in params if p.default is inspect.Parameter.empty)
    optional = tuple(p.name for p in params if p.default is not inspect.Parameter.empty)
    return required, optional


def _register(kind, name, title, result):
    def decorate(func):
        if name in _OPERATIONS and _OPERATIONS[name].func is not func:
            raise ValueError(f'operation {name!r} is registered twice')
        required, optional = _signature_params(func)
        _OPERATIONS[name] = Operation(name=name, kind=kind, func=func, title=title, params=required,
                                      optional=optional, result=result or {})
        return func
    return decorate


def lookup(name: str, *, title: str, result: dict | None = None):
    """Register `func(ctx, **params) -> dict` as a lookup of facts of record."""
    return _register(LOOKUP, name, title, result)


def effect(name: str, *, title: str, result: dict | None = None):
    """Register `func(ctx, **params) -> dict` as an effect on records."""
    return _register(EFFECT, name, title, result)


def document(name: str, *, title: str, template: str, available=lambda data: True, context=None):
    """Register a printable document; `template` is a path under workflows/processes/templates/."""
    _DOCUMENTS[name] = Document(name=name, title=title, template=template, available=available,
                                context=context)


def demo_cases(order: int = 100):
    """Register `func(session, users)` that adds demo cases of a process (run by `init-db --demo`)."""
    def decorate(func):
        _DEMO_BUILDERS.append((order, func))
        return func
    return decorate


def worker_job(name: str):
    """Register `func(session, now) -> int` to run in each round of the worker, in a transaction of its
    own that the worker commits; it returns how many items it handled. Jobs must be safe with several
    workers at once (each item handled once, e.g. by a unique row or SKIP LOCKED)."""
    def decorate(func):
        _WORKER_JOBS[name] = func
        return func
    return decorate


def worker_jobs() -> dict[str, Callable]:
    """The registered worker jobs by name."""
    load_process_modules()
    return dict(_WORKER_JOBS)


def operations() -> dict[str, Operation]:
    """Every registered operation by name."""
    load_process_modules()
    return dict(_OPERATIONS)


def get_operation(name: str) -> Operation:
    """A registered operation; NotFound if none has that name."""
    load_process_modules()
    try:
        return _OPERATIONS[name]
    except KeyError:
        raise NotFound(N_('No operation named %(name)s is registered.'), name=name) from None


def documents() -> dict[str, Document]:
    """Every registered document by name."""
    load_process_modules()
    return dict(_DOCUMENTS)


def demo_builders() -> list[Callable]:
    """The registered demo-case builders, in their declared order."""
    load_process_modules()
    return [func for _order, func in sorted(_DEMO_BUILDERS, key=lambda item: item[0])]


_LOADED = False


def load_process_modules():
    """Import the shared records module and every module in workflows/processes/ (once)."""
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    from . import processes, records  # noqa: F401 -- importing registers their operations
    for info in pkgutil.iter_modules(processes.__path__):
        importlib.import_module(f'{processes.__name__}.{info.name}')


@dataclass
class OperationContext:
    """What an operation may use: the session, the case being changed and who is changing it."""
    session: object
    instance: object
    actor: object
    parties: list = field(default_factory=list)

    @property
    def today(self) -> date:
        """The center's calendar day of this change."""
        return local_date(self.actor.at)

    def add_party(self, id_number: str, name: str, role: str):
        """Record a person or organisation the case is about (nobody may act on their own case)."""
        self.parties.append((id_number, name, role))


_CURRENT: contextvars.ContextVar[OperationContext | None] = contextvars.ContextVar('gjj_operation_context',
                                                                                   default=None)


def current_context() -> OperationContext:
    """The context of the instance change now running (operations run only inside one)."""
    ctx = _CURRENT.get()
    if ctx is None:
        raise RuntimeError('an operation ran outside an instance change')
    return ctx


def bind(ctx: OperationContext):
    """Make `ctx` current; returns the token for `unbind`."""
    return _CURRENT.set(ctx)


def unbind(token):
    _CURRENT.reset(token)


def call(task, operation_name: str, operation_params: dict) -> str:
    """Run a service task's operation with its evaluated parameters; return the result as JSON.

    :raises OperationRefused: with `task_spec` attached, so the engine can map `param` to a field.
    """
    operation = get_operation(operation_name)
    params = {name: spec['value'] for name, spec in operation_params.items()}
    try:
        result = operation.func(current_context(), **params)
    except OperationRefused as exc:
        exc.task_spec = task.task_spec
        raise
    return json.dumps(result if result is not None else {}, ensure_ascii=False, default=str)


def refuse(message, param=None, **params):
    """Raise OperationRefused (a helper for operation code)."""
    raise OperationRefused(message, param=param, **params)
