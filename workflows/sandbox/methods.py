"""Size guards for the methods that can make a result much larger than their object and arguments.

``center ljust rjust zfill expandtabs join replace translate extend append insert to_bytes
from_bytes strftime``: model code reaches every attribute through ``_guarded_getattr``, which hands
out these methods wrapped in a check of the result's size against ``MAX_ITEMS`` (or
``MAX_INT_BITS``), like the operator guards in ``guards``. Guarded methods are returned as closures:
a ``functools.partial`` would expose the raw method as ``.args``. Unbound uses such as
``str.center("x", n)`` are guarded too.

Each guard takes (name, method, obj, *args); with method None it only checks, which is how
``policy`` refuses constant calls such as ``"x".center(10**9)`` at deploy time.
"""
from __future__ import annotations

from datetime import date
from datetime import time as dt_time

from RestrictedPython.Guards import safer_getattr

from .errors import _int_error, _num, _size_error
from .guards import _STRLIKE, _sized, _unit
from .limits import MAX_INT_BITS, MAX_ITEMS


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
