"""The restricted, bounded script engine for every BPMN/DMN expression, script and timer.

Models are uploaded by administrators, so every piece of model code (scripts, gateway and loop
conditions, DMN input/entry/output expressions, multi-instance cardinalities, timer expressions,
message payloads) is compiled here with RestrictedPython and runs under a CPU-time and memory
budget (``set_budget(cpu_seconds, memory_mb)``, default 2 s and 256 MB per evaluation).

Compile time (``compile_expression``/``compile_script``, also used at deploy time by
``modelcheck.check_expression``); refusals raise ``UnsafeCode`` with the reasons in ``.errors``:

* RestrictedPython's policy: no imports, no names or attributes starting with ``_``; attribute,
  item and iteration access through guards; a small whitelist of builtins.
* Ours: no ``while``; no ``try/finally``, bare ``except:``, ``except <expression>`` (only class
  names) or ``with``: each could swallow or outlive the time-budget interruption.
* Size: at most ``MAX_SOURCE_CHARS`` characters, ``MAX_AST_NODES`` syntax nodes and ``MAX_AST_DEPTH``
  levels of nesting, checked before RestrictedPython's recursive transformer runs; CPython's own
  ``RecursionError``/``MemoryError`` while parsing or compiling becomes ``UnsafeCode`` too.
* Constant sub-expressions are folded with the run-time guards below, so ``10 ** 10 ** 10``,
  ``"a" * 10**10``, ``"x".center(10**9)``, ``f"{1:>1000000000}"`` or ``range(10**9)`` are refused at
  deploy time with a message naming the limit.

Run time, in three layers:

1. Size guards (deterministic, cheap). ``+ * ** << % //`` and their in-place forms compile into
   calls of helpers that estimate the result *before* computing it: integers may not pass
   ``MAX_INT_BITS`` bits (and the quadratic ``//``, ``%``, ``divmod``, three-argument ``pow`` refuse
   larger inputs), sequences may not pass ``MAX_ITEMS`` characters/bytes/elements (1,000,000: about
   1 MB of text, 8 MB of list). The amplifying methods (``center ljust rjust zfill expandtabs join
   replace translate extend append insert to_bytes from_bytes strftime``), ``%``-formatting,
   f-strings and the builtins ``pow sum divmod round range`` are checked the same way; guarded
   methods are returned as closures (a ``functools.partial`` would expose the raw method as
   ``.args``). Violations raise ``BudgetExceeded`` ('size', or 'iterations' for ``range``). This is
   what keeps any *single* C-level operation, which nothing in the process can interrupt, short.
2. CPU time. One daemon watchdog thread polls the running evaluations every ``WATCHDOG_POLL``
   (20 ms) and raises an internal ``BaseException`` with ``PyThreadState_SetAsyncExc`` in a thread
   whose evaluation has used more than its budget of that thread's CPU clock
   (``time.pthread_getcpuclockid``; wall clock where missing). This works on any thread (signals
   only reach the main thread) and measures CPU, so a thread starved of the GIL is not blamed.
   Registering is a dict insert under a lock; the CPU clock is first read by the watchdog, so short
   evaluations never pay for it (the watchdog assumes the thread was on the CPU since it started,
   erring by at most one poll). The exception cannot be caught by model code (``except`` clauses
   go through ``_exc_type_``, which turns non-``Exception`` classes into ones never raised). It is
   fired once, and re-fired every ``REFIRE_AFTER`` only while the thread's stack shows it inside
   model code. On the way out, under the same lock, the evaluation is unregistered and any pending
   async exception cleared; if the watchdog had fired, ``BudgetExceeded('time')`` is raised
   synchronously. Every instruction between registering and that point is inside one ``try``, so the
   async exception can never land outside the evaluation. Nested evaluations (model code calling a
   function that evaluates again) run within the outermost evaluation's budget. Measured: a runaway
   loop stops 25-55 ms after its budget (wall 0.227 s for 0.2 s, 2.05 s for 2 s).
3. Memory. While at least one evaluation runs, ``RLIMIT_AS`` is (address-space size when it
   started + memory budget); the last one to finish restores the limit it found. A ``MemoryError``
   becomes ``BudgetExceeded('memory')``. This is the safety net for what layer 1 does not model:
   ``repr``/``str`` of a huge shared structure, builtins that grow a list from itself, many
   allocations in a loop. Cost per evaluation, measured: ``pread`` on a ``/proc/self/statm``
   descriptor opened once 1.5 us (``open()+read()`` would be 12 us), ``getrlimit`` 0.5 us,
   ``setrlimit`` set + restore 1.1 us; about 4 us in all with the bookkeeping, against 2 us for the
   time budget alone. We pay it: a comparison or DMN entry costs about 6.5 us instead of 0.15 us
   for a bare ``eval`` (2.1 us with the time budget only; see bench/bench_sandbox.py).
   ``setrlimit`` is process-wide: concurrent evaluations share one ceiling, raised (never lowered)
   as each one starts, so each has at least its budget above the size at its start. The price is
   that *other* threads allocating while an evaluation runs share the remaining headroom: with a
   small budget a thread being started (its stack and glibc arena need up to ~136 MB of address
   space) fails ("can't start new thread", or a ``MemoryError`` while it boots, after which
   ``Thread.start()`` may never return; both seen with a 64 MB budget, neither with 256 MB). With
   the default 256 MB this needs model code that is itself using most of its budget; processes
   that start threads per request (e.g. Werkzeug's threaded dev server) should create them up
   front or ``set_budget(cpu, 0)``, which turns the address-space limit off (layers 1 and 2
   remain). Child processes started meanwhile inherit the limit (``os.fork`` children restore it).
   Without ``/proc`` or ``resource`` (not Linux) layers 1 and 2 remain.

Anything that is not an ordinary ``Exception`` raised by model code (``raise SystemExit``,
``KeyboardInterrupt``, ``GeneratorExit``, ``BaseException``) becomes ``ModelCodeError``.

Not bounded in process: one builtin call on data built within the budget can still overrun it
(sorting a million items takes ~0.1-0.5 s; a set of a million crafted colliding integers much
longer); only a separate process with ``RLIMIT_CPU`` would stop that. Functions that the
application passes in ``external_context`` run under the caller's budget and may be interrupted.

``GuardedScriptEngine`` also checks evaluated values where SpiffWorkflow uses them: a
multi-instance cardinality (whole number, at most ``MAX_INSTANCES``) and timer values (valid ISO
8601 as SpiffWorkflow parses them, at most ``MAX_TIMER_DAYS`` away). SpiffWorkflow wraps errors in
``WorkflowTaskException``; ours carry the original in ``.exception`` and ``__cause__``, and
``model_code_error(exc)`` finds it.
"""
from __future__ import annotations

import ast
import ctypes
import math
import operator
import os
import re
import sys
import threading
import time
from datetime import date, datetime, timedelta, timezone
from datetime import time as dt_time
from functools import lru_cache

try:
    import resource
except ImportError:  # pragma: no cover - not POSIX
    resource = None

from RestrictedPython import RestrictingNodeTransformer, compile_restricted_eval, compile_restricted_exec
from RestrictedPython import safe_builtins
from RestrictedPython.compile import syntax_error_template
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (full_write_guard, guarded_iter_unpack_sequence,
                                     guarded_unpack_sequence, safer_getattr)
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (CycleTimerEventDefinition,
                                                              DurationTimerEventDefinition,
                                                              TimeDateEventDefinition,
                                                              TimerEventDefinition)
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.exceptions import SpiffWorkflowException

