"""A process is its files: one defined only under tests/data deploys and runs with no code change."""
import re
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.factories import actor, deploy_test_process, make_account, make_user, bundle_of
from workflows import bundles, definitions, runtime, seed
from workflows.errors import Conflict, InvalidModel, NotAllowed
from workflows.models import CaseClock, CaseParty, ClockState, HumanTask, InstanceStatus, ProcessDefinition, TaskState

ROOT = Path(__file__).resolve().parents[2]


def _task(session, instance, spec_id):
    return session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.spec_id == spec_id,
                                                   HumanTask.state == TaskState.ready)).one()


def _complete(session, instance, spec_id, user, data):
    runtime.complete_task(session, _task(session, instance, spec_id).id, data, actor(user))
    session.commit()


@pytest.fixture
def staff(session):
    users = {role: make_user(session, role) for role in ('clerk', 'reviewer', 'approver')}
    session.commit()
    return users


@pytest.mark.parametrize('first', ['check_records', 'sign_off'])
def test_a_test_only_process_runs_through_parallel_branches_and_a_call_activity(session, staff, first):
    deploy_test_process(session, 'certificate')
    account = make_account(session, holder='赵证明')
    instance = runtime.start_instance(session, 'certificate', {'account_no': account.account_no, 'purpose': '购房'},
                                      actor(staff['clerk']))
    session.commit()
    assert instance.business_key.startswith('ZM') and instance.title == '赵证明 · 购房'
    assert instance.applicant_name == '赵证明' and instance.data['verdict'] == 'issue'
    parties = session.scalars(select(CaseParty.id_number).where(CaseParty.instance_id == instance.id)).all()
    assert parties == [account.id_number]
    # Both branches are open at once; finishing them in either order keeps both branches' data.
    steps = {'check_records': (staff['reviewer'], {'records_ok': True, 'months': 36}),
             'sign_off': (staff['approver'], {'signed': True, 'signer_note': '同意'})}
    second = 'sign_off' if first == 'check_records' else 'check_records'
    for spec_id in (first, second):
        _complete(session, instance, spec_id, *steps[spec_id])
    assert {k: instance.data[k] for k in ('records_ok', 'months', 'signed', 'signer_note')} == {
        'records_ok': True, 'months': 36, 'signed': True, 'signer_note': '同意'}
    # The call activity's user task, from the shared subprocess file, stops the clock.
    _complete(session, instance, 'hand_over_task', staff['clerk'], {'handed_on': '2026-11-23'})
    assert (instance.status, instance.outcome, instance.end_event) == (InstanceStatus.completed, 'issued', 'end_issued')
    clock = session.scalars(select(CaseClock).where(CaseClock.instance_id == instance.id)).one()
    assert (clock.name, clock.state) == ('answer', ClockState.met)


def test_the_rules_of_a_test_only_process_can_end_it_at_once(session, staff):
    deploy_test_process(session, 'certificate')
    banned = session.get(seed.FundAccount, '100000000004')   # on the demo fraud blacklist
    instance = runtime.start_instance(session, 'certificate', {'account_no': banned.account_no, 'purpose': '贷款'},
                                      actor(staff['clerk']))
    assert (instance.status, instance.outcome) == (InstanceStatus.completed, 'refused')


def test_who_may_start_comes_from_the_start_events_lane(session, staff):
    deploy_test_process(session, 'certificate')
    account = make_account(session)
    with pytest.raises(NotAllowed, match='may not register'):
        runtime.start_instance(session, 'certificate', {'account_no': account.account_no, 'purpose': 'x'},
                               actor(staff['reviewer']))


def test_the_account_holder_may_not_register_their_own_case(session, staff):
    deploy_test_process(session, 'certificate')
    account = make_account(session, id_number=staff['clerk'].id_number)
    with pytest.raises(NotAllowed, match='party'):
        runtime.start_instance(session, 'certificate', {'account_no': account.account_no, 'purpose': 'x'},
                               actor(staff['clerk']))


def test_a_bundle_holds_only_what_its_process_references():
    assert sorted(bundle_of('certificate')) == ['cert_check.json', 'cert_handover.json', 'cert_rules.dmn',
                                                   'cert_sign.json', 'cert_start.json', 'certificate.bpmn',
                                                   'hand_over.bpmn']
    withdrawal = bundles.collect_bundle(ROOT / 'bpmn_models' / 'withdrawal.bpmn', ROOT / 'bpmn_models',
                                            ROOT / 'rules', ROOT / 'forms')
    assert [n for n in withdrawal if n.endswith('.dmn')] == ['withdrawal_approval.dmn', 'withdrawal_rules.dmn', 'withdrawal_types.dmn']


def _versions(session):
    return dict(session.execute(select(ProcessDefinition.key, func.max(ProcessDefinition.version))
                                .group_by(ProcessDefinition.key)).all())


def test_changing_one_process_rules_leaves_the_other_process_version(session):
    deploy_test_process(session, 'certificate')
    before = _versions(session)
    bundle = bundle_of('certificate')
    bundle['cert_rules.dmn'] = bundle['cert_rules.dmn'].replace('可以开具', '符合开具条件')
    definitions.deploy(session, bundle)
    seed.deploy_models(session)                 # the withdrawal's files did not change
    session.commit()
    assert _versions(session) == {**before, 'certificate': before['certificate'] + 1}


