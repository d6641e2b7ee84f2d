"""The restricted script engine for every BPMN/DMN expression, script and timer.

SpiffWorkflow's default environment runs model code with plain eval/exec. Models are uploaded by
administrators, so every piece of model code here is compiled with RestrictedPython's
``compile_restricted_*`` (imports and names starting with ``_`` such as ``__import__`` or ``__subclasses__``
are refused at compile time; attribute, item and iteration access go through guards) and runs with
a small whitelist of builtins. ``while`` loops are refused and ``range`` is capped, which stops the
obvious endless loop; memory and CPU are NOT bounded (``"a" * 10**9`` or nested loops still cost
real resources), which needs a guard at the worker level.
"""
from __future__ import annotations

import operator
from datetime import date, datetime, timedelta
from functools import lru_cache

from RestrictedPython import RestrictingNodeTransformer, compile_restricted_eval, compile_restricted_exec
from RestrictedPython import safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (full_write_guard, guarded_iter_unpack_sequence,
                                     guarded_unpack_sequence, safer_getattr)
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

MAX_RANGE = 10_000


class UnsafeCode(ValueError):
    """Model code that the restricted compiler refuses; `errors` lists the compiler's reasons."""

    def __init__(self, source, errors):
        super().__init__('; '.join(errors))
        self.source = source
        self.errors = list(errors)


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy plus: no imports, no while loops (unbounded loops in a model are a bug)."""

    def visit_While(self, node):
        self.error(node, 'while loops are not allowed in model code.')
        return node

    def visit_Import(self, node):
        self.error(node, 'import is not allowed in model code.')
        return node

    visit_ImportFrom = visit_Import


def _capped_range(*args):
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise ValueError(f'range() larger than {MAX_RANGE} is not allowed in model code')
    return r


_INPLACE = {'+=': operator.iadd, '-=': operator.isub, '*=': operator.imul, '/=': operator.itruediv,
            '//=': operator.ifloordiv, '%=': operator.imod}


def _inplacevar(op, x, y):
    if op not in _INPLACE:
        raise ValueError(f'operator {op} is not allowed in model code')
    return _INPLACE[op](x, y)


def _builtins():
    allowed = dict(safe_builtins)
    allowed.update({
        'range': _capped_range, 'sum': sum, 'min': min, 'max': max, 'any': any, 'all': all,
        'enumerate': enumerate, 'dict': dict, 'list': list, 'set': set, 'frozenset': frozenset,
        'map': map, 'filter': filter, 'reversed': reversed,
    })
    return allowed


GUARDS = {
    '__builtins__': _builtins(),
    '_getattr_': safer_getattr,
    '_getitem_': default_guarded_getitem,
    '_getiter_': default_guarded_getiter,
    '_iter_unpack_sequence_': guarded_iter_unpack_sequence,
    '_unpack_sequence_': guarded_unpack_sequence,
    '_write_': full_write_guard,
    '_inplacevar_': _inplacevar,
}

# Plain values and pure helpers that model code may use.
HELPERS = {'date': date, 'datetime': datetime, 'timedelta': timedelta}


@lru_cache(maxsize=4096)
def compile_expression(source: str):
    """Compile one expression under the restricted policy; raise UnsafeCode if refused."""
    result = compile_restricted_eval(source, '<model expression>', policy=_Policy)
    if result.errors:
        raise UnsafeCode(source, result.errors)
    return result.code


@lru_cache(maxsize=1024)
def compile_script(source: str):
    """Compile a script under the restricted policy; raise UnsafeCode if refused."""
    result = compile_restricted_exec(source, '<model script>', policy=_Policy)
    if result.errors:
        raise UnsafeCode(source, result.errors)
    return result.code


class RestrictedEnvironment(TaskDataEnvironment):
    """Task-data environment that evaluates only restricted-compiled code."""

    def __init__(self):
        super().__init__({**GUARDS, **HELPERS})

    def evaluate(self, expression, context, external_context=None):
        code = compile_expression(expression)
        scope = dict(self.globals)
        scope.update(external_context or {})
        scope.update(context)
        return eval(code, scope)  # noqa: S307 -- restricted bytecode, guarded globals

    def execute(self, script, context, external_context=None):
        self.check_for_overwrite(context, external_context or {})
        code = compile_script(script)
        context.update(self.globals)
        context.update(external_context or {})
        try:
            exec(code, context)  # noqa: S102 -- restricted bytecode, guarded globals
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
        return True


def create_script_engine() -> PythonScriptEngine:
    """The script engine every workflow in gjj-flow runs with."""
    return PythonScriptEngine(environment=RestrictedEnvironment())
