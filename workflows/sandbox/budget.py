"""The time budget: every evaluation of model code runs through ``_bounded``, under a CPU-time limit.

``set_budget(cpu_seconds, memory_mb)`` sets the budget of each evaluation (default 2 s and 256 MB);
``_bounded`` enforces the CPU time here and the memory through ``memory``.

One daemon watchdog thread polls the running evaluations every ``WATCHDOG_POLL`` (20 ms) and raises
an internal ``BaseException`` with ``PyThreadState_SetAsyncExc`` in a thread whose evaluation has
used more than its budget of that thread's CPU clock (``time.pthread_getcpuclockid``; wall clock
where missing). This works on any thread (signals only reach the main thread) and measures CPU, so
a thread starved of the GIL is not blamed. Registering is a dict insert under a lock; the CPU clock
is first read by the watchdog, so short evaluations never pay for it (the watchdog assumes the
thread was on the CPU since it started, erring by at most one poll). The exception cannot be caught
by model code (``except`` clauses go through ``_exc_type_``, which turns non-``Exception`` classes
into ones never raised). It is fired once, and re-fired every ``REFIRE_AFTER`` only while the
thread's stack shows it inside model code. On the way out, under the same lock, the evaluation is
unregistered and any pending async exception cleared; if the watchdog had fired,
``BudgetExceeded('time')`` is raised synchronously. Every instruction between registering and that
point is inside one ``try``, so the async exception can never land outside the evaluation. Nested
evaluations (model code calling a function that evaluates again) run within the outermost
evaluation's budget. Measured: a runaway loop stops 25-55 ms after its budget (wall 0.227 s for
0.2 s, 2.05 s for 2 s).

Anything that is not an ordinary ``Exception`` raised by model code (``raise SystemExit``,
``KeyboardInterrupt``, ``GeneratorExit``, ``BaseException``) becomes ``ModelCodeError``.

Not bounded in process: one builtin call on data built within the budget can still overrun it
(sorting a million items takes ~0.1-0.5 s; a set of a million crafted colliding integers much
longer); only a separate process with ``RLIMIT_CPU`` would stop that. Functions that the
application passes in ``external_context`` run under the caller's budget and may be interrupted.
"""
from __future__ import annotations

import ctypes
import math
import os
import sys
import threading
import time

from .errors import BudgetExceeded, ModelCodeError
from .limits import (_MODEL_FILES, DEFAULT_CPU_SECONDS, DEFAULT_MEMORY_MB, REFIRE_AFTER, WATCHDOG_IDLE_AFTER,
                     WATCHDOG_POLL)
from .memory import _address_space, _mem_enter, _mem_exit

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


class _Timeout(BaseException):
    """Raised asynchronously in a thread whose evaluation ran out of CPU time; never leaves `_bounded`."""


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


_PROTO = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.py_object)
_PROTO_CLEAR = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)
_set_async_exc = _PROTO(('PyThreadState_SetAsyncExc', ctypes.pythonapi))
_clear_async_exc = _PROTO_CLEAR(('PyThreadState_SetAsyncExc', ctypes.pythonapi))

_lock = threading.Lock()
_active: dict[int, _Evaluation] = {}
_local = _Local()
_watchdog = None
_wake = threading.Event()
_idle = True
_idle_since = None


def _thread_clock(tid):
    try:
        return time.pthread_getcpuclockid(tid)
    except (AttributeError, OSError, OverflowError):
        return None


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


def _foreign(exc):
    text = repr(exc)
    text = text if len(text) <= 100 else text[:97] + '...'
    return ModelCodeError(f'model code raised {text}, which is not allowed (only ordinary exceptions)')


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
    global _lock, _active, _local, _watchdog, _wake, _idle, _idle_since
    _lock, _active, _local, _watchdog = threading.Lock(), {}, _Local(), None
    _wake, _idle, _idle_since = threading.Event(), True, None


if hasattr(os, 'register_at_fork'):
    os.register_at_fork(after_in_child=_after_fork_in_child)