def test_two_concurrent_deploys_make_exactly_one_version(session_factory):
    with session_factory() as session:
        deploy_test_process(session, 'certificate')
    changed = bundle_of('certificate')
    changed['cert_rules.dmn'] = changed['cert_rules.dmn'].replace('可以开具', '同时部署')
    first_stored, results = threading.Event(), {}

    def first():   # stores version 2 and keeps its transaction open while the second one deploys
        with session_factory() as session:
            definitions.deploy(session, dict(changed))
            first_stored.set()
            time.sleep(0.5)
            session.commit()
            results['first'] = 'deployed'

    def second():  # read version 1 as the latest, so it also tries to store version 2
        first_stored.wait(30)
        with session_factory() as session:
            try:
                definitions.deploy(session, dict(changed))
                session.commit()
                results['second'] = 'deployed'
            except Conflict as exc:
                session.rollback()
                results['second'] = str(exc)
    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results['first'] == 'deployed'
    assert 'Another deployment of process certificate was stored first' in results['second']
    with session_factory() as session:
        versions = session.scalars(select(ProcessDefinition.version).where(ProcessDefinition.key == 'certificate')).all()
    assert sorted(versions) == [1, 2]


def _refused(session, bundle, expected):
    with pytest.raises(InvalidModel) as info:
        definitions.deploy(session, bundle)
    text = ' '.join(info.value.problems)
    assert re.search(expected, text), text


@pytest.mark.parametrize('old, new, expected', [
    ('id="fund.account"', 'id="fund.accounts"', r"unknown operation 'fund.accounts'"),
    ('<spiffworkflow:parameter id="account_no" type="str" value="account_no" />', '',
     r"operation 'fund.account' needs parameters account_no"),
    ('name="clerk"', 'name="admin"', r"lane 'admin' is not a business role"),
    ('value="answer" />\n        </spiffworkflow:properties>\n      </bpmn:extensionElements>\n      <bpmn:outgoing>f1',
     'value="reply" />\n        </spiffworkflow:properties>\n      </bpmn:extensionElements>\n      <bpmn:outgoing>f1',
     r"clock 'reply' is not declared"),
    ('value="cert_start.json"', 'value="nowhere.json"', r'start event .* needs a "form"'),
])
def test_deploy_refuses_what_the_engine_cannot_run(session, old, new, expected):
    bundle = bundle_of('certificate')
    assert old in bundle['certificate.bpmn']
    bundle['certificate.bpmn'] = bundle['certificate.bpmn'].replace(old, new, 1)
    _refused(session, bundle, expected)


def test_a_called_subprocess_missing_from_the_bundle_is_refused(session):
    bundle = bundle_of('certificate')
    del bundle['hand_over.bpmn']
    _refused(session, bundle, r'hand_over')


SHARED = sorted(p for p in (ROOT / 'workflows').rglob('*.py')
                if 'processes' not in p.parts and p.name != 'records.py')
SHARED += sorted((ROOT / 'app').rglob('*.py')) + sorted((ROOT / 'app').rglob('*.html'))
# Not checked: workflows/records.py and workflows/models/records.py describe the center's records,
# whose columns (an account's number, an amount) a process's form may well name too.


def _process_words():
    """Process keys and form field names of the processes in bpmn_models/ (their own words)."""
    words = {p.stem for p in (ROOT / 'bpmn_models').glob('*.bpmn')}
    for form in (ROOT / 'forms').glob('*.json'):
        words |= set(re.findall(r'^    "([a-z_]+)": \{', form.read_text(encoding='utf-8'), re.M))
    return words - {'note', 'decision', 'reason', 'basis'}   # the engine's own step-outcome fields


@pytest.mark.parametrize('path', SHARED, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_shared_module_names_a_process_or_its_fields(path):
    words = _process_words()
    assert 'withdrawal' in words and 'account_no' in words   # the check would catch them
    text = path.read_text(encoding='utf-8')
    found = sorted(w for w in words if re.search(rf"""['"./]{w}['"./\]]""", text))
    assert found == [], f'{path.name} names {found}'


_PREFIX = '<spiffworkflow:property name="businessKeyPrefix" value="ZM" />'


@pytest.mark.parametrize('declared, expected', [
    ('<spiffworkflow:property name="listFields" value="purpose,colour" />',
     r"listFields: 'colour' is not a field of any form in the bundle"),
    ('<spiffworkflow:property name="listType" value="purpose" />',
     r"listType: 'purpose' is not a field with fixed choices \(enum\) of the start form"),
])
def test_deploy_refuses_list_declarations_naming_no_field(session, declared, expected):
    bundle = bundle_of('certificate')
    bundle['certificate.bpmn'] = bundle['certificate.bpmn'].replace(_PREFIX, _PREFIX + declared, 1)
    _refused(session, bundle, expected)


@pytest.mark.parametrize('keyword, expected', [
    ('"x-confirm": ["maybe"]', r"cert_start.json: field 'purpose': x-confirm must list some of its choices"),
    ('"x-opinion": "yes"', r"cert_start.json: field 'purpose': x-opinion must be true"),
])
def test_deploy_refuses_decision_keywords_that_name_no_choice(session, keyword, expected):
    bundle = bundle_of('certificate')
    start = bundle['cert_start.json']
    bundle['cert_start.json'] = re.sub(r'("purpose": \{)', r'\1' + keyword.replace('\\', r'\\') + ',', start, count=1)
    assert bundle['cert_start.json'] != start
    _refused(session, bundle, expected)
