"""Compile time: what model code may say, refused with reasons before it ever runs.

``compile_expression``/``compile_script`` (cached; also used at deploy time by
``modelcheck.check_expression``) compile model code with RestrictedPython; refusals raise
``UnsafeCode`` with the reasons in ``.errors``:

* RestrictedPython's policy: no imports, no names or attributes starting with ``_``; attribute,
  item and iteration access through guards; a small whitelist of builtins.
* Ours: no ``while``; no ``try/finally``, bare ``except:``, ``except <expression>`` (only class
  names) or ``with``: each could swallow or outlive the time-budget interruption.
* Size: at most ``MAX_SOURCE_CHARS`` characters, ``MAX_AST_NODES`` syntax nodes and ``MAX_AST_DEPTH``
  levels of nesting, checked before RestrictedPython's recursive transformer runs; CPython's own
  ``RecursionError``/``MemoryError`` while parsing or compiling becomes ``UnsafeCode`` too.
* Constant sub-expressions are folded with the run-time guards, so ``10 ** 10 ** 10``,
  ``"a" * 10**10``, ``"x".center(10**9)``, ``f"{1:>1000000000}"`` or ``range(10**9)`` are refused at
  deploy time with a message naming the limit.

The policy also rewrites ``+ * ** << % //``, f-strings and ``except`` clauses into calls of the
guards in ``namespace.GUARDS``. ``constant_value`` gives the folded value of a constant expression
(``modelcheck`` checks constant cardinalities and timers with it).
"""
from __future__ import annotations

import ast
import operator
from functools import lru_cache

from RestrictedPython import RestrictingNodeTransformer, compile_restricted_eval, compile_restricted_exec
from RestrictedPython.compile import syntax_error_template

from .errors import BudgetExceeded, UnsafeCode
from .guards import (_SEQUENCES, _check_pow, _fmtval, _fstr, _g_add, _g_floordiv, _g_lshift, _g_mod, _g_mul,
                     _g_pow)
from .limits import (_EXPRESSION_FILE, _SCRIPT_FILE, MAX_AST_DEPTH, MAX_AST_NODES, MAX_ITEMS, MAX_RANGE,
                     MAX_SOURCE_CHARS)
from .methods import _METHOD_GUARDS
from .namespace import _range_error, _range_size

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
