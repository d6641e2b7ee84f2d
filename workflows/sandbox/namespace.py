"""What model code runs with: its builtins, RestrictedPython's guard hooks, and our helpers.

``GUARDS`` holds ``__builtins__`` (RestrictedPython's small whitelist plus a few harmless ones, with
``range pow sum divmod round`` replaced by size-checked versions: ``range`` is an iteration budget
of ``MAX_RANGE`` elements) and every ``_name_`` the restricted compiler turns attribute, item,
iteration, operator, f-string and ``except`` use into. ``HELPERS`` are plain values that model code
may use. ``engine.RestrictedEnvironment`` starts every evaluation with both.

A model's ``except`` clause goes through ``_exc_type_``, which lets it catch only ordinary
exceptions: other classes become one that is never raised, so model code can neither catch the
time budget's interruption nor ``SystemExit`` and friends.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from RestrictedPython import safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import full_write_guard, guarded_iter_unpack_sequence, guarded_unpack_sequence

from .errors import BudgetExceeded, _int_error, _num
from .guards import (_check_int_operands, _check_pow, _fmtval, _fstr, _g_add, _g_floordiv, _g_lshift, _g_mod,
                     _g_mul, _g_pow, _inplacevar)
from .limits import MAX_INT_BITS, MAX_RANGE
from .methods import _guarded_getattr


class _NeverRaised(Exception):
    """Stands in for non-Exception classes named in a model's except clause."""


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
