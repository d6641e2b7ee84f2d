"""Model code is bounded in size: blow-ups are refused at deploy time or stopped by the size guards.

Each test is one hostile case from the specification (the numbers follow it; time and memory are in
test_sandbox_budget.py, whose `small_budget` and `still_usable` are shared here). Every run-time
failure is a BudgetExceeded naming the budget and its limit; the thread stays usable afterwards.
"""
import time

import pytest

from workflows.modelcheck import check_expression
from workflows.sandbox import policy
from workflows.scripting import (MAX_INT_BITS, MAX_ITEMS, MAX_SOURCE_CHARS, BudgetExceeded,
                                 RestrictedEnvironment, UnsafeCode, compile_expression, create_script_engine,
                                 set_budget)

from .test_sandbox_budget import CPU_SECONDS, small_budget, still_usable  # noqa: F401 -- autouse fixture


@pytest.fixture
def env():
    return RestrictedEnvironment()


# 2. Big integers ---------------------------------------------------------------------------------

@pytest.mark.parametrize('source', ['10 ** 10 ** 10', '2 ** 10**9', '1 << 10**10', 'pow(10, 10**10)'])
def test_constant_big_integers_refused_at_deploy(source):
    with pytest.raises(UnsafeCode, match=f'size budget exceeded: .* the limit is {MAX_INT_BITS:,} bits'):
        check_expression('expression', source)


@pytest.mark.parametrize('source, data', [
    ('n ** e', {'n': 10, 'e': 10 ** 10}),
    ('n ** e', {'n': 2, 'e': 10 ** 9}),
    ('n << e', {'n': 1, 'e': 10 ** 10}),
    ('pow(n, e)', {'n': 10, 'e': 10 ** 10}),
])
def test_big_integers_refused_at_run_time(env, source, data):
    with pytest.raises(BudgetExceeded, match=f'bits; the limit is {MAX_INT_BITS:,} bits') as info:
        env.evaluate(source, data)
    assert (info.value.budget, info.value.limit) == ('size', MAX_INT_BITS)
    still_usable(env)


def test_repeated_squaring_stops_at_the_integer_limit(env):
    with pytest.raises(BudgetExceeded, match='size budget exceeded'):
        env.execute('x = 3\nfor i in range(100):\n    x = x * x', {})
    with pytest.raises(BudgetExceeded, match='size budget exceeded'):
        env.execute('x = 3\nfor i in range(100):\n    x *= x', {})
    still_usable(env)


# 3. Sequence blow-ups ------------------------------------------------------------------------------

@pytest.mark.parametrize('source', [
    '"a" * 10**10', '[0] * 10**9', '"x".center(10**9)', '"x".ljust(10**9)', '"x".rjust(10**9)',
    '"1".zfill(10**9)', '"%*d" % (10**9, 1)', '"%1000000000d" % 1', 'f"{1:>1000000000}"', 'range(10**9)',
])
def test_constant_sequence_blow_ups_refused_at_deploy(source):
    with pytest.raises(UnsafeCode, match='budget exceeded: .*the limit is'):
        check_expression('expression', source)


@pytest.mark.parametrize('script', [
    'x = "a" * n',
    'x = [0] * n',
    'x = "x".center(n)',
    'x = "x".ljust(n)',
    'x = "x".rjust(n)',
    'x = "7".zfill(n)',
    'x = ("\\t" * m).expandtabs(n // m)',
    'x = "%*d" % (n, 1)',
    'x = f"{1:>{n}}"',
    'x = "a" * m\nfor i in range(30):\n    x = x + x',
    'x = "a"\nfor i in range(30):\n    x += x',
    'x = ",".join(["a" * m] * 2 * m)',
    'x = ("a" * 100 * m).replace("a", "a" * 20)',
    'x = ("a" * m).translate({97: "b" * 10 * m})',
    'x = [[0] * 100 * m] * 20\ny = sum(x, [])',
    'x = [0] * 600 * m\nx.extend(x)',
    'x = (1).to_bytes(n, "big")',
    'x = str.center("x", n)',
])
def test_sequence_blow_ups_stop_at_the_size_limit(env, script):
    with pytest.raises(BudgetExceeded, match=f'the limit is {MAX_ITEMS:,}') as info:
        env.execute(script, {'n': 10 ** 9, 'm': 1000})
    assert (info.value.budget, info.value.limit) == ('size', MAX_ITEMS)
    still_usable(env)


