"""Editing a decision table or a form of a version over HTTP: a new draft, or every problem and no change."""
import json
from pathlib import Path

from sqlalchemy import select

from workflows.models import DefinitionFile, ProcessDefinition

ROOT = Path(__file__).resolve().parents[2]
DMN = (ROOT / 'rules' / 'withdrawal_rules.dmn').read_text(encoding='utf-8')
FORM = (ROOT / 'forms' / 'withdrawal_review.json').read_text(encoding='utf-8')


def test_the_editors_open_only_on_rules_and_forms(login):
    admin = login('admin')
    assert 'dmn-modeler.production.min.js' in admin.get(
        '/admin/processes/withdrawal/1/files/withdrawal_rules.dmn/edit').text
    assert 'id="form-schema"' in admin.get('/admin/processes/withdrawal/1/files/withdrawal_review.json/edit').text
    assert admin.get('/admin/processes/withdrawal/1/files/withdrawal.bpmn/edit').status_code == 404
    assert admin.get('/admin/processes/withdrawal/1/files/nothing.json/edit').status_code == 404
    assert login('clerk').get('/admin/processes/withdrawal/1/files/withdrawal_rules.dmn/edit').status_code == 403


def test_a_form_preview_renders_the_fields_as_task_pages_do(login, snapshot):
    admin = login('admin')
    before = snapshot()
    r = admin.post('/admin/processes/forms/preview', json={'schema': FORM})
    assert r.status_code == 200 and 'data-field="decision"' in r.json['html']
    bad = admin.post('/admin/processes/forms/preview', json={'schema': '{"type": "objekt"}'})
    assert bad.status_code == 422 and 'objekt' in bad.json['message']
    assert admin.post('/admin/processes/forms/preview', json={'schema': '{'}).status_code == 422
    assert admin.post('/admin/processes/forms/preview', json={'schema': '[]'}).status_code == 422
    assert admin.post('/admin/processes/forms/preview', json={}).status_code == 400
    assert snapshot() == before


def test_saving_a_changed_rule_or_form_makes_a_draft_and_a_broken_one_changes_nothing(login, snapshot,
                                                                                      session_factory):
    admin = login('admin')
    before = snapshot()
    broken = DMN.replace('<inputEntry id="r_not_in_force_1"><text>False', '<inputEntry id="r_not_in_force_1"><text>True')
    r = admin.post('/admin/processes/withdrawal/1/save', json={'name': 'withdrawal_rules.dmn', 'content': broken})
    assert r.status_code == 422 and any(p['element'] == 'in_in_force' for p in r.json['problems'])
    r = admin.post('/admin/processes/withdrawal/1/save',
                   json={'name': 'withdrawal_review.json', 'content': '{"type": 5}'})
    assert r.status_code == 422 and 'withdrawal_review.json' in r.json['problems'][0]['message']
    r = admin.post('/admin/processes/withdrawal/1/save', json={'name': 'other.json', 'content': FORM})
    assert r.status_code == 400
    assert snapshot() == before

    schema = json.loads(FORM)
    schema['title'] = '审核（新表单）'
    r = admin.post('/admin/processes/withdrawal/1/save',
                   json={'name': 'withdrawal_review.json', 'content': json.dumps(schema, ensure_ascii=False)})
    assert r.status_code == 200 and r.json['version'] == 2
    with session_factory() as session:
        stored = session.scalar(select(DefinitionFile.content).join(ProcessDefinition).where(
            ProcessDefinition.key == 'withdrawal', ProcessDefinition.version == 2,
            DefinitionFile.name == 'withdrawal_review.json'))
    assert '审核（新表单）' in stored
