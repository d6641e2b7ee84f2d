"""The memory budget: the third layer, an address-space ceiling while model code runs.

While at least one evaluation runs, ``RLIMIT_AS`` is (address-space size when it started + memory
budget); the last one to finish restores the limit it found. A ``MemoryError`` becomes
``BudgetExceeded('memory')`` (in ``budget._bounded``). This is the safety net for what the size
guards do not model: ``repr``/``str`` of a huge shared structure, builtins that grow a list from
itself, many allocations in a loop.

Cost per evaluation, measured: ``pread`` on a ``/proc/self/statm`` descriptor opened once 1.5 us
(``open()+read()`` would be 12 us), ``getrlimit`` 0.5 us, ``setrlimit`` set + restore 1.1 us; about
4 us in all with the bookkeeping, against 2 us for the time budget alone. We pay it: a comparison
or DMN entry costs about 6.5 us instead of 0.15 us for a bare ``eval`` (2.1 us with the time budget
only; see bench/bench_sandbox.py).

``setrlimit`` is process-wide: concurrent evaluations share one ceiling, raised (never lowered) as
each one starts, so each has at least its budget above the size at its start. The price is that
*other* threads allocating while an evaluation runs share the remaining headroom: with a small
budget a thread being started (its stack and glibc arena need up to ~136 MB of address space)
fails ("can't start new thread", or a ``MemoryError`` while it boots, after which
``Thread.start()`` may never return; both seen with a 64 MB budget, neither with 256 MB). With the
default 256 MB this needs model code that is itself using most of its budget; processes that start
threads per request (e.g. Werkzeug's threaded dev server) should create them up front or
``set_budget(cpu, 0)``, which turns the address-space limit off (the size guards and the time
budget remain). Child processes started meanwhile inherit the limit (``os.fork`` children restore
it). Without ``/proc`` or ``resource`` (not Linux) the size guards and the time budget remain.

``_mem_enter`` and ``_mem_exit`` run under ``budget._lock``, as part of registering and leaving an
evaluation.
"""
from __future__ import annotations

import os

try:
    import resource
except ImportError:  # pragma: no cover - not POSIX
    resource = None

_MB = 1 << 20
_PAGE = resource.getpagesize() if resource is not None else 4096
_RLIM_INFINITY = resource.RLIM_INFINITY if resource is not None else -1


def _open_statm():
    try:
        return os.open('/proc/self/statm', os.O_RDONLY | getattr(os, 'O_CLOEXEC', 0))
    except OSError:
        return -1


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


def _after_fork_in_child():
    global _statm_fd, _mem_users, _mem_saved, _mem_ceiling
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
    _statm_fd = _open_statm()
    _mem_users, _mem_saved, _mem_ceiling = 0, None, None


if hasattr(os, 'register_at_fork'):
    os.register_at_fork(after_in_child=_after_fork_in_child)