def test_format_checks_take_linear_time(env):
    start = time.monotonic()
    with pytest.raises(ValueError, match='incomplete format key'):
        env.evaluate('("%(" * m) % {}', {'m': 400_000})
    with pytest.raises(UnsafeCode, match='a DMN rule entry is 5,000 characters long; the limit is 1,000'):
        check_expression('dmn rule', '?' * 4999 + '"')  # SpiffWorkflow's "?" pattern is quadratic
    assert time.monotonic() - start < 1


def test_guarded_methods_do_not_expose_the_raw_method(env):
    assert env.evaluate('"x".center.args', {}) is None  # not a functools.partial
    assert env.evaluate('"x".center.func', {}) is None
    assert env.evaluate('"x".center(5)', {}) == '  x  '


def test_builtins_feeding_a_list_from_itself_are_bounded_without_the_memory_net(env):
    set_budget(CPU_SECONDS, 0)
    with pytest.raises(BudgetExceeded, match='(time|size) budget exceeded'):
        env.execute('l = [1]\nx = list(map(l.append, l))', {})
    data = {}
    env.execute('l = [1]\nl.extend(map(abs, l))\nm = [1]\nm += map(abs, m)', data)  # a copy is extended
    assert (data['l'], data['m']) == ([1, 1], [1, 1])
    still_usable(env)


def test_ordinary_values_are_untouched(env):
    data = {'items': ['a', 'b'], 'amount': 12.5}
    env.execute('s = ", ".join(items) + "!"\nt = "x" * 3\nn = 2 ** 10 + 7 % 4 + 9 // 2\n'
                'm = f"{amount:>8.2f}|{n!r}"\np = "%05d" % 42\nl = [0] * 3\nl += [1]\nq = pow(3, 4, 5)', data)
    assert (data['s'], data['t'], data['n'], data['m']) == ('a, b!', 'xxx', 1031, '   12.50|1031')
    assert (data['p'], data['l'], data['q']) == ('00042', [0, 0, 0, 1], 1)


# 5. Huge or deeply nested code -------------------------------------------------------------------

@pytest.mark.parametrize('source, message', [
    ('1 + ' * 100000 + '1', f'characters long; the limit is {MAX_SOURCE_CHARS:,} characters'),
    ('1+' * 2000 + '1', 'nested more than 100 levels deep'),
    ('(' * 150 + '1' + '+1)' * 150, 'nested more than 100 levels deep'),
    ('(' * 300 + '1' + ')' * 300, 'too many nested parentheses'),
    ('-' * 10000 + '1', 'nested too deeply for the parser'),
    ('not ' * 4000 + 'x', 'nested too deeply for the parser'),
    (', '.join(['x'] * 6000), 'more than 10,000 syntax elements'),
])
def test_huge_and_deeply_nested_code_refused_at_compile_time(source, message):
    with pytest.raises(UnsafeCode, match=message):
        compile_expression(source)
    with pytest.raises(UnsafeCode, match=message):
        check_expression('condition', source)


def test_compiler_recursion_becomes_unsafe_code(monkeypatch):
    monkeypatch.setattr(policy, 'MAX_AST_DEPTH', 10_000)
    with pytest.raises(UnsafeCode, match='too complex to compile'):
        policy._compile('lambda: ' * 2400 + '1', 'eval')


def test_engine_validate_is_bounded_too():
    engine = create_script_engine()
    with pytest.raises(SyntaxError):
        engine.validate('<= 20000')  # SpiffWorkflow's DMN engine relies on this SyntaxError
    with pytest.raises(UnsafeCode, match='characters long'):
        engine.validate('1 + ' * 100000 + '1')

