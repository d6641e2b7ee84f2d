"""Broken models uploaded over HTTP: every problem listed at once, each located; nothing is stored."""
import html
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BPMN = (ROOT / 'bpmn_models' / 'withdrawal.bpmn').read_text(encoding='utf-8')
DMN = (ROOT / 'rules' / 'withdrawal_rules.dmn').read_text(encoding='utf-8')
BOMB = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]><bpmn:definitions '
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><x>&lol3;</x></bpmn:definitions>')
EXTERNAL = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            + BPMN.split('?>', 1)[1].replace('name="审核"', 'name="&e;"'))
WHILE_SCRIPT = 'decision = "approve"\nwhile True:\n    pass'


def upload(client, files, key='withdrawal'):
    data = {'files': [(bytes_of(content), name) for name, content in files.items()]}
    if key:
        data['key'] = key
    return client.post('/admin/processes/upload', data=data, content_type='multipart/form-data')


def bytes_of(content):
    return io.BytesIO(content.encode('utf-8') if isinstance(content, str) else content)


def listed(page):
    """(element, line, text) of every problem in the report."""
    return [(el, line, html.unescape(text))
            for el, line, text in re.findall(r'data-element="([^"]*)" data-line="([^"]*)">(.*?)</li>', page, re.S)]


CASES = {
    'parse error': ({'withdrawal.bpmn': BPMN.replace('</bpmn:process>', '', 1)}, '', 'not well-formed'),
    'XML bomb': ({'withdrawal.bpmn': BOMB}, '', 'DOCTYPE'),
    'external entity': ({'withdrawal.bpmn': EXTERNAL}, '', 'external entity'),
    'unknown role': ({'withdrawal.bpmn': BPMN.replace('name="reviewer"', 'name="nobody"')}, 'review',
                     'not a business role'),
    'missing form': ({'withdrawal.bpmn': BPMN.replace('withdrawal_review.json', 'gone.json')}, 'review',
                     "form 'gone.json' is not in the bundle"),
    'unknown operation': ({'withdrawal.bpmn': BPMN.replace('id="withdrawal.history"', 'id="fund.nothing"')},
                          'lookup_history', "unknown operation 'fund.nothing'"),
    'missing operation parameter': ({'withdrawal.bpmn': BPMN.replace(
        '<spiffworkflow:parameter id="withdrawal_type" type="any" value="withdrawal_type" />', '')},
        'lookup_history', 'needs parameters withdrawal_type'),
    'unsafe condition': ({'withdrawal.bpmn': BPMN.replace('rule_decision == "reject"', '().__class__.__bases__')},
                         'flow_rule_reject', 'refused'),
    'unsafe script': ({'withdrawal.bpmn': BPMN.replace('decision = "approve"', 'import os\ndecision = "approve"')},
                      'auto_approve', 'refused'),
    'unbounded loop': ({'withdrawal.bpmn': BPMN.replace('decision = "approve"', WHILE_SCRIPT)}, 'auto_approve',
                       'while loops are not allowed'),
    'bad time limit': ({'withdrawal.bpmn': BPMN.replace('value="2wd"', 'value="2 weeks"')}, 'review', 'time limit'),
    'unsupported element': ({'withdrawal.bpmn': BPMN.replace(
        '<bpmn:exclusiveGateway id="review_gateway"', '<bpmn:complexGateway id="review_gateway"').replace(
        '</bpmn:exclusiveGateway>\n    <bpmn:scriptTask id="review_refused"',
        '</bpmn:complexGateway>\n    <bpmn:scriptTask id="review_refused"')}, 'review_gateway', 'not supported'),
    'incomplete decision table': ({'withdrawal_rules.dmn': re.sub(
        r'(<inputEntry id="r_not_in_force_1"><text>)False', r'\1True', DMN)}, 'in_in_force',
        'no rule covers the value(s) False'),
    'unsafe decision rule': ({'withdrawal_rules.dmn': DMN.replace(
        '<inputEntry id="r_banned_1"><text>True', '<inputEntry id="r_banned_1"><text>__import__("os")')},
        'r_banned_1', 'refused'),
}


