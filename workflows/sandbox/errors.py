"""The sandbox's own errors, and the helpers that word them.

Every failure of model code that the sandbox detects is an ordinary ``Exception`` of ours naming
what went wrong: ``UnsafeCode`` at compile time; ``ModelCodeError`` (and its subclasses
``BudgetExceeded`` and ``InvalidTimer``) at run time. SpiffWorkflow wraps run-time errors in
``WorkflowTaskException``; ours carry the original in ``.exception`` and ``__cause__``, and
``model_code_error(exc)`` finds it.
"""
from __future__ import annotations

from .limits import MAX_INT_BITS, MAX_ITEMS


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