# ---------------------------------------------------------------------------------------------
# Limits
# ---------------------------------------------------------------------------------------------

MAX_RANGE = 10_000            # elements of one range()
MAX_SOURCE_CHARS = 20_000     # characters of one expression or script
MAX_AST_NODES = 10_000        # syntax nodes of one expression or script
MAX_AST_DEPTH = 100           # nesting depth of its syntax tree
MAX_ITEMS = 1_000_000         # characters, bytes or elements made by one guarded operation
MAX_INT_BITS = 100_000        # bits of an integer made by (or fed to) a super-linear operation
MAX_POW_MOD_BITS = 4_096      # bits of exponent and modulus of pow(base, exp, mod)
MAX_INSTANCES = 1_000         # instances of one multi-instance activity
MAX_TIMER_DAYS = 3_660        # how far a timer may reach: about 10 years
MAX_TIMER_TEXT = 200          # characters of an evaluated timer value

DEFAULT_CPU_SECONDS = 2.0
DEFAULT_MEMORY_MB = 256
WATCHDOG_POLL = 0.02          # seconds between watchdog checks while evaluations run
WATCHDOG_IDLE_AFTER = 1.0     # the watchdog sleeps until woken after this long without evaluations
REFIRE_AFTER = 0.1            # re-raise in a thread still inside model code this long after firing

_EXPRESSION_FILE = '<model expression>'
_SCRIPT_FILE = '<model script>'
_MODEL_FILES = frozenset((_EXPRESSION_FILE, _SCRIPT_FILE))

_budget = (DEFAULT_CPU_SECONDS, DEFAULT_MEMORY_MB)


def set_budget(cpu_seconds: float, memory_mb: int) -> None:
    """Set the CPU-time (seconds) and memory (MB above the address space at its start) budget of
    every evaluation that starts from now on. ``memory_mb=0`` turns the address-space limit off
    (the size guards still apply)."""
    global _budget
    cpu = float(cpu_seconds)
    if not (cpu > 0 and math.isfinite(cpu)):
        raise ValueError(f'cpu_seconds must be a positive number, not {cpu_seconds!r}')
    if isinstance(memory_mb, bool) or not isinstance(memory_mb, int) or memory_mb < 0:
        raise ValueError(f'memory_mb must be a whole number of MB (0 = no limit), not {memory_mb!r}')
    _budget = (cpu, memory_mb)


def get_budget() -> tuple[float, int]:
    """The current (cpu_seconds, memory_mb) budget per evaluation."""
    return _budget


# ---------------------------------------------------------------------------------------------
# Exceptions
# ---------------------------------------------------------------------------------------------

class UnsafeCode(ValueError):
    """Model code that the restricted compiler refuses; `errors` lists the compiler's reasons."""

    def __init__(self, source, errors):
        super().__init__('; '.join(errors))
        self.source = source
        self.errors = list(errors)


class ModelCodeError(Exception):
    """Model code failed in a way the sandbox reports itself; base class of the errors below.

    Raised as such when model code raises something that is not an ordinary ``Exception``
    (``SystemExit``, ``KeyboardInterrupt``, ``GeneratorExit``, ``BaseException``) and for a loop
    cardinality that is not a whole number.
    """


class BudgetExceeded(ModelCodeError):
    """Model code went over a limit. ``budget`` names it ('time', 'memory', 'size', 'iterations',
    'instances', 'timer') and ``limit`` is its value; the message says both."""

    def __init__(self, message, budget=None, limit=None):
        super().__init__(f'{budget} budget exceeded: {message}' if budget else message)
        self.budget = budget
        self.limit = limit


class InvalidTimer(ModelCodeError):
    """A timer expression whose value is not an ISO 8601 date, duration or repeating interval."""


class _Timeout(BaseException):
    """Raised asynchronously in a thread whose evaluation ran out of CPU time; never leaves `_bounded`."""


class _NeverRaised(Exception):
    """Stands in for non-Exception classes named in a model's except clause."""


