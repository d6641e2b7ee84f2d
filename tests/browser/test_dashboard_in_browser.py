"""The supervision dashboard and heatmap in headless Chromium: charts are drawn, overlays are placed."""
import os

import pytest

from tests.oversight_history import RANGE, seed_history

from .conftest import login, serve_copy

pytestmark = [pytest.mark.browser, pytest.mark.slow]
RANGE_ARGS = f'start={RANGE[0].isoformat()}&end={RANGE[1].isoformat()}'

# How many pixels of a canvas are not transparent (a drawn chart has thousands).
PAINTED = """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n; }"""


@pytest.fixture(scope='module')
def server(sqlite_template, tmp_path_factory):
    with serve_copy(sqlite_template, tmp_path_factory.mktemp('dashboard'), seed_history) as url:
        yield url


def _shot(page, name):
    folder = os.environ.get('SCREENSHOTS')
    if folder:
        page.screenshot(path=os.path.join(folder, f'{name}.png'), full_page=True)


def test_dashboard_draws_its_charts(browser, server):
    page = login(browser, server, 'supervisor')
    page.click('nav >> text=监察看板')
    page.goto(f'{server}/supervision/?{RANGE_ARGS}')
    for chart in ('chart-completion', 'chart-weekly', 'chart-process'):
        canvas = page.wait_for_selector(f'#{chart}[data-drawn="1"]')
        assert canvas.evaluate(PAINTED) > 500, chart
    assert page.locator('#table-rates_person tbody tr').count() == 3
    assert page.locator('[data-summary="spot_share"]').inner_text() == '33.3%'    # 2 of 6 closed cases
    _shot(page, 'dashboard')
    page.select_option('#f-team', label='监察甲组')
    page.click('#oversight-filters button')
    page.wait_for_selector('#chart-process[data-drawn="1"]')
    assert page.locator('#table-rates_person tbody tr').count() == 2
    page.close()


def test_heatmap_puts_an_overlay_on_each_step_with_work_and_zooms(browser, server):
    page = login(browser, server, 'supervisor')
    page.goto(f'{server}/supervision/heatmap?process=withdrawal&{RANGE_ARGS}')
    page.wait_for_selector('#heatmap[data-state="ready"]')
    assert page.locator('#heatmap').get_attribute('data-overlays') == '3'     # accept, review, pay
    badges = page.locator('.heat-badge')
    assert badges.count() == 3
    texts = badges.all_inner_texts()
    assert any(t.startswith('等待 2') and '8.4天' in t for t in texts), texts
    assert page.locator('.heat-badge.heat-3').count() == 1
    assert page.locator('svg .heat-step').count() == 3
    lanes = page.eval_on_selector_all('#heatmap .djs-element[data-element-id^="lane_"] text',
                                      'els => els.map(e => e.textContent)')
    assert '受理员' in ''.join(lanes) and 'clerk' not in ''.join(lanes)   # role names, as on the case page
    viewport = page.locator('#heatmap .viewport').get_attribute('transform')
    page.click('[data-zoom-for=heatmap] [data-zoom=in]')
    assert page.locator('#heatmap .viewport').get_attribute('transform') != viewport
    _shot(page, 'heatmap')
    page.close()
