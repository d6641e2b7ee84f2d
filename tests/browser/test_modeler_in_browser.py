"""The modeler in headless Chromium: change a task's time limit, publish, and a new case uses it."""
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from workflows import runtime
from workflows.actors import Actor
from workflows.models import HumanTask, ProcessInstance, User
from workflows.seed import DEMO_PASSWORD

from .conftest import login, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope='module')
def database(sqlite_template, tmp_path_factory):
    path = tmp_path_factory.mktemp('modeler') / 'gjj.db'
    shutil.copy(sqlite_template, path)
    return path


@pytest.fixture(scope='module')
def server(database):
    with serve(database) as url:
        yield url


def admin_page(browser, server):
    page = browser.new_page(viewport={'width': 1366, 'height': 768})
    page.set_default_timeout(15000)
    page.goto(f'{server}/auth/login')
    page.fill('#username', 'admin')
    page.fill('#password', DEMO_PASSWORD)
    page.click('button[type=submit]')
    page.wait_for_load_state()
    return page


def test_change_a_time_limit_in_the_modeler_publish_and_a_new_case_uses_it(browser, server, database):
    admin = admin_page(browser, server)
    admin.click('nav >> text=流程管理')
    admin.click('[data-process="withdrawal"] >> text=编辑')
    admin.wait_for_selector('#modeler-canvas[data-state="ready"]')
    assert '创建任务' in admin.locator('.djs-palette').inner_html()          # the modeler speaks Chinese
    admin.click('.djs-element[data-element-id="review"]')
    admin.wait_for_selector('#panel-element:has-text("review")')
    assert admin.input_value('[data-prop="timeLimit"]') == '2wd'
    admin.fill('[data-prop="timeLimit"]', 'soon')                          # refused, marked on the diagram
    admin.press('[data-prop="timeLimit"]', 'Tab')
    admin.click('#modeler-save')
    admin.wait_for_selector('#modeler-problems [data-element="review"]')
    assert admin.locator('.djs-element.gjj-problem[data-element-id="review"]').count() == 1
    admin.fill('[data-prop="timeLimit"]', '7wd')
    admin.press('[data-prop="timeLimit"]', 'Tab')
    admin.click('#modeler-save')
    admin.wait_for_selector('[data-version="2"]')
    assert '已保存为草稿版本 2' in admin.locator('.alert').first.inner_text()
    admin.click('[data-publish="2"]')
    admin.wait_for_selector('[data-version="2"] [data-state="current"]')

    clerk = login(browser, server, 'clerk')
    clerk.click('[data-start="withdrawal"]')
    clerk.fill('#f-account_no', '100000000002')
    clerk.select_option('#f-withdrawal_type', 'purchase')
    clerk.fill('#f-amount', '8000')
    clerk.check('#f-materials_provided-id_card')
    clerk.check('#f-materials_provided-purchase_contract')
    clerk.click('#register')
    clerk.wait_for_selector('#case-status')
    assert '版本 2' in clerk.locator('h1 + div').inner_text()
    case_id = int(clerk.url.rsplit('/', 1)[1])

    engine = create_engine(f'sqlite:///{database}')
    with Session(engine) as session:
        case = session.get(ProcessInstance, case_id)
        accept = session.scalars(select(HumanTask).where(HumanTask.instance_id == case_id,
                                                         HumanTask.spec_id == 'accept')).one()
        clerk_user = session.scalars(select(User).where(User.username == 'clerk')).one()
        runtime.complete_task(session, accept.id, {'materials_complete': True}, Actor(clerk_user))
        session.commit()
        review = session.scalars(select(HumanTask).where(HumanTask.instance_id == case_id,
                                                         HumanTask.spec_id == 'review')).one()
        assert case.definition.version == 2 and review.time_limit == '7wd'
    engine.dispose()


def test_the_form_editor_previews_live_and_the_rules_editor_opens_the_table(browser, server):
    admin = admin_page(browser, server)
    admin.goto(f'{server}/admin/processes/withdrawal/1/files/withdrawal_review.json/edit')
    admin.wait_for_selector('#form-preview [data-field="decision"]')
    schema = admin.input_value('#form-schema')
    admin.fill('#form-schema', schema.replace('"审核结论"', '"审核意见"'))
    admin.wait_for_selector('#form-preview:has-text("审核意见")')
    admin.fill('#form-schema', '{"type": "objekt"}')
    admin.wait_for_selector('#form-preview-error:not([hidden])')

    admin.goto(f'{server}/admin/processes/withdrawal/1/files/withdrawal_rules.dmn/edit')
    admin.wait_for_selector('#dmn-editor[data-state="ready"]')
    assert '命中策略' in admin.locator('#dmn-editor').inner_text()
    assert '处于骗提骗贷禁入期' in admin.locator('#dmn-editor').inner_text()


def test_round_trip_upload_a_model_from_elsewhere_edit_publish_and_see_the_task_in_the_pool(browser, server):
    outside = Path(__file__).resolve().parents[1] / 'data' / 'modeler'
    admin = admin_page(browser, server)
    admin.goto(f'{server}/admin/processes/')
    admin.set_input_files('#upload-form input[type=file]', sorted(str(p) for p in outside.iterdir()))
    admin.click('#upload-form button')
    admin.wait_for_selector('[data-version="1"] [data-state="draft"]')
    admin.click('[data-edit="1"]')
    admin.wait_for_selector('#modeler-canvas[data-state="ready"]')
    admin.click('.djs-element[data-element-id="check"]')
    admin.fill('[data-prop="name"]', '核对变更材料')
    admin.press('[data-prop="name"]', 'Tab')
    admin.fill('[data-prop="riskHint"]', '核对单位证明原件')
    admin.press('[data-prop="riskHint"]', 'Tab')
    admin.click('#modeler-save')
    admin.wait_for_selector('[data-version="2"] [data-state="draft"]')
    admin.click('[data-publish="2"]')
    admin.wait_for_selector('[data-version="2"] [data-state="current"]')
    saved = admin.request.get(f'{server}/admin/processes/address_change/2/files/outside.bpmn').text()
    assert 'camunda:candidateGroups="clerks"' in saved and 'camunda:historyTimeToLive="180"' in saved

    clerk = login(browser, server, 'clerk')
    clerk.goto(f'{server}/cases/new/address_change')
    clerk.fill('#f-account_no', '100000000003')
    clerk.click('#register')
    clerk.wait_for_selector('#case-status')
    clerk.goto(f'{server}/tasks/queue')
    assert '核对变更材料' in clerk.locator('#task-list').inner_text()
