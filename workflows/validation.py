"""Located model problems, and the structural checks of BPMN and DMN documents before the engine parses them.

A `Problem` is a message (a `str`, so a list of problems reads as before) that also says where it
is: the file, the element id and the line. The administrator's validation report lists every
problem at once and highlights each element on the diagram. `definitions.check_bundle` runs these
checks together with the engine's parse and the deploy-time checks of model code.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser

BPMN = 'http://www.omg.org/spec/BPMN/20100524/MODEL'
_FLOW_NODE_ENDINGS = ('Task', 'Event', 'Gateway', 'SubProcess', 'Process', 'Activity', 'Choreography',
                      'Conversation', 'task', 'transaction')


class Problem(str):
    """One thing wrong with a model, with where it is (file, element id, line) when known."""

    def __new__(cls, text, *, file='', element='', line=None):
        problem = super().__new__(cls, text)
        problem.file, problem.element, problem.line = file, element or '', line
        return problem

    def as_dict(self) -> dict:
        return {'message': str(self), 'file': self.file, 'element': self.element, 'line': self.line}


def located(problems, *, file='', element='') -> list[Problem]:
    """The same problems with a file and element attached where they have none."""
    return [p if isinstance(p, Problem) and (p.element or not element)
            else Problem(p, file=getattr(p, 'file', '') or file, element=element, line=getattr(p, 'line', None))
            for p in problems]


def with_lines(problems, roots) -> list[Problem]:
    """Fill in file and line of problems that name an element, from the parsed documents."""
    where = {}
    for fname, root in roots.items():
        for node in root.iter():
            ident = node.get('id') if isinstance(node.tag, str) else None
            if ident and ident not in where:
                where[ident] = (fname, node.sourceline)
    result = []
    for p in located(problems):
        if p.element in where and p.line is None:
            fname, line = where[p.element]
            p = Problem(p, file=p.file or fname, element=p.element, line=line)
        result.append(p)
    return result


# -- BPMN: elements the engine does not run ---------------------------------------------------------

def _supported_tags():
    tags = set(BpmnParser.PARSER_CLASSES) | {f'{{{BPMN}}}adHocSubProcess'}
    from .bundles import new_parser  # the parser subclass used for deploys (it may add element kinds)
    return tags | set(new_parser().OVERRIDE_PARSER_CLASSES)


def _local(tag):
    return tag.rsplit('}', 1)[-1] if isinstance(tag, str) else ''


def unsupported_elements(fname, root) -> list[Problem]:
    """Flow elements in a BPMN document that the engine cannot run, each named."""
    if not root.tag.startswith(f'{{{BPMN}}}'):
        return []
    supported, problems = _supported_tags(), []
    for container in root.iter(f'{{{BPMN}}}process', f'{{{BPMN}}}subProcess', f'{{{BPMN}}}transaction',
                               f'{{{BPMN}}}adHocSubProcess'):
        for node in container:
            local = _local(node.tag)
            if (node.tag.startswith(f'{{{BPMN}}}') and local.endswith(_FLOW_NODE_ENDINGS)
                    and node.tag not in supported):
                problems.append(Problem(f'{local} {node.get("id")!r}: this kind of element is not supported '
                                        'by the engine', file=fname, element=node.get('id', ''),
                                        line=node.sourceline))
    return problems


# -- DMN: tables complete for their inputs ------------------------------------------------------------

def _children(node, local):
    return [c for c in node if _local(c.tag) == local]


def _text(node):
    text_node = next(iter(_children(node, 'text')), None)
    return (text_node.text or '').strip() if text_node is not None else ''


def _values_of(input_node):
    """The values an input can take, when the table says so: booleans, or an inputValues list."""
    expression = next(iter(_children(input_node, 'inputExpression')), None)
    values = next(iter(_children(input_node, 'inputValues')), None)
    if values is not None and _text(values):
        return [v.strip() for v in _text(values).split(',') if v.strip()]
    if expression is not None and expression.get('typeRef') == 'boolean':
        return ['True', 'False']
    return None


def _covers(entry, value):
    if entry in ('', '-'):
        return True
    return value in [part.strip() for part in entry.split(',')]


def _check_table(fname, table) -> list[Problem]:
    problems = []
    inputs, outputs, rules = (_children(table, k) for k in ('input', 'output', 'rule'))

    def problem(text, node):
        problems.append(Problem(text, file=fname, element=node.get('id', ''), line=node.sourceline))

    if not rules:
        problem(f'decision table {table.get("id")!r} has no rules', table)
    for node in inputs:
        expression = next(iter(_children(node, 'inputExpression')), None)
        if expression is None or not _text(expression):
            problem(f'input {node.get("label") or node.get("id")!r} has no expression', node)
    for rule in rules:
        entries, results = _children(rule, 'inputEntry'), _children(rule, 'outputEntry')
        if len(entries) != len(inputs) or len(results) != len(outputs):
            problem(f'rule {rule.get("id")!r} has {len(entries)} input and {len(results)} output entries; '
                    f'the table has {len(inputs)} inputs and {len(outputs)} outputs', rule)
    for position, node in enumerate(inputs):
        values = _values_of(node)
        column = [_text(r[position]) for r in (_children(x, 'inputEntry') for x in rules) if position < len(r)]
        missing = [v for v in values or () if not any(_covers(entry, v) for entry in column)]
        if missing and column:
            problem(f'input {node.get("label") or node.get("id")!r}: no rule covers the value(s) '
                    f'{", ".join(missing)}', node)
    return problems


def incomplete_tables(fname, root) -> list[Problem]:
    """Decision tables with no rules, rules missing entries, or input values no rule covers."""
    return [p for table in root.iter() if _local(table.tag) == 'decisionTable' for p in _check_table(fname, table)]
