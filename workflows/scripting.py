"""The restricted, bounded script engine for every BPMN/DMN expression, script and timer.

The public face of ``workflows.sandbox``, whose package docstring explains the design and whose
modules (limits, errors, guards, methods, namespace, policy, budget, memory, timers, engine) hold
the parts. Import from here. The limits are constants re-exported for reading: rebinding one here
changes nothing (patch the module that enforces it); the budget is changed with ``set_budget``.
"""
from __future__ import annotations

from .sandbox.budget import get_budget, set_budget
from .sandbox.engine import GuardedScriptEngine, RestrictedEnvironment, create_script_engine
from .sandbox.errors import BudgetExceeded, InvalidTimer, ModelCodeError, UnsafeCode, model_code_error
from .sandbox.limits import (DEFAULT_CPU_SECONDS, DEFAULT_MEMORY_MB, MAX_AST_DEPTH, MAX_AST_NODES,
                             MAX_INSTANCES, MAX_INT_BITS, MAX_ITEMS, MAX_POW_MOD_BITS, MAX_RANGE,
                             MAX_SOURCE_CHARS, MAX_TIMER_DAYS, MAX_TIMER_TEXT, REFIRE_AFTER,
                             WATCHDOG_IDLE_AFTER, WATCHDOG_POLL)
from .sandbox.namespace import GUARDS, HELPERS
from .sandbox.policy import compile_expression, compile_script, constant_value
from .sandbox.timers import check_cardinality, check_timer

__all__ = [
    # configuration and errors
    'set_budget', 'get_budget', 'UnsafeCode', 'ModelCodeError', 'BudgetExceeded', 'InvalidTimer',
    'model_code_error',
    # compile time, value checks, run time
    'compile_expression', 'compile_script', 'constant_value', 'check_timer', 'check_cardinality',
    'GUARDS', 'HELPERS', 'RestrictedEnvironment', 'GuardedScriptEngine', 'create_script_engine',
    # limits
    'MAX_RANGE', 'MAX_SOURCE_CHARS', 'MAX_AST_NODES', 'MAX_AST_DEPTH', 'MAX_ITEMS', 'MAX_INT_BITS',
    'MAX_POW_MOD_BITS', 'MAX_INSTANCES', 'MAX_TIMER_DAYS', 'MAX_TIMER_TEXT', 'DEFAULT_CPU_SECONDS',
    'DEFAULT_MEMORY_MB', 'WATCHDOG_POLL', 'WATCHDOG_IDLE_AFTER', 'REFIRE_AFTER',
]
