"""Find the code in BPMN/DMN XML and check it with the restricted compiler at deploy time.

Covers the elements where SpiffWorkflow evaluates code (conditions, scripts, timers, loop and
completion conditions, message payloads and paths, DMN entries) and service-task parameters.
The runtime compiles every evaluation with the same policy, so code in a place this list misses
still cannot run unsafe operations; checking at deploy time gives the administrator the error
at once instead of when a case reaches that step.
"""
from __future__ import annotations

import ast
import re

from .scripting import compile_expression, compile_script

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
    f'{{{BPMN}}}timeDate': 'timer',
    f'{{{BPMN}}}timeDuration': 'timer',
    f'{{{BPMN}}}timeCycle': 'timer',
    f'{{{BPMN}}}loopCardinality': 'expression',
    f'{{{BPMN}}}completionCondition': 'condition',
}
_QUESTION_MARK = re.compile(r'(\?)(?=(?:[^\'"]|[\'"][^\'"]*[\'"])*$)')


def _local(tag):
    return tag.rsplit('}', 1)[-1] if isinstance(tag, str) else ''


def _dmn_code(root):
    for node in root.iter():
        local = _local(node.tag)
        if local not in ('inputExpression', 'inputEntry', 'outputEntry'):
            continue
        text_node = next((c for c in node if _local(c.tag) == 'text'), None)
        text = (text_node.text or '').strip() if text_node is not None else ''
        if text and text != '-':
            yield {'inputExpression': 'dmn input', 'inputEntry': 'dmn rule',
                   'outputEntry': 'dmn output'}[local], text


def expressions_in(root):
    """Yield (kind, source) for every expression or script in a parsed BPMN or DMN document."""
    if _local(root.tag) == 'definitions' and root.tag.startswith(f'{{{BPMN}}}'):
        for node in root.iter():
            kind = _BPMN_CODE.get(node.tag)
            if kind and (node.text or '').strip():
                yield kind, node.text.strip()
            elif node.tag == f'{{{SPIFF}}}parameter' and node.get('value'):
                yield 'expression', node.get('value')
    else:
        yield from _dmn_code(root)


def check_expression(kind, source):
    """Compile one piece of model code as the runtime would; raise UnsafeCode or SyntaxError."""
    if kind == 'script':
        compile_script(source)
    elif kind == 'dmn rule':
        compile_expression(_dmn_rule_as_expression(source))
    else:
        compile_expression(source)


def _dmn_rule_as_expression(entry):
    """Mirror SpiffWorkflow's DMN engine: '?' stands for the input; else '== entry' or 'input entry'."""
    if _QUESTION_MARK.search(entry):
        return _QUESTION_MARK.sub('dmninputexpr', entry)
    try:
        ast.parse(entry, mode='eval')
        return f'(dmninputexpr) == ({entry})'
    except SyntaxError:
        return f'dmninputexpr {entry}'
