"""Every declaration file loads, and every user task names an existing form and a known role."""
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from lxml import etree

from workflows.bundles import collect_bundle
from workflows.definitions import load_bundle
from workflows.seed import ROLES

ROOT = Path(__file__).resolve().parents[2]
BUSINESS_ROLES = {code: business for code, _zh, _en, business in ROLES}
BPMN_FILES = sorted((ROOT / 'bpmn_models').glob('*.bpmn'))


def test_there_are_models_to_check():
    assert BPMN_FILES and list((ROOT / 'rules').glob('*.dmn')) and list((ROOT / 'forms').glob('*.json'))


@pytest.mark.parametrize('path', BPMN_FILES, ids=lambda p: p.name)
def test_bpmn_bundle_loads_and_names_forms_and_roles(path):
    loaded = load_bundle(collect_bundle(path, ROOT / 'bpmn_models', ROOT / 'rules', ROOT / 'forms'), BUSINESS_ROLES)
    assert loaded.tasks, 'a process without user tasks is not what this project runs'
    for meta in loaded.tasks.values():
        assert BUSINESS_ROLES.get(meta.role) is True, meta
        assert (ROOT / 'forms' / meta.form).is_file(), meta


@pytest.mark.parametrize('path', sorted((ROOT / 'rules').glob('*.dmn')), ids=lambda p: p.name)
def test_dmn_parses(path):
    root = etree.parse(str(path)).getroot()
    assert root.find('{*}decision') is not None


@pytest.mark.parametrize('path', sorted((ROOT / 'forms').glob('*.json')), ids=lambda p: p.name)
def test_form_is_valid_json_schema(path):
    schema = json.loads(path.read_text(encoding='utf-8'))
    Draft202012Validator.check_schema(schema)
    for name, prop in schema.get('properties', {}).items():
        assert prop.get('title'), f'{path.name}:{name} needs a title'
        names = prop.get('x-enumNames') or prop.get('items', {}).get('x-enumNames')
        values = prop.get('enum') or prop.get('items', {}).get('enum')
        if values:
            assert names and len(names) == len(values), f'{path.name}:{name} needs a label per option'