def model_code_error(exc):
    """The ModelCodeError behind `exc` (itself, or wrapped by SpiffWorkflow), or None."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, ModelCodeError):
            return exc
        seen.add(id(exc))
        exc = getattr(exc, 'exception', None) or exc.__cause__ or exc.__context__
    return None


def _num(n):
    """A readable integer, also for ones too large to print."""
    if n < 0:
        return '-' + _num(-n)
    if isinstance(n, float):
        return f'{n:,.0f}' if n < 1e15 else f'{n:.3g}'
    if n.bit_length() > 60:
        return f'about 10**{int(abs(n).bit_length() * 0.30103)}'
    return f'{n:,}'


def _size_error(what, n, unit='items'):
    return BudgetExceeded(f'{what} would make {_num(n)} {unit}; the limit is {MAX_ITEMS:,}',
                          budget='size', limit=MAX_ITEMS)


def _int_error(what, bits):
    return BudgetExceeded(f'{what} would make an integer of {_num(bits)} bits; '
                          f'the limit is {MAX_INT_BITS:,} bits', budget='size', limit=MAX_INT_BITS)


def _foreign(exc):
    text = repr(exc)
    text = text if len(text) <= 100 else text[:97] + '...'
    return ModelCodeError(f'model code raised {text}, which is not allowed (only ordinary exceptions)')


# ---------------------------------------------------------------------------------------------
# Size guards (used at run time and, for constants, at compile time)
# ---------------------------------------------------------------------------------------------

_SEQUENCES = (str, bytes, bytearray, list, tuple)
_STRLIKE = (str, bytes, bytearray)


def _unit(seq):
    if isinstance(seq, str):
        return 'characters'
    return 'bytes' if isinstance(seq, (bytes, bytearray)) else 'elements'


def _check_add(a, b):
    if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
        n = len(a) + len(b)
        if n > MAX_ITEMS:
            raise _size_error(f'{type(a).__name__} + {type(b).__name__}', n, _unit(a))


def _check_repeat(seq, n):
    if n > 0 and len(seq) * n > MAX_ITEMS:
        raise _size_error(f'{type(seq).__name__} * {_num(n)}', len(seq) * n, _unit(seq))


def _check_mul(a, b):
    if isinstance(a, int):
        if isinstance(b, int):
            bits = a.bit_length() + b.bit_length()
            if bits > MAX_INT_BITS:
                raise _int_error(f'{_num(a)} * {_num(b)}', bits)
        elif isinstance(b, _SEQUENCES):
            _check_repeat(b, a)
    elif isinstance(b, int) and isinstance(a, _SEQUENCES):
        _check_repeat(a, b)


def _check_pow(a, b, mod=None):
    if not (isinstance(a, int) and isinstance(b, int)):
        return
    if mod is not None:
        if isinstance(mod, int) and (b.bit_length() > MAX_POW_MOD_BITS or mod.bit_length() > MAX_POW_MOD_BITS
                                     or a.bit_length() > MAX_INT_BITS):
            raise BudgetExceeded(
                f'pow() with a {b.bit_length():,}-bit exponent and a {mod.bit_length():,}-bit modulus; '
                f'the limit is {MAX_POW_MOD_BITS:,} bits each', budget='size', limit=MAX_POW_MOD_BITS)
        return
    if b > 1 and abs(a) > 1:
        bits = b * (abs(a).bit_length() - 1) if b.bit_length() > 62 else b * math.log2(abs(a))
        if bits > MAX_INT_BITS:
            raise _int_error(f'{_num(a)} ** {_num(b)}', bits)


def _check_lshift(a, b):
    if isinstance(a, int) and isinstance(b, int) and a and b > 0:
        bits = a.bit_length() + b
        if bits > MAX_INT_BITS:
            raise _int_error(f'{_num(a)} << {_num(b)}', bits)


def _check_int_operands(op, a, b):
    if isinstance(a, int) and isinstance(b, int):
        bits = max(a.bit_length(), b.bit_length())
        if bits > MAX_INT_BITS:
            raise BudgetExceeded(f'{op} on an integer of {bits:,} bits; the limit is {MAX_INT_BITS:,} bits',
                                 budget='size', limit=MAX_INT_BITS)


def _scan_digits(text, i, n):
    start = i
    while i < n and text[i].isdigit():
        i += 1
    return text[start:i], i


def _check_percent(fmt, args):
    """Estimate the length of ``fmt % args`` from widths, precisions and text arguments.

    A linear scan (in Python, so the time budget can interrupt it), not a regular expression:
    a pattern for ``%(key)`` goes quadratic on a long format full of unclosed ``%(``.
    """
    text = fmt if isinstance(fmt, str) else fmt.decode('latin-1')
    positional = args if type(args) is tuple else (args,)
    mapping = args if (hasattr(args, 'keys') and not isinstance(args, (tuple, str, bytes))) else None
    n, total, index = len(text), len(text), 0
    i = text.find('%')
    while i != -1 and i + 1 < n:
        i += 1
        key = None
        if text[i] == '(':
            j, depth = i + 1, 1
            while depth:
                close = text.find(')', j)
                if close == -1:
                    return  # incomplete key: Python refuses the format here
                depth += text.count('(', j, close) - 1
                j = close + 1
            key, i = text[i + 1:j - 1], j
        while i < n and text[i] in '-#0 +':
            i += 1
        parts = []
        for lead in ('', '.'):
            if lead:
                if i >= n or text[i] != '.':
                    break
                i += 1
            if i < n and text[i] == '*':
                parts.append(positional[index] if index < len(positional) else 0)
                index, i = index + 1, i + 1
            else:
                digits, i = _scan_digits(text, i, n)
                if digits:
                    parts.append(int(digits) if len(digits) <= 18 else 10 ** 18)
        while i < n and text[i] in 'hlL':
            i += 1
        if i >= n:
            break
        conversion, i = text[i], i + 1
        if conversion != '%':
            for value in parts:
                if isinstance(value, int) and value > MAX_ITEMS:
                    raise _size_error(f'%-format with width {_num(value)}', value, 'characters')
                if isinstance(value, int):
                    total += max(value, 0)
            if key is not None and mapping is not None:
                try:
                    arg = mapping[key if isinstance(fmt, str) else key.encode('latin-1')]
                except Exception:  # noqa: BLE001 -- the real formatting reports it
                    arg = None
            else:
                arg = positional[index] if index < len(positional) else None
                index += 1
            if isinstance(arg, _STRLIKE):
                total += len(arg)
        i = text.find('%', i)
    if total > MAX_ITEMS:
        raise _size_error('%-format', total, 'characters')


def _check_mod(a, b):
    if isinstance(a, (str, bytes)):
        _check_percent(a, b)
    else:
        _check_int_operands('%', a, b)


def _check_floordiv(a, b):
    _check_int_operands('//', a, b)


def _g_add(a, b):
    ta = type(a)
    if ta is int or ta is float:
        return a + b
    _check_add(a, b)
    return a + b


def _g_mul(a, b):
    if type(a) is float or type(b) is float:
        return a * b
    _check_mul(a, b)
    return a * b


def _g_pow(a, b):
    _check_pow(a, b)
    return a ** b


def _g_lshift(a, b):
    _check_lshift(a, b)
    return a << b


def _g_mod(a, b):
    _check_mod(a, b)
    return a % b


def _g_floordiv(a, b):
    _check_floordiv(a, b)
    return a // b


_INPLACE = {
    '+=': (_check_add, operator.iadd), '-=': (None, operator.isub), '*=': (_check_mul, operator.imul),
    '/=': (None, operator.itruediv), '//=': (_check_floordiv, operator.ifloordiv),
    '%=': (_check_mod, operator.imod), '**=': (_check_pow, operator.ipow),
    '<<=': (_check_lshift, operator.ilshift), '>>=': (None, operator.irshift),
    '&=': (None, operator.iand), '|=': (None, operator.ior), '^=': (None, operator.ixor),
}


def _inplacevar(op, x, y):
    if op not in _INPLACE:
        raise ValueError(f'operator {op} is not allowed in model code')
    check, apply = _INPLACE[op]
    if op == '+=' and isinstance(x, list):
        y = _sized(y)  # list += iterator would extend in C, possibly from itself
    if check is not None:
        check(x, y)
    return apply(x, y)


# f-strings: f"{v!r:>{w}}" is compiled into _fstr_((_fmtval_(v, 114, _fstr_((...)))))

_DIGITS = re.compile(r'\d+')


def _check_format_spec(spec):
    for digits in _DIGITS.findall(spec):
        if len(digits) > 7 or int(digits) > MAX_ITEMS:
            raise _size_error(f'format spec {spec[:40]!r}', int(digits) if len(digits) <= 18 else 10 ** 18,
                              'characters')


def _fmtval(value, conversion, spec):
    if conversion == 115:
        value = str(value)
    elif conversion == 114:
        value = repr(value)
    elif conversion == 97:
        value = ascii(value)
    if spec:
        _check_format_spec(spec)
        return format(value, spec)
    return format(value)


def _fstr(parts):
    n = sum(map(len, parts))
    if n > MAX_ITEMS:
        raise _size_error('f-string', n, 'characters')
    return ''.join(parts)


# Methods that can make a result much larger than their object and arguments. Each guard takes
# (name, method, obj, *args); with method None it only checks (used when folding constants).

def _g_width(name, method, obj, *args, **kwargs):
    width = args[0] if args else kwargs.get('width')
    if isinstance(width, int) and width > MAX_ITEMS:
        raise _size_error(f'{type(obj).__name__}.{name}({_num(width)})', width, _unit(obj))
    return None if method is None else method(*args, **kwargs)


def _g_expandtabs(name, method, obj, *args, **kwargs):
    size = args[0] if args else kwargs.get('tabsize', 8)
    if isinstance(size, int) and size > 0:
        n = len(obj) + obj.count('\t' if isinstance(obj, str) else b'\t') * size
        if n > MAX_ITEMS:
            raise _size_error(f'{type(obj).__name__}.expandtabs({_num(size)})', n, _unit(obj))
    return None if method is None else method(*args, **kwargs)


def _g_join(name, method, obj, iterable):
    items = iterable if type(iterable) in (list, tuple) else list(iterable)
    try:
        n = sum(map(len, items)) + len(obj) * max(len(items) - 1, 0)
    except TypeError:
        n = 0  # join() reports the wrong item type itself
    if n > MAX_ITEMS:
        raise _size_error(f'{type(obj).__name__}.join()', n, _unit(obj))
    return None if method is None else method(items)


def _g_replace(name, method, obj, *args, **kwargs):
    try:
        old, new = args[0], args[1]
        count = args[2] if len(args) > 2 else kwargs.get('count', -1)
        n = obj.count(old) if len(old) else len(obj) + 1
        if isinstance(count, int) and count >= 0:
            n = min(n, count)
        size = len(obj) + n * (len(new) - len(old))
    except (TypeError, IndexError, AttributeError):
        size = 0  # replace() reports bad arguments itself
    if size > MAX_ITEMS:
        raise _size_error(f'{type(obj).__name__}.replace()', size, _unit(obj))
    return None if method is None else method(*args, **kwargs)


def _g_translate(name, method, obj, *args, **kwargs):
    table = args[0] if args else kwargs.get('table')
    values = table.values() if isinstance(table, dict) else table if isinstance(table, (list, tuple)) else ()
    longest = max((len(v) for v in values if isinstance(v, str)), default=1)
    if len(obj) * longest > MAX_ITEMS:
        raise _size_error('str.translate()', len(obj) * longest, 'characters')
    return None if method is None else method(*args, **kwargs)


def _sized(iterable):
    """A sized copy of an iterator, so that C code cannot feed a list from itself without end."""
    if isinstance(iterable, (list, tuple, str, bytes, dict, set, frozenset)):
        return iterable
    return list(iterable)


def _g_extend(name, method, obj, *args, **kwargs):
    if len(args) != 1 or kwargs:
        return None if method is None else method(*args, **kwargs)
    other = _sized(args[0])
    if len(obj) + len(other) > MAX_ITEMS:
        raise _size_error('list.extend()', len(obj) + len(other), 'elements')
    return None if method is None else method(other)


def _g_append(name, method, obj, *args, **kwargs):
    if len(obj) >= MAX_ITEMS:
        raise _size_error(f'list.{name}()', len(obj) + 1, 'elements')
    return None if method is None else method(*args, **kwargs)


def _g_to_bytes(name, method, obj, *args, **kwargs):
    length = args[0] if args else kwargs.get('length', 1)
    if isinstance(length, int) and length > MAX_ITEMS:
        raise _size_error(f'int.to_bytes({_num(length)})', length, 'bytes')
    return None if method is None else method(*args, **kwargs)


def _g_from_bytes(name, method, obj, *args, **kwargs):
    data = args[0] if args else kwargs.get('bytes')
    if hasattr(data, '__len__') and len(data) * 8 > MAX_INT_BITS:
        raise _int_error('int.from_bytes()', len(data) * 8)
    return None if method is None else method(*args, **kwargs)


def _g_strftime(name, method, obj, *args, **kwargs):
    fmt = args[0] if args else kwargs.get('format')
    if isinstance(fmt, str) and len(fmt) + fmt.count('%') * 64 > MAX_ITEMS:
        raise _size_error('strftime()', len(fmt) + fmt.count('%') * 64, 'characters')
    return None if method is None else method(*args, **kwargs)


_METHOD_GUARDS = {
    'center': (_STRLIKE, _g_width), 'ljust': (_STRLIKE, _g_width), 'rjust': (_STRLIKE, _g_width),
    'zfill': (_STRLIKE, _g_width), 'expandtabs': (_STRLIKE, _g_expandtabs), 'join': (_STRLIKE, _g_join),
    'replace': (_STRLIKE, _g_replace), 'translate': ((str,), _g_translate), 'extend': ((list,), _g_extend),
    'append': ((list,), _g_append), 'insert': ((list,), _g_append),
    'to_bytes': ((int,), _g_to_bytes), 'from_bytes': ((int,), _g_from_bytes),
    'strftime': ((date, dt_time), _g_strftime),
}


def _bound_guard(guard, name, method, obj):
    # A closure, not functools.partial: model code could read a partial's .func and .args.
    def guarded(*args, **kwargs):
        return guard(name, method, obj, *args, **kwargs)
    return guarded


def _unbound_guard(name, cls):
    def guarded(self, *args, **kwargs):
        if not isinstance(self, cls):
            raise TypeError(f"descriptor '{name}' for '{cls.__name__}' objects doesn't apply to a "
                            f"'{type(self).__name__}' object")
        return _guarded_getattr(self, name)(*args, **kwargs)
    return guarded


def _guarded_getattr(obj, name, default=None):
    value = safer_getattr(obj, name, default)
    entry = _METHOD_GUARDS.get(name)
    if entry is None:
        return value
    types, guard = entry
    if isinstance(obj, types):
        return _bound_guard(guard, name, value, obj)
    if isinstance(obj, type) and issubclass(obj, types):
        if name == 'from_bytes':  # a classmethod: bound to the class already
            return _bound_guard(guard, name, value, obj)
        return _unbound_guard(name, obj)
    return value


def _exception_class(cls):
    if isinstance(cls, type) and issubclass(cls, BaseException):
        if issubclass(cls, Exception):
            return cls
        return Exception if cls is BaseException else _NeverRaised
    return _NeverRaised  # never let the except clause itself raise while an exception propagates


def _exc_type(value):
    """What a model's ``except`` clause may catch: only ordinary exceptions, never the time budget's."""
    if not isinstance(value, tuple):
        return _exception_class(value)
    flat, stack = [], [value]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            if len(flat) + len(stack) + len(item) > 1000:
                return _NeverRaised
            stack.extend(item)
        else:
            flat.append(_exception_class(item))
    return tuple(flat)


# Builtins

def _range_size(args):
    try:
        r = range(*args)
    except (TypeError, ValueError):
        return None
    try:
        return len(r)
    except OverflowError:  # longer than sys.maxsize
        return (r.stop - r.start) // r.step


def _range_error(n):
    return BudgetExceeded(f'range() with {_num(n)} elements; the limit is {MAX_RANGE:,}',
                          budget='iterations', limit=MAX_RANGE)


def _capped_range(*args):
    n = _range_size(args)
    if n is not None and n > MAX_RANGE:
        raise _range_error(n)
    return range(*args)


def _guarded_pow(base, exp, mod=None):
    _check_pow(base, exp, mod)
    return pow(base, exp) if mod is None else pow(base, exp, mod)


def _guarded_divmod(a, b):
    _check_int_operands('divmod()', a, b)
    return divmod(a, b)


def _guarded_round(number, ndigits=None):
    if ndigits is None:
        return round(number)
    if isinstance(number, int) and isinstance(ndigits, int) and ndigits < -(MAX_INT_BITS * 3 // 10):
        raise _int_error(f'round(..., {_num(ndigits)})', -ndigits * 10 // 3)  # it computes 10 ** -ndigits
    return round(number, ndigits)


def _guarded_sum(iterable, /, start=0):
    if isinstance(start, (int, float, complex, str, bytes, bytearray)):
        return sum(iterable, start)  # numbers cannot blow up; strings are refused by sum() itself
    total = start
    for item in iterable:
        total = _g_add(total, item)
    return total


def _builtins():
    allowed = dict(safe_builtins)
    allowed.update({
        'range': _capped_range, 'sum': _guarded_sum, 'min': min, 'max': max, 'any': any, 'all': all,
        'enumerate': enumerate, 'dict': dict, 'list': list, 'set': set, 'frozenset': frozenset,
        'map': map, 'filter': filter, 'reversed': reversed, 'pow': _guarded_pow, 'divmod': _guarded_divmod,
        'round': _guarded_round, '_getattr_': _guarded_getattr,
    })
    return allowed


GUARDS = {
    '__builtins__': _builtins(),
    '_getattr_': _guarded_getattr,
    '_getitem_': default_guarded_getitem,
    '_getiter_': default_guarded_getiter,
    '_iter_unpack_sequence_': guarded_iter_unpack_sequence,
    '_unpack_sequence_': guarded_unpack_sequence,
    '_write_': full_write_guard,
    '_inplacevar_': _inplacevar,
    '_add_': _g_add, '_mul_': _g_mul, '_pow_': _g_pow, '_lshift_': _g_lshift, '_mod_': _g_mod,
    '_floordiv_': _g_floordiv, '_exc_type_': _exc_type, '_fmtval_': _fmtval, '_fstr_': _fstr,
}

# Plain values and pure helpers that model code may use.
HELPERS = {'date': date, 'datetime': datetime, 'timedelta': timedelta}


# ---------------------------------------------------------------------------------------------
# Compile time
# ---------------------------------------------------------------------------------------------

_BINOP_GUARDS = {ast.Add: '_add_', ast.Mult: '_mul_', ast.Pow: '_pow_', ast.LShift: '_lshift_',
                 ast.Mod: '_mod_', ast.FloorDiv: '_floordiv_'}
_FOLD_BINOPS = {ast.Add: _g_add, ast.Mult: _g_mul, ast.Pow: _g_pow, ast.LShift: _g_lshift, ast.Mod: _g_mod,
                ast.FloorDiv: _g_floordiv, ast.Sub: operator.sub, ast.Div: operator.truediv,
                ast.RShift: operator.rshift, ast.BitOr: operator.or_, ast.BitAnd: operator.and_,
                ast.BitXor: operator.xor}
_FOLD_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert,
               ast.Not: operator.not_}
_NOT_CONSTANT = object()
_FOLD_SPEND = 4 * MAX_ITEMS  # items of folded constants one compilation may build


class _Raised:
    __slots__ = ('exc',)

    def __init__(self, exc):
        self.exc = exc


class _Folder:
    """Evaluate constant sub-expressions with the run-time guards (BudgetExceeded if too large)."""

    def __init__(self):
        self.memo = {}
        self.spent = 0

    def value(self, node):
        key = id(node)
        if key not in self.memo:
            try:
                result = self._compute(node)
            except BudgetExceeded as exc:
                result = _Raised(exc)
            self.memo[key] = (node, result)  # keeps the node alive: its id cannot be reused
        result = self.memo[key][1]
        if isinstance(result, _Raised):
            raise result.exc
        return result

    def _compute(self, node):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.UnaryOp) and type(node.op) in _FOLD_UNARY:
            operand = self.value(node.operand)
            return self._apply(_FOLD_UNARY[type(node.op)], operand)
        if isinstance(node, (ast.Tuple, ast.List)):
            items = [self.value(e) for e in node.elts]
            if any(i is _NOT_CONSTANT for i in items):
                return _NOT_CONSTANT
            return self._keep(tuple(items) if isinstance(node, ast.Tuple) else items)
        if isinstance(node, ast.BinOp) and type(node.op) in _FOLD_BINOPS:
            left, right = self.value(node.left), self.value(node.right)
            return self._apply(_FOLD_BINOPS[type(node.op)], left, right)
        if isinstance(node, ast.JoinedStr):
            parts = [self.value(v) for v in node.values]
            return self._apply(lambda *p: _fstr(p), *parts)
        if isinstance(node, ast.FormattedValue):
            spec = None if node.format_spec is None else self.value(node.format_spec)
            return self._apply(_fmtval, self.value(node.value), node.conversion, spec)
        if isinstance(node, ast.Call):
            self._check_call(node)
        return _NOT_CONSTANT

    def _apply(self, fn, *args):
        if any(a is _NOT_CONSTANT for a in args) or self.spent > _FOLD_SPEND:
            return _NOT_CONSTANT
        try:
            return self._keep(fn(*args))
        except BudgetExceeded:
            raise
        except Exception:  # noqa: BLE001 -- e.g. 1 / 0: an error at run time, not a refusal
            return _NOT_CONSTANT

    def _keep(self, value):
        if isinstance(value, (*_SEQUENCES, dict, set, frozenset)):
            self.spent += len(value)
        return value

    def _check_call(self, node):
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            return
        args = [self.value(a) for a in node.args]
        if any(a is _NOT_CONSTANT for a in args):
            return
        func = node.func
        try:
            if isinstance(func, ast.Attribute) and func.attr in _METHOD_GUARDS:
                obj = self.value(func.value)
                types, guard = _METHOD_GUARDS[func.attr]
                if obj is not _NOT_CONSTANT and isinstance(obj, types):
                    guard(func.attr, None, obj, *args)
            elif isinstance(func, ast.Name) and func.id == 'range':
                n = _range_size(args)
                if n is not None and n > MAX_RANGE:
                    raise _range_error(n)
            elif isinstance(func, ast.Name) and func.id == 'pow' and len(args) in (2, 3):
                _check_pow(*args)
        except BudgetExceeded:
            raise
        except Exception:  # noqa: BLE001 -- wrong argument types fail at run time
            return


def _snippet(node):
    try:
        text = ast.unparse(node)
    except Exception:  # noqa: BLE001
        return type(node).__name__
    return text if len(text) <= 60 else text[:57] + '...'


def _is_class_names(node):
    if isinstance(node, ast.Name):
        return True
    return isinstance(node, ast.Tuple) and bool(node.elts) and all(isinstance(e, ast.Name) for e in node.elts)


def _call(name, args, at):
    func = ast.copy_location(ast.Name(name, ast.Load()), at)
    return ast.copy_location(ast.Call(func=func, args=args, keywords=[]), at)


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy plus: no imports, no while loops, nothing that could swallow or
    outlive the time budget, guarded operators and f-strings, constant folding with the guards."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._folder = _Folder()
        self._reported = set()

    def _refuse_if_too_large(self, node):
        try:
            self._folder.value(node)
        except BudgetExceeded as exc:
            if id(exc) not in self._reported:
                self._reported.add(id(exc))
                self.error(node, f'{_snippet(node)}: {exc}')

    def visit_While(self, node):
        self.error(node, 'while loops are not allowed in model code.')
        return node

    def visit_Import(self, node):
        self.error(node, 'import is not allowed in model code.')
        return node

    visit_ImportFrom = visit_Import

    def visit_With(self, node):
        self.error(node, 'with statements are not allowed in model code.')
        return node

    def visit_Try(self, node):
        if node.finalbody:
            self.error(node, 'try/finally is not allowed in model code.')
        return self.node_contents_visit(node)

    def visit_ExceptHandler(self, node):
        if node.type is None:
            self.error(node, 'a bare "except:" is not allowed in model code; name the exception, '
                             'e.g. "except ValueError:".')
            return node
        if not _is_class_names(node.type):
            self.error(node, 'an except clause in model code may only name exception classes, '
                             'e.g. "except (KeyError, ValueError):".')
            return node
        node = super().visit_ExceptHandler(node)
        node.type = _call('_exc_type_', [node.type], node.type)
        return node

    def visit_BinOp(self, node):
        self._refuse_if_too_large(node)
        node = self.node_contents_visit(node)
        guard = _BINOP_GUARDS.get(type(node.op))
        return node if guard is None else _call(guard, [node.left, node.right], node)

    def visit_UnaryOp(self, node):
        self._refuse_if_too_large(node)
        return super().visit_UnaryOp(node)

    def visit_Call(self, node):
        self._refuse_if_too_large(node)
        return super().visit_Call(node)

    def visit_JoinedStr(self, node):
        self._refuse_if_too_large(node)
        node = self.node_contents_visit(node)
        parts = ast.copy_location(ast.Tuple(elts=list(node.values), ctx=ast.Load()), node)
        return _call('_fstr_', [parts], node)

    def visit_FormattedValue(self, node):
        node = self.node_contents_visit(node)
        spec = node.format_spec
        if spec is None:
            spec = ast.copy_location(ast.Constant(None), node)
        conversion = ast.copy_location(ast.Constant(node.conversion), node)
        return _call('_fmtval_', [node.value, conversion, spec], node)


def _syntax_error(source, exc):
    return UnsafeCode(source, [syntax_error_template.format(
        lineno=exc.lineno, type=exc.__class__.__name__, msg=exc.msg,
        statement=exc.text.strip() if exc.text else None)])


def _parse(source, mode, filename, syntax_errors=False):
    """Parse model code within the size limits; SyntaxError stays SyntaxError if `syntax_errors`."""
    if not isinstance(source, str):
        raise UnsafeCode(repr(source)[:100], [f'model code must be text, not {type(source).__name__}'])
    if len(source) > MAX_SOURCE_CHARS:
        raise UnsafeCode(source, [f'model code is {len(source):,} characters long; '
                                  f'the limit is {MAX_SOURCE_CHARS:,} characters'])
    try:
        tree = ast.parse(source, filename, mode)
    except SyntaxError as exc:
        if syntax_errors:
            raise
        raise _syntax_error(source, exc) from None
    except (RecursionError, MemoryError):
        raise UnsafeCode(source, ['model code is nested too deeply for the parser; '
                                  f'the limit is {MAX_AST_DEPTH} levels']) from None
    except ValueError as exc:
        raise UnsafeCode(source, [f'model code cannot be parsed: {exc}']) from None
    count, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_AST_NODES:
            raise UnsafeCode(source, [f'model code has more than {MAX_AST_NODES:,} syntax elements; '
                                      f'the limit is {MAX_AST_NODES:,}'])
        if depth > MAX_AST_DEPTH:
            raise UnsafeCode(source, [f'model code is nested more than {MAX_AST_DEPTH} levels deep '
                                      f'(e.g. a long chain of operators or nested brackets); '
                                      f'the limit is {MAX_AST_DEPTH} levels'])
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return tree


def _compile(source, mode):
    filename = _EXPRESSION_FILE if mode == 'eval' else _SCRIPT_FILE
    tree = _parse(source, mode, filename)
    compiler = compile_restricted_eval if mode == 'eval' else compile_restricted_exec
    try:
        result = compiler(tree, filename, policy=_Policy)
    except (RecursionError, MemoryError):
        raise UnsafeCode(source, ['model code is too complex to compile']) from None
    if result.errors:
        raise UnsafeCode(source, result.errors)
    return result.code


@lru_cache(maxsize=4096)
def compile_expression(source: str):
    """Compile one expression under the restricted policy; raise UnsafeCode if refused."""
    return _compile(source, 'eval')


@lru_cache(maxsize=1024)
def compile_script(source: str):
    """Compile a script under the restricted policy; raise UnsafeCode if refused."""
    return _compile(source, 'exec')


def constant_value(source: str):
    """(True, value) if the expression `source` is a constant (literals combined with operators),
    else (False, None). Raises UnsafeCode like compile_expression."""
    tree = _parse(source, 'eval', _EXPRESSION_FILE)
    try:
        value = _Folder().value(tree.body)
    except BudgetExceeded as exc:
        raise UnsafeCode(source, [str(exc)]) from None
    return (False, None) if value is _NOT_CONSTANT else (True, value)


# ---------------------------------------------------------------------------------------------
# Run time: the time and memory budget
# ---------------------------------------------------------------------------------------------

class _Local(threading.local):
    depth = 0


class _Evaluation:
    __slots__ = ('tid', 'clock', 'wall_start', 'cpu_base', 'cpu_limit', 'fired_at', 'registered', 'mem_held')

    def __init__(self):
        self.tid = None
        self.clock = None
        self.wall_start = 0.0
        self.cpu_base = None
        self.cpu_limit = 0.0
        self.fired_at = None
        self.registered = False
        self.mem_held = False


_MB = 1 << 20
_PROTO = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.py_object)
_PROTO_CLEAR = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)
_set_async_exc = _PROTO(('PyThreadState_SetAsyncExc', ctypes.pythonapi))
_clear_async_exc = _PROTO_CLEAR(('PyThreadState_SetAsyncExc', ctypes.pythonapi))
_PAGE = resource.getpagesize() if resource is not None else 4096
_RLIM_INFINITY = resource.RLIM_INFINITY if resource is not None else -1


def _open_statm():
    try:
        return os.open('/proc/self/statm', os.O_RDONLY | getattr(os, 'O_CLOEXEC', 0))
    except OSError:
        return -1


_lock = threading.Lock()
_active: dict[int, _Evaluation] = {}
_local = _Local()
_watchdog = None
_wake = threading.Event()
_idle = True
_idle_since = None
_statm_fd = _open_statm()
_mem_users = 0
_mem_saved = None
_mem_ceiling = None


def _address_space():
    """The process's current virtual memory size in bytes, or None if unknown."""
    if _statm_fd < 0 or resource is None:
        return None
    try:
        return int(os.pread(_statm_fd, 64, 0).split(None, 1)[0]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def _thread_clock(tid):
    try:
        return time.pthread_getcpuclockid(tid)
    except (AttributeError, OSError, OverflowError):
        return None


def _cap(want, soft, hard):
    for limit in (soft, hard):
        if limit != _RLIM_INFINITY and limit >= 0:
            want = min(want, limit)
    return want


def _mem_enter(ev, vm, memory_mb):
    """Under _lock: make sure the address-space ceiling is at least vm + budget."""
    global _mem_users, _mem_saved, _mem_ceiling
    if vm is None or not memory_mb:
        return
    want = vm + memory_mb * _MB
    try:
        if _mem_users == 0:
            soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            ceiling = _cap(want, soft, hard)
            resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
            _mem_saved, _mem_ceiling = (soft, hard), ceiling
        elif want > _mem_ceiling:
            ceiling = _cap(want, *_mem_saved)
            if ceiling > _mem_ceiling:
                resource.setrlimit(resource.RLIMIT_AS, (ceiling, _mem_saved[1]))
                _mem_ceiling = ceiling
    except (OSError, ValueError):
        return  # cannot limit here: the size guards still apply
    _mem_users += 1
    ev.mem_held = True


def _mem_exit(ev):
    """Under _lock: the last evaluation to end restores the limit it found."""
    global _mem_users, _mem_saved, _mem_ceiling
    ev.mem_held = False
    _mem_users -= 1
    if _mem_users == 0:
        try:
            resource.setrlimit(resource.RLIMIT_AS, _mem_saved)
        except (OSError, ValueError):
            pass
        _mem_saved = _mem_ceiling = None


def _register(ev):
    global _idle
    cpu_seconds, memory_mb = _budget
    tid = threading.get_ident()
    ev.tid, ev.cpu_limit, ev.wall_start = tid, cpu_seconds, time.monotonic()
    vm = _address_space() if memory_mb else None
    with _lock:
        if _watchdog is None:
            _start_watchdog()  # before the address-space limit: a thread needs a stack
        _mem_enter(ev, vm, memory_mb)
        _active[tid] = ev
        ev.registered = True
        if _idle:
            _idle = False
            _wake.set()
    _local.depth = 1


def _leave(ev):
    """Unregister (idempotent); clear a pending async exception. True if the watchdog fired."""
    with _lock:
        if ev.mem_held:
            _mem_exit(ev)
        if ev.registered:
            ev.registered = False
            if _active.get(ev.tid) is ev:
                del _active[ev.tid]
        if ev.fired_at is not None:
            _clear_async_exc(ev.tid, None)
    _local.depth = 0
    return ev.fired_at is not None


def _time_error():
    cpu_seconds = _budget[0]
    return BudgetExceeded(f'model code used more than {cpu_seconds:g} s of CPU time; '
                          f'the limit is {cpu_seconds:g} s', budget='time', limit=cpu_seconds)


def _memory_error():
    memory_mb = _budget[1]
    return BudgetExceeded(f'model code needed more than {memory_mb:,} MB of memory; '
                          f'the limit is {memory_mb:,} MB', budget='memory', limit=memory_mb)


def _bounded(fn, *args):
    """Run fn(*args) (which runs model code) under the budget; see the module docstring."""
    if _local.depth:  # nested: runs inside the outermost evaluation's budget
        try:
            return fn(*args)
        except Exception:
            raise
        except _Timeout:
            raise
        except BaseException as exc:
            raise _foreign(exc) from exc
    ev = _Evaluation()
    outcome = foreign = result = None
    try:
        try:
            _register(ev)
            result = fn(*args)
        except _Timeout:
            raise
        except MemoryError:
            outcome = 'memory'
        except Exception:
            raise
        except BaseException as exc:
            outcome, foreign = 'foreign', exc
        finally:
            if _leave(ev):
                raise _Timeout
    except _Timeout:
        _leave(ev)
        raise _time_error() from None
    # _leave has run: no async exception can be pending or fired from here on
    if outcome is None:
        return result
    if outcome == 'memory':
        raise _memory_error() from None
    raise _foreign(foreign) from foreign


def _in_model_code(tid):
    """Is the thread executing model code (or something model code called), not our wrapper?"""
    frame = sys._current_frames().get(tid)
    while frame is not None:
        code = frame.f_code
        if code.co_filename in _MODEL_FILES:
            return True
        if code is _BOUNDED_CODE:
            return False
        frame = frame.f_back
    return False


_BOUNDED_CODE = _bounded.__code__


def _cpu_used(ev, now):
    if ev.cpu_base is None and ev.clock is None:  # first sight
        ev.clock = _thread_clock(ev.tid)
    if ev.clock is not None:
        try:
            cpu = time.clock_gettime(ev.clock)
        except OSError:
            ev.clock, ev.cpu_base = None, 0.0
        else:
            if ev.cpu_base is None:  # first sight: assume it has been on the CPU since it started
                ev.cpu_base = cpu - (now - ev.wall_start)
            return cpu - ev.cpu_base
    return now - ev.wall_start


def _watch_once():
    """One watchdog round; True when there has been nothing to watch for a while."""
    global _idle, _idle_since
    now = time.monotonic()
    with _lock:
        if not _active:
            if _idle_since is None:
                _idle_since = now
            elif now - _idle_since >= WATCHDOG_IDLE_AFTER:
                _idle, _idle_since = True, None
                _wake.clear()
                return True
            return False
        _idle_since = None
        for ev in tuple(_active.values()):
            if ev.fired_at is None:
                if _cpu_used(ev, now) < ev.cpu_limit:
                    continue
            elif now - ev.fired_at < REFIRE_AFTER or not _in_model_code(ev.tid):
                continue
            _set_async_exc(ev.tid, _Timeout)
            ev.fired_at = now
    return False


def _watch():
    while True:
        try:
            if _watch_once():
                _wake.wait()
            else:
                time.sleep(WATCHDOG_POLL)
        except BaseException:  # noqa: BLE001 -- e.g. MemoryError while model code holds the memory
            try:
                time.sleep(WATCHDOG_POLL)
            except BaseException:  # noqa: BLE001
                pass


def _start_watchdog():
    global _watchdog
    thread = threading.Thread(target=_watch, name='model-code-watchdog', daemon=True)
    thread.start()  # if this fails, the next evaluation tries again
    _watchdog = thread


def _after_fork_in_child():
    global _lock, _active, _local, _watchdog, _wake, _idle, _idle_since, _statm_fd
    global _mem_users, _mem_saved, _mem_ceiling
    if _mem_saved is not None:
        try:
            resource.setrlimit(resource.RLIMIT_AS, _mem_saved)
        except (OSError, ValueError):
            pass
    if _statm_fd >= 0:
        try:
            os.close(_statm_fd)
        except OSError:
            pass
    _lock, _active, _local, _watchdog = threading.Lock(), {}, _Local(), None
    _wake, _idle, _idle_since = threading.Event(), True, None
    _statm_fd = _open_statm()
    _mem_users, _mem_saved, _mem_ceiling = 0, None, None


if hasattr(os, 'register_at_fork'):
    os.register_at_fork(after_in_child=_after_fork_in_child)


# ---------------------------------------------------------------------------------------------
# Environment and engine
# ---------------------------------------------------------------------------------------------

class RestrictedEnvironment(TaskDataEnvironment):
    """Task-data environment that evaluates only restricted-compiled code, under the budget."""

    def __init__(self):
        super().__init__({**GUARDS, **HELPERS})

    def evaluate(self, expression, context, external_context=None):
        return _bounded(self._evaluate, expression, context, external_context)

    def _evaluate(self, expression, context, external_context):
        code = compile_expression(expression)
        scope = dict(self.globals)
        if external_context:
            scope.update(external_context)
        scope.update(context)
        return eval(code, scope)  # noqa: S307 -- restricted bytecode, guarded globals

    def execute(self, script, context, external_context=None):
        self.check_for_overwrite(context, external_context or {})
        try:
            return _bounded(self._execute, script, context, external_context)
        finally:  # outside the budget, so the clean-up cannot be interrupted
            self._remove_globals_and_functions_from_context(context, external_context)

    def _execute(self, script, context, external_context):
        code = compile_script(script)
        context.update(self.globals)
        context.update(external_context or {})
        exec(code, context)  # noqa: S102 -- restricted bytecode, guarded globals
        return True


# Timers: reuse SpiffWorkflow's own parsing, after bounding what would make it loop or overflow.

_TIMER_SPAN = timedelta(days=MAX_TIMER_DAYS)
_DAYS_PER = (('years', 366), ('months', 31), ('weeks', 7), ('days', 1), ('hours', 1 / 24),
             ('minutes', 1 / 1440), ('seconds', 1 / 86400))


def _timer_too_long(what):
    return BudgetExceeded(f'{what}; the limit is {MAX_TIMER_DAYS:,} days (about 10 years)',
                          budget='timer', limit=MAX_TIMER_DAYS)


def _timer_duration(text):
    try:
        parsed = TimerEventDefinition.parse_iso_duration(text)
    except Exception:  # noqa: BLE001 -- SpiffWorkflow raises a bare Exception
        raise InvalidTimer(f'{text!r} is not an ISO 8601 duration such as "P3D" or "PT4H30M"') from None
    try:
        days = sum(parsed.get(key, 0) * factor for key, factor in _DAYS_PER)
    except OverflowError:
        days = math.inf
    if days > MAX_TIMER_DAYS:
        raise _timer_too_long(f'timer duration {text!r} is about {_num(days)} days')
    try:
        return TimerEventDefinition.get_timedelta_from_start(dict(parsed))
    except (OverflowError, ValueError, TypeError) as exc:
        raise InvalidTimer(f'{text!r} is not a usable duration: {exc}') from None


def _timer_date(text, now, past_limit=False):
    try:
        value = TimerEventDefinition.parse_time_or_duration(text)
    except Exception:  # noqa: BLE001
        raise InvalidTimer(f'{text!r} is not an ISO 8601 date and time '
                           f'such as "2026-01-31T09:00:00+08:00"') from None
    if not isinstance(value, datetime):
        raise InvalidTimer(f'{text!r} is a duration; this timer needs a date and time')
    if value - now > _TIMER_SPAN:
        raise _timer_too_long(f'timer date {text!r} is more than {MAX_TIMER_DAYS:,} days ahead')
    if past_limit and now - value > _TIMER_SPAN:
        raise _timer_too_long(f'timer date {text!r} is more than {MAX_TIMER_DAYS:,} days ago')
    return value


def _timer_cycle(text, now):
    bad = InvalidTimer(f'{text!r} is not an ISO 8601 repeating interval such as "R3/PT1H" or '
                       f'"R/2026-01-31T09:00:00/P1D"')
    components = text.upper().replace('--', '/').strip('R').split('/')
    if len(components) not in (2, 3) or not (components[0] == '' or components[0].isdigit()):
        raise bad
    for part in components[1:]:
        if part.startswith('P'):
            _timer_duration(part)
        else:
            _timer_date(part, now, past_limit=True)
    try:
        _cycles, _start, duration = TimerEventDefinition.parse_iso_recurring_interval(text)
    except Exception:  # noqa: BLE001
        raise bad from None
    if duration <= timedelta(0):
        raise InvalidTimer(f'{text!r} repeats with an interval of zero; '
                           f'the interval must be longer than zero')


def check_timer(kind, value, now=None):
    """Check an evaluated timer value as SpiffWorkflow will parse it. `kind` is 'timeDate',
    'timeDuration', 'timeCycle' or None (guess from the value). Raises InvalidTimer or
    BudgetExceeded(budget='timer')."""
    if not isinstance(value, str):
        raise InvalidTimer(f'a timer must evaluate to ISO 8601 text such as "P3D", '
                           f'not {type(value).__name__}')
    if len(value) > MAX_TIMER_TEXT:
        raise InvalidTimer(f'a timer value may be at most {MAX_TIMER_TEXT} characters long')
    now = now or datetime.now(timezone.utc)
    if kind is None:
        upper = value.upper()
        kind = ('timeCycle' if upper.startswith('R') else
                'timeDuration' if upper.startswith('P') else 'timeDate')
    if kind == 'timeDuration':
        _timer_duration(value)
    elif kind == 'timeDate':
        _timer_date(value, now)
    elif kind == 'timeCycle':
        _timer_cycle(value, now)
    else:
        raise ValueError(f'unknown timer kind {kind!r}')


def check_cardinality(value):
    """Check an evaluated multi-instance cardinality: a whole number up to MAX_INSTANCES."""
    if isinstance(value, bool) or not isinstance(value, int):
        text = repr(value)
        raise ModelCodeError(f'a loop cardinality must be a whole number, not {type(value).__name__} '
                             f'{text if len(text) <= 40 else text[:37] + "..."}')
    if value > MAX_INSTANCES:
        raise BudgetExceeded(f'loop cardinality {_num(value)} is more than {MAX_INSTANCES:,} instances; '
                             f'the limit is {MAX_INSTANCES:,}', budget='instances', limit=MAX_INSTANCES)


def _timer_kind(definition):
    if isinstance(definition, CycleTimerEventDefinition):
        return 'timeCycle'
    if isinstance(definition, DurationTimerEventDefinition):
        return 'timeDuration'
    if isinstance(definition, TimeDateEventDefinition):
        return 'timeDate'
    return None


def _check_result(spec, expression, result):
    """Checks that depend on where SpiffWorkflow uses the value (cardinality, timers)."""
    if isinstance(spec, MultiInstanceTask) and expression == spec.cardinality:
        check_cardinality(result)
    event_definition = getattr(spec, 'event_definition', None)
    if event_definition is None:
        return
    for definition in (event_definition, *getattr(event_definition, 'event_definitions', ())):
        if isinstance(definition, TimerEventDefinition) and expression == definition.expression:
            check_timer(_timer_kind(definition), result)


class GuardedScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's script engine on the restricted, bounded environment, which also checks
    multi-instance cardinalities and timer values. A WorkflowTaskException it raises for our
    errors carries the original in ``.exception`` and ``__cause__`` (see `model_code_error`)."""

    def __init__(self, environment=None):
        super().__init__(environment=environment if environment is not None else RestrictedEnvironment())

    def validate(self, expression):
        """Parse like SpiffWorkflow (SyntaxError on bad syntax) but within the size limits."""
        _parse(expression, 'exec', _EXPRESSION_FILE, syntax_errors=True)

    def evaluate(self, task, expression, external_context=None):
        try:
            result = self.environment.evaluate(expression, task.data, external_context)
            _check_result(getattr(task, 'task_spec', None), expression, result)
            return result
        except SpiffWorkflowException as se:
            se.add_note(f"Error evaluating expression '{expression}'")
            raise se
        except Exception as exc:
            wte = WorkflowTaskException(f"Error evaluating expression '{expression}'", task=task,
                                        exception=exc)
            if isinstance(exc, (ModelCodeError, UnsafeCode)):
                wte.add_note(str(exc))
            wte.exception = exc
            raise wte from exc

    def execute(self, task, script, external_context=None):
        try:
            return self.environment.execute(script, task.data, external_context or {})
        except Exception as err:
            try:
                wte = self.create_task_exec_exception(task, script, err)
            except TypeError:  # SpiffWorkflow concatenates err.args[0], e.g. the 5 of KeyError(5)
                line_number, error_line = self.get_error_line_number_and_content(script, err)
                wte = WorkflowTaskException(f'{err.__class__.__name__}:{err}', task=task, exception=err,
                                            line_number=line_number, error_line=error_line)
            if wte is err:
                raise
            wte.exception = err
            raise wte from err


def create_script_engine() -> GuardedScriptEngine:
    """The script engine every workflow in gjj-flow runs with."""
    return GuardedScriptEngine(environment=RestrictedEnvironment())
