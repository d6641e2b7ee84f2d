"""Size guards for operators: the first, deterministic and cheap, layer of the run-time budget.

``+ * ** << % //`` and their in-place forms compile (see ``policy``) into calls of helpers that
estimate the result *before* computing it: integers may not pass ``MAX_INT_BITS`` bits (and the
quadratic ``//``, ``%``, ``divmod``, three-argument ``pow`` refuse larger inputs), sequences may not
pass ``MAX_ITEMS`` characters/bytes/elements (1,000,000: about 1 MB of text, 8 MB of list).
``%``-formatting and f-strings are checked the same way here; the amplifying methods in
``methods`` and the builtins ``pow sum divmod round range`` in ``namespace``. Violations raise
``BudgetExceeded`` ('size', or 'iterations' for ``range``). This is what keeps any *single* C-level
operation, which nothing in the process can interrupt, short.

The same helpers fold constant sub-expressions at compile time, so ``10 ** 10 ** 10`` or
``"a" * 10**10`` are refused at deploy time with a message naming the limit.
"""
from __future__ import annotations

import math
import operator
import re

from .errors import BudgetExceeded, _int_error, _num, _size_error
from .limits import MAX_INT_BITS, MAX_ITEMS, MAX_POW_MOD_BITS

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


# %-formatting

def _scan_digits(text, i, n):
    start = i
    while i < n and text[i].isdigit():
        i += 1
    return text[start:i], i


def _percent_key(text, i):
    """The mapping key of the conversion whose ``(`` is at `i`, and where it ends; None if unclosed."""
    j, depth = i + 1, 1
    while depth:
        close = text.find(')', j)
        if close == -1:
            return None
        depth += text.count('(', j, close) - 1
        j = close + 1
    return text[i + 1:j - 1], j


def _percent_widths(text, i, n, positional, index):
    """Skip the flags, then read width and precision (digits, or ``*`` for the next argument).

    Returns (the widths read, where the conversion goes on, the next positional argument).
    """
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
    return parts, i, index


def _percent_width_total(parts):
    total = 0
    for value in parts:
        if isinstance(value, int) and value > MAX_ITEMS:
            raise _size_error(f'%-format with width {_num(value)}', value, 'characters')
        if isinstance(value, int):
            total += max(value, 0)
    return total


def _percent_mapped(fmt, mapping, key):
    try:
        return mapping[key if isinstance(fmt, str) else key.encode('latin-1')]
    except Exception:  # noqa: BLE001 -- the real formatting reports it
        return None


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
            found = _percent_key(text, i)
            if found is None:
                return  # incomplete key: Python refuses the format here
            key, i = found
        parts, i, index = _percent_widths(text, i, n, positional, index)
        while i < n and text[i] in 'hlL':
            i += 1
        if i >= n:
            break
        conversion, i = text[i], i + 1
        if conversion != '%':
            total += _percent_width_total(parts)
            if key is not None and mapping is not None:
                arg = _percent_mapped(fmt, mapping, key)
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


# The operators model code is compiled to call (see policy._BINOP_GUARDS)

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


def _sized(iterable):
    """A sized copy of an iterator, so that C code cannot feed a list from itself without end."""
    if isinstance(iterable, (list, tuple, str, bytes, dict, set, frozenset)):
        return iterable
    return list(iterable)


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