@pytest.mark.parametrize('name', CASES)
def test_each_broken_model_is_refused_located_and_stores_nothing(login, snapshot, name):
    files, element, message = CASES[name]
    admin = login('admin')
    before = snapshot()
    r = upload(admin, files)
    assert r.status_code == 422, r.text[:500]
    problems = listed(r.text)
    assert any(message in text and el == element for el, _line, text in problems), problems
    assert snapshot() == before


def test_every_problem_is_reported_at_once_with_lines(login, snapshot):
    broken = (BPMN.replace('name="reviewer"', 'name="nobody"').replace('withdrawal_payment.json', 'gone.json')
              .replace('rule_decision == "reject"', '__import__("os")'))
    admin = login('admin')
    before = snapshot()
    r = upload(admin, {'withdrawal.bpmn': broken})
    problems = {el: (line, text) for el, line, text in listed(r.text)}
    assert r.status_code == 422 and {'review', 'pay', 'flow_rule_reject'} <= set(problems)
    line = int(problems['flow_rule_reject'][0])
    assert 'rule_decision' not in broken.splitlines()[line - 1] and '__import__' in broken.splitlines()[line - 1]
    assert 'data-problems=' in r.text and '"pay"' in r.text    # the diagram marks each element
    assert snapshot() == before


def test_a_parse_error_names_its_line(login, snapshot):
    admin = login('admin')
    r = upload(admin, {'withdrawal.bpmn': BPMN.replace('<bpmn:userTask id="review"', '<bpmn:userTask id="review"<')})
    assert r.status_code == 422
    line = BPMN.splitlines().index(next(x for x in BPMN.splitlines() if 'userTask id="review"' in x)) + 1
    assert any(int(ln) == line for _el, ln, _t in listed(r.text))


def test_a_non_model_file_and_non_utf8_are_refused(login, snapshot):
    admin = login('admin')
    before = snapshot()
    assert upload(admin, {'evil.py': 'print(1)'}).status_code == 422
    r = admin.post('/admin/processes/upload', data={'files': [(bytes_of(b'\xff\xfe<'), 'a.bpmn')]},
                   content_type='multipart/form-data')
    assert r.status_code == 422 and 'not UTF-8' in r.text
    assert admin.post('/admin/processes/upload', data={}, content_type='multipart/form-data').status_code == 400
    assert snapshot() == before


def test_a_timer_beyond_the_budget_is_refused_on_its_event(login, snapshot):
    data = ROOT / 'tests' / 'data'
    files = {'reminder.bpmn': (data / 'processes' / 'reminder.bpmn').read_text(encoding='utf-8').replace(
                 '<bpmn:timeDuration>wait</bpmn:timeDuration>', '<bpmn:timeDuration>"P99999D"</bpmn:timeDuration>'),
             'reminder_start.json': (data / 'forms' / 'reminder_start.json').read_text(encoding='utf-8'),
             'note.json': (data / 'forms' / 'note.json').read_text(encoding='utf-8')}
    admin = login('admin')
    before = snapshot()
    r = upload(admin, files, key=None)
    assert r.status_code == 422
    assert any(el == 'wait' and 'timer duration' in text for el, _line, text in listed(r.text)), listed(r.text)
    assert snapshot() == before


def test_file_names_that_could_break_headers_or_paths_are_refused(login, snapshot):
    admin = login('admin')
    before = snapshot()
    for name in ('a;b.bpmn', 'naïve.bpmn', 'x' * 200 + '.bpmn', 'a b.json'):
        r = admin.post('/admin/processes/upload', data={'files': [(bytes_of(BPMN), name)]},
                       content_type='multipart/form-data')
        assert r.status_code == 422 and 'file names may use' in html.unescape(r.text), name
    assert snapshot() == before
