"""Checking a bundle reports every problem at once, each located (file, element, line)."""
from pathlib import Path

from workflows import bundles
from workflows.definitions import check_bundle
from workflows.validation import Problem, incomplete_tables, unsupported_elements

ROOT = Path(__file__).resolve().parents[2]
ROLES = {'clerk': True, 'reviewer': True, 'approver': True, 'cashier': True, 'admin': False}
DMN = '''<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" namespace="x">
  <decision id="grade"><decisionTable id="table">
    <input id="in_flag" label="flag"><inputExpression id="e1" typeRef="boolean"><text>flag</text></inputExpression></input>
    <input id="in_kind" label="kind"><inputExpression id="e2" typeRef="string"><text>kind</text></inputExpression>
      <inputValues id="v2"><text>"a","b","c"</text></inputValues></input>
    <input id="in_empty" label="empty"><inputExpression id="e3" typeRef="string"><text></text></inputExpression></input>
    <output id="out" name="grade" typeRef="string" />
    <rule id="r1"><inputEntry id="r1a"><text>True</text></inputEntry><inputEntry id="r1b"><text>"a","b"</text></inputEntry>
      <inputEntry id="r1c"><text>-</text></inputEntry><outputEntry id="r1o"><text>"x"</text></outputEntry></rule>
    <rule id="r2"><inputEntry id="r2a"><text>True</text></inputEntry><outputEntry id="r2o"><text>"y"</text></outputEntry></rule>
  </decisionTable></decision>
</definitions>'''


def _withdrawal():
    return bundles.collect_bundle(ROOT / 'bpmn_models' / 'withdrawal.bpmn', ROOT / 'bpmn_models', ROOT / 'rules',
                                  ROOT / 'forms')


def test_a_problem_is_a_string_that_knows_where_it_is():
    problem = Problem('x is wrong', file='a.bpmn', element='x', line=3)
    assert problem == 'x is wrong' and problem.as_dict() == {'message': 'x is wrong', 'file': 'a.bpmn',
                                                             'element': 'x', 'line': 3}


def test_decision_tables_must_cover_their_inputs_values_and_have_every_entry():
    problems = {(p.element, str(p)) for p in incomplete_tables('t.dmn', bundles.parse_xml(DMN, 't.dmn'))}
    assert ('in_flag', "input 'flag': no rule covers the value(s) False") in problems
    assert ('in_kind', "input 'kind': no rule covers the value(s) \"c\"") in problems
    assert ('in_empty', "input 'empty' has no expression") in problems
    assert any(element == 'r2' and 'has 1 input and 1 output entries' in text for element, text in problems)
    assert len(problems) == 4


def test_the_shipped_models_pass_the_structural_checks():
    for name, content in _withdrawal().items():
        if name.endswith(('.bpmn', '.dmn')):
            root = bundles.parse_xml(content, name)
            assert unsupported_elements(name, root) == [] and incomplete_tables(name, root) == []


def test_unsupported_elements_are_named_with_their_line():
    xml = _withdrawal()['withdrawal.bpmn'].replace('<bpmn:scriptTask id="auto_approve"',
                                                   '<bpmn:complexGateway id="odd" /><bpmn:scriptTask id="auto_approve"')
    [problem] = unsupported_elements('w.bpmn', bundles.parse_xml(xml, 'w.bpmn'))
    assert problem.element == 'odd' and 'complexGateway' in problem and problem.line > 100


def test_check_bundle_collects_code_role_form_and_table_problems_together():
    files = _withdrawal()
    files['withdrawal.bpmn'] = (files['withdrawal.bpmn'].replace('rule_decision == "reject"', 'import os')
                                .replace('name="cashier"', 'name="admin"')
                                .replace('withdrawal_review.json', 'gone.json'))
    files['withdrawal_rules.dmn'] = files['withdrawal_rules.dmn'].replace(
        '<inputEntry id="r_banned_3"><text>-</text></inputEntry>', '')   # a rule one entry short
    loaded, problems = check_bundle(files, ROLES)
    assert loaded is None
    where = {p.element for p in problems}
    assert {'flow_rule_reject', 'pay', 'review', 'r_banned'} <= where
    assert all(p.file and p.line for p in problems if p.element)


def test_a_valid_bundle_has_no_problems():
    loaded, problems = check_bundle(_withdrawal(), ROLES)
    assert problems == [] and loaded.key == 'withdrawal'
