"""The case page in Chromium: the diagram names lanes by role, zooms, and the case file takes an upload."""

import pytest

from .conftest import login, serve_copy

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PDF = b'%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'


@pytest.fixture(scope='module')
def server(sqlite_template, tmp_path_factory):
    with serve_copy(sqlite_template, tmp_path_factory.mktemp('case_page')) as url:
        yield url


def test_diagram_lanes_zoom_and_an_upload(browser, server, tmp_path):
    page = login(browser, server, 'clerk')
    page.goto(f'{server}/cases/new/withdrawal')
    page.fill('#f-account_no', '100000000001')
    page.select_option('#f-withdrawal_type', 'purchase')
    page.fill('#f-amount', '5000')
    page.check('#f-materials_provided-id_card')
    page.click('#register')
    page.wait_for_selector('#diagram[data-state=ready]', timeout=15000)
    lanes = page.eval_on_selector_all('#diagram .djs-element[data-element-id^="lane_"] text',
                                      'els => els.map(e => e.textContent)')
    assert '受理员' in ''.join(lanes) and 'clerk' not in ''.join(lanes)   # role names, not codes
    viewport = page.locator('#diagram .viewport').get_attribute('transform')
    page.click('[data-zoom=in]')
    assert page.locator('#diagram .viewport').get_attribute('transform') != viewport
    scan = tmp_path / '身份证.pdf'
    scan.write_bytes(PDF)
    page.fill('#upload-label', '身份证复印件')
    page.set_input_files('#upload-file', str(scan))
    page.click('#upload-form button')
    page.wait_for_selector('#attachments [data-attachment-id]')
    assert '身份证.pdf' in page.inner_text('#attachments')
    page.close()


@pytest.fixture(scope='module')
def demo_server(sqlite_template, tmp_path_factory):
    """The demo database: every process's demo cases, waiting at their stages."""
    from workflows import seed
    with serve_copy(sqlite_template, tmp_path_factory.mktemp('case_page_demo'), seed.seed_demo_cases) as url:
        yield url


def test_a_large_diagram_opens_legibly_on_the_current_step(browser, demo_server):
    """Fitted into 1366 px the enforcement model is unreadable: the page opens on the current step at a
    legible scale; the fit button still shows the whole."""
    page = login(browser, demo_server, 'supervisor')
    page.goto(f'{demo_server}/cases/?process=enforcement&status=running')
    page.locator('#case-list tbody a').first.click()
    page.wait_for_selector('#diagram[data-state=ready]')
    focused = page.locator('#diagram').get_attribute('data-focused')
    active = page.locator('#diagram').get_attribute('data-active')
    assert focused and focused in active
    box, step = (page.locator(selector).bounding_box() for selector in
                 ('#diagram', f'#diagram .djs-element[data-element-id="{focused}"]'))
    assert box['x'] <= step['x'] and step['x'] + step['width'] <= box['x'] + box['width']
    assert box['y'] <= step['y'] and step['y'] + step['height'] <= box['y'] + box['height']
    assert step['width'] >= 60                     # a task box at 0.75 of its 100 px, not a speck
    page.click('[data-zoom-for=diagram] [data-zoom=fit]')
    assert page.locator(f'#diagram .djs-element[data-element-id="{focused}"]').bounding_box()['width'] < 60
    page.close()
