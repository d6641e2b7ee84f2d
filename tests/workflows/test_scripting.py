"""Model code runs only through RestrictedPython: escapes fail safely, ordinary logic works."""
import pytest

from workflows.scripting import RestrictedEnvironment, UnsafeCode


@pytest.fixture
def env():
    return RestrictedEnvironment()


def test_ordinary_expressions_and_scripts(env):
    assert env.evaluate('amount > balance and kind in ("a", "b")', {'amount': 5, 'balance': 3, 'kind': 'a'})
    data = {'items': [1, 2, 3]}
    env.execute('total = 0\nfor i in items:\n    total += i\nsummary = {"n": len(items)}', data)
    assert data == {'items': [1, 2, 3], 'i': 3, 'total': 6, 'summary': {'n': 3}}


@pytest.mark.parametrize('source', [
    '__import__("os").system("echo pwned")',
    '().__class__.__bases__[0].__subclasses__()',
    '[c for c in ().__class__.__base__.__subclasses__()]',
    'open("/etc/passwd").read()',
    'eval("1")',
    'getattr(amount, "__class__")',
])
def test_escapes_fail_without_running(env, source):
    with pytest.raises((UnsafeCode, NameError)):
        env.evaluate(source, {'amount': 1})


def test_import_statement_and_while_loop_refused(env):
    with pytest.raises(UnsafeCode):
        env.execute('import os', {})
    with pytest.raises(UnsafeCode, match='while'):
        env.execute('while True:\n    pass', {})


def test_range_is_capped(env):
    with pytest.raises(ValueError, match='range'):
        env.execute('x = sum(range(10 ** 9))', {})


def test_script_globals_do_not_leak_into_task_data(env):
    data = {}
    env.execute('when = date(2026, 1, 2).isoformat()', data)
    assert data == {'when': '2026-01-02'}
