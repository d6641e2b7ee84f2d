"""Find the code in BPMN/DMN XML and check it with the restricted compiler at deploy time.

Covers the elements where SpiffWorkflow evaluates code (conditions, scripts, timers, loop and
completion conditions, multi-instance cardinalities, message payloads and paths, DMN entries) and
service-task parameters. The runtime compiles every evaluation with the same policy and budget, so
code in a place this list misses still cannot run unsafe operations; checking at deploy time gives
the administrator the error at once instead of when a case reaches that step.

Besides compiling, constant values are checked as the runtime would check them: a constant that
is too large (``10 ** 10 ** 10``, ``"a" * 10**10``) is refused by the compiler itself, a constant
timer must be valid ISO 8601 within ``scripting.MAX_TIMER_DAYS`` and a constant loop cardinality
at most ``scripting.MAX_INSTANCES``.
"""
from __future__ import annotations

import ast
import re

from .scripting import (ModelCodeError, UnsafeCode, check_cardinality, check_timer,
                        compile_expression, compile_script, constant_value)

BPMN = 'http://www.omg.org/spec/BPMN/20100524/MODEL'
SPIFF = 'http://spiffworkflow.org/bpmn/schema/1.0/core'

_BPMN_CODE = {
    f'{{{BPMN}}}conditionExpression': 'condition',
    f'{{{BPMN}}}condition': 'condition',
    f'{{{BPMN}}}loopCondition': 'condition',
    f'{{{BPMN}}}formalExpression': 'expression',
    f'{{{BPMN}}}messagePath': 'expression',
    f'{{{SPIFF}}}messagePayload': 'expression',
    f'{{{BPMN}}}script': 'script',
    f'{{{SPIFF}}}preScript': 'script',
    f'{{{SPIFF}}}postScript': 'script',
    f'{{{BPMN}}}timeDate': 'timer date',
    f'{{{BPMN}}}timeDuration': 'timer duration',
    f'{{{BPMN}}}timeCycle': 'timer cycle',
    f'{{{BPMN}}}loopCardinality': 'cardinality',
    f'{{{BPMN}}}completionCondition': 'condition',
}
MAX_DMN_ENTRY_CHARS = 1_000  # SpiffWorkflow runs _QUESTION_MARK on every entry: O(n**2) time
_QUESTION_MARK = re.compile(r'(\?)(?=(?:[^\'"]|[\'"][^\'"]*[\'"])*$)')


def _local(tag):
    return tag.rsplit('}', 1)[-1] if isinstance(tag, str) else ''


def _owner(node):
    """The nearest element with an id at or above `node` that the diagram shows (not an event definition)."""
    while node is not None and (not node.get('id') or _local(node.tag).endswith('EventDefinition')):
        node = node.getparent()
    return node.get('id') if node is not None else ''


def _dmn_code(root):
    for node in root.iter():
        local = _local(node.tag)
        if local not in ('inputExpression', 'inputEntry', 'outputEntry'):
            continue
        text_node = next((c for c in node if _local(c.tag) == 'text'), None)
        text = (text_node.text or '').strip() if text_node is not None else ''
        if text and text != '-':
            yield node, {'inputExpression': 'dmn input', 'inputEntry': 'dmn rule',
                         'outputEntry': 'dmn output'}[local], text


def _code_nodes(root):
    if _local(root.tag) == 'definitions' and root.tag.startswith(f'{{{BPMN}}}'):
        for node in root.iter():
            kind = _BPMN_CODE.get(node.tag)
            if kind and (node.text or '').strip():
                yield node, kind, node.text.strip()
            elif node.tag == f'{{{SPIFF}}}parameter' and node.get('value'):
                yield node, 'expression', node.get('value')
    else:
        yield from _dmn_code(root)


def expressions_in(root):
    """Yield (kind, source) for every expression or script in a parsed BPMN or DMN document."""
    for _node, kind, text in _code_nodes(root):
        yield kind, text


def located_expressions(root):
    """Yield (element id, line, kind, source) for every expression or script in a parsed document."""
    for node, kind, text in _code_nodes(root):
        yield _owner(node), node.sourceline, kind, text


# 'timer' (any of the three) is still accepted from callers that do not know which timer it is.
_TIMER_KINDS = {'timer': None, 'timer date': 'timeDate', 'timer duration': 'timeDuration',
                'timer cycle': 'timeCycle'}


def check_expression(kind, source):
    """Compile one piece of model code as the runtime would; raise UnsafeCode or SyntaxError.

    `kind` is one of the kinds `expressions_in` yields ('condition', 'expression', 'script',
    'timer date', 'timer duration', 'timer cycle', 'timer', 'cardinality', 'dmn input',
    'dmn rule', 'dmn output').
    """
    if kind == 'script':
        compile_script(source)
    elif kind == 'dmn rule':
        compile_expression(_dmn_rule_as_expression(source))
    else:
        compile_expression(source)
        if kind in _TIMER_KINDS:
            _check_constant(source, lambda value: check_timer(_TIMER_KINDS[kind], value))
        elif kind == 'cardinality':
            _check_constant(source, check_cardinality)


def _check_constant(source, check):
    """Apply the runtime check to a constant expression (others are checked when they run)."""
    constant, value = constant_value(source)
    if not constant:
        return
    try:
        check(value)
    except ModelCodeError as exc:
        raise UnsafeCode(source, [str(exc)]) from None


def _dmn_rule_as_expression(entry):
    """Mirror SpiffWorkflow's DMN engine: '?' stands for the input; else '== entry' or 'input entry'."""
    if len(entry) > MAX_DMN_ENTRY_CHARS:  # the '?' pattern (ours and SpiffWorkflow's) is quadratic
        raise UnsafeCode(entry, [f'a DMN rule entry is {len(entry):,} characters long; '
                                 f'the limit is {MAX_DMN_ENTRY_CHARS:,} characters'])
    if _QUESTION_MARK.search(entry):
        return _QUESTION_MARK.sub('dmninputexpr', entry)
    try:
        ast.parse(entry, mode='eval')
        return f'(dmninputexpr) == ({entry})'
    except SyntaxError:
        return f'dmninputexpr {entry}'
    except (RecursionError, MemoryError, ValueError):
        raise UnsafeCode(entry, ['model code is nested too deeply for the parser']) from None
